"""The plan of ``fit`` and ``compare``: estimates, memory guard, time budget, Ctrl-C."""

import doctest
import os
import re
import signal

import click
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from tsforecast.cli import plan as plan_module
from tsforecast.cli.main import cli
from tsforecast.cli.plan import Plan, estimate_cost, parse_duration, parse_size

from tsforecast import persistence
from tsforecast.forecasting import LSTMForecaster, TrainingBudget, current_budget
from tsforecast.statistical import ARIMA

TINY = ["--units", "2", "--epochs", "1", "--seed", "7"]


@pytest.fixture(scope="module", autouse=True)
def isolated(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TSFORECAST_NO_COMPILATION_CACHE", "1")
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config-home")))
        for name in list(os.environ):
            if name.startswith("TSFORECAST_") and name != "TSFORECAST_NO_COMPILATION_CACHE":
                patch.delenv(name)
        yield


def hourly_csv(path, n, seed=0):
    """Hourly CSV with a daily and a weekly cycle."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = (100 + 10 * np.sin(2 * np.pi * t / 24) + 8 * ((t // 24) % 7 >= 5)
         + rng.normal(0, 1, n))
    frame = pd.DataFrame({"time": pd.date_range("2000-01-03", periods=n, freq="h"),
                          "load": y.round(3)})
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def short_csv(tmp_path_factory):
    return hourly_csv(tmp_path_factory.mktemp("data") / "hourly.csv", 1_200)


@pytest.fixture(scope="module")
def long_csv(tmp_path_factory):
    return hourly_csv(tmp_path_factory.mktemp("data") / "long.csv", 200_000)


def invoke(*args, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    return result


# -------------------------------------------------------------------- parsing
def test_durations_and_sizes():
    assert parse_duration("60s") == parse_duration("1m") == parse_duration("60") == 60
    assert parse_duration("1h30m") == 5400 and parse_duration("1.5m") == 90
    assert parse_size("2GB") == 2 * 2**30 and parse_size("512MiB") == 512 * 2**20
    assert parse_size("1000") == 1000
    for bad in ("", "soon", "5 parsecs", "1m-1s"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    with pytest.raises(ValueError):
        parse_size("lots")
    assert doctest.testmod(plan_module, raise_on_error=True).failed == 0


def test_bad_budget_options_are_usage_errors(short_csv):
    result = invoke("fit", short_csv, "--model", "naive", "--time-budget", "soon", code=2)
    assert "--time-budget 60s" in result.output
    result = invoke("compare", short_csv, "--memory-limit", "lots", code=2)
    assert "--memory-limit 2GB" in result.output


# ------------------------------------------------------------------ estimates
def test_network_estimates_grow_with_the_budget_not_the_length():
    model = LSTMForecaster(window=72, horizon=24, units=(8,), n_ensemble=5, n_jobs=-1)
    short = estimate_cost("lstm", model, n_obs=100_000)
    long = estimate_cost("lstm", model, n_obs=1_000_000)
    assert "20 networks on 10,000 of" in short.detail
    assert long.seconds == pytest.approx(short.seconds)  # the same windows to train on
    assert long.memory - short.memory == pytest.approx(4 * 8 * 900_000)  # series copies
    everything = estimate_cost("lstm", model.set_params(max_windows=None), n_obs=1_000_000)
    assert everything.seconds > 50 * short.seconds


# --------------------------------------------------------------- memory guard
def test_the_memory_guard_conserves_or_leaves_out():
    exact = ARIMA((1, 0, 1), (0, 1, 1, 24), approximation=False)
    plan = Plan(memory_limit=200 * 2**20)
    # an exact seasonal ARIMA of a million values: about 1.5 GB even conserving memory
    assert plan.add("arima", exact, n_obs=10**6, season=24) is exact
    assert exact.approximation is True
    assert plan.costs[-1].action.startswith("conserving: CSS")
    network = LSTMForecaster(window=72, horizon=24, max_windows=None, n_ensemble=2)
    assert plan.add("lstm", network, n_obs=10**6, season=24) is network
    assert network.max_windows < 10**6 and plan.costs[-1].memory <= 200 * 2**20
    tiny = Plan(memory_limit=20 * 2**20)
    assert tiny.add("lstm", LSTMForecaster(), n_obs=10**6) is None
    assert tiny.costs[-1].action == "left out"
    with pytest.raises(click.ClickException, match="memory limit"):
        tiny.add("lstm", LSTMForecaster(), n_obs=10**6, required=True)


def test_fit_conserves_a_network_on_a_long_series(long_csv, tmp_path):
    # just under what the network needs with its default budget of 10,000 windows
    network = LSTMForecaster(window=72, horizon=24, units=(2,), epochs=1, n_jobs=-1,
                             conformal=False)
    limit = estimate_cost("lstm", network, n_obs=200_000).memory - 2**20
    output = tmp_path / "model.tsf"
    result = invoke("fit", long_csv, "--model", "lstm", *TINY, "--ensemble", "1",
                    "--no-intervals", "--no-holdout", "--memory-limit", limit, "-o", output)
    budget = int(re.search(r"conserving: ([\d,]+) windows per network",
                           result.output).group(1).replace(",", ""))
    model = persistence.load(output)
    assert model.n_windows_ == budget < 10_000
    assert model.n_windows_available_ == 200_000 - 72 - 24 + 1


def test_compare_leaves_out_a_model_over_the_memory_limit(long_csv):
    result = invoke("compare", long_csv, "--models", "naive,lstm", *TINY, "--folds", "1",
                    "--memory-limit", "40MB")
    assert "lstm: estimated memory" in result.output and "left out" in result.output
    board = result.output.split("Backtesting")[-1]
    assert "naive" in board and "\nlstm" not in board
    # several seasonal periods: seasonal naive repeats the week
    assert "Seasonal periods 24 and 168 (detected); seasonal naive uses 168" in result.output


def test_fit_fails_clearly_when_its_model_cannot_fit_in_memory(long_csv, tmp_path):
    result = invoke("fit", long_csv, "--model", "naive", "--memory-limit", "1MB",
                    "-o", tmp_path / "m.tsf", code=1)
    assert "exceeds the memory limit" in result.output and "--memory-limit" in result.output
    assert not (tmp_path / "m.tsf").exists()


# ---------------------------------------------------------------- time budget
def test_fit_prints_its_plan_with_the_periods(short_csv, tmp_path):
    result = invoke("fit", short_csv, "--model", "autoarima", "-o", tmp_path / "a.tsf")
    plan_text = result.output.split("Plan (estimates")[1].split("Training")[0]
    assert "autoarima" in plan_text and "seasonal naive (holdout)" in plan_text
    assert "mstl (holdout)" in plan_text and "total" in plan_text
    assert "seasonal naive (168)" in result.output  # the holdout's baseline


def test_an_exhausted_time_budget_stops_cleanly_and_saves_a_usable_model(short_csv, tmp_path):
    output = tmp_path / "budget.tsf"
    result = invoke("fit", short_csv, "--model", "lstm", *TINY, "--ensemble", "3",
                    "--time-budget", "0s", "-o", output)
    assert "time budget" in result.output
    assert "training stopped (time budget): kept 1 of 3 ensemble members" in result.output
    assert f"Saved model to '{output}'" in result.output
    model = persistence.load(output)
    assert model.n_ensemble_ == 1 and model.training_stopped_ == "time budget"
    forecast = invoke("predict", output)
    assert len(forecast.output.strip().splitlines()) >= 24


def test_ctrl_c_stops_training_and_a_second_one_aborts():
    previous = signal.getsignal(signal.SIGINT)
    with Plan(memory_limit=None).running() as budget:
        assert isinstance(budget, TrainingBudget) and current_budget() is budget
        signal.raise_signal(signal.SIGINT)  # first Ctrl-C: stop training, keep going
        assert budget.stop_requested() and budget.reason() == "interrupted"
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is previous and current_budget() is None

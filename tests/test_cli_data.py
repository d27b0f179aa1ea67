"""The data users bring, on the command line: covariates, future covariates, calendar
features, and ``predict --data`` on new series without retraining (``--refit`` to refit)."""

import io
import os

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from tsforecast.cli.main import cli

from tsforecast import persistence
from tsforecast.dataio import DataError, read_csv
from tsforecast.dataio.covariates import read_covariates

#: A tiny network: a few seconds per fit.
TINY = ["--units", "4", "--epochs", "2", "--ensemble", "1", "--seed", "3", "--window", "6",
        "--horizon", "3", "--no-intervals", "--no-holdout"]


@pytest.fixture(scope="module", autouse=True)
def isolated_environment(tmp_path_factory):
    """No compilation cache, no user config file, no option values from the environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TSFORECAST_NO_COMPILATION_CACHE", "1")
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config-home")))
        for name in list(os.environ):
            if name.startswith("TSFORECAST_") and name != "TSFORECAST_NO_COMPILATION_CACHE":
                patch.delenv(name)
        yield


@pytest.fixture
def invoke():
    runner = CliRunner()

    def run(*args, code=0):
        result = runner.invoke(cli, [str(a) for a in args])
        assert "Traceback" not in result.output
        assert result.exit_code == code, result.output
        return result

    return run


def error_line(result):
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    return lines[0]


def driven(n=48, start="2015-01-01", seed=0):
    """Monthly sales driven by price: ``sales = 50 - 3 price + noise``."""
    rng = np.random.default_rng(seed)
    price = rng.uniform(5, 10, n).round(2)
    sales = (50 - 3 * price + rng.normal(0, 0.5, n)).round(3)
    index = pd.date_range(start, periods=n, freq="MS", name="month")
    return pd.DataFrame({"sales": sales, "price": price}, index=index)


def write_csv(frame, path):
    frame.to_csv(path, date_format="%Y-%m-%d")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    frame = driven()
    future = driven(6, start="2019-01-01", seed=1)[["price"]]
    return {
        "data": write_csv(frame, root / "sales.csv"),
        "future": write_csv(future, root / "future.csv"),
        "short": write_csv(future.iloc[:2], root / "short.csv"),
        "cheap": write_csv(future.assign(price=5.0), root / "cheap.csv"),
        "dear": write_csv(future.assign(price=10.0), root / "dear.csv"),
        "root": root,
    }


def forecast(result):
    return pd.read_csv(io.StringIO(result.stdout))


def settings_of(model):
    return persistence.read_metadata(model)["metadata"]["settings"]


# ------------------------------------------------------------------- reading covariates
def test_read_csv_reads_covariates_apart_from_the_target(files):
    data = read_csv(files["data"], covariates=["PRICE"])
    assert data.layout == "single" and data.y.name == "sales"
    assert list(data.X.columns) == ["price"] and data.X.index.equals(data.y.index)
    np.testing.assert_allclose(data.X["price"], driven()["price"])
    with pytest.raises(DataError, match="'cost' is not a column of 'sales.csv'"):
        read_csv(files["data"], covariates=["cost"])
    with pytest.raises(DataError, match="cannot be both a covariate and"):
        read_csv(files["data"], target="price", covariates=["price"])


def test_long_files_give_one_covariate_table_per_series(tmp_path):
    frames = [driven(12, seed=1).assign(store="a"), driven(10, start="2015-03-01", seed=2)
              .assign(store="b")]
    long = pd.concat(frames).reset_index()[["store", "month", "sales", "price"]]
    long.to_csv(tmp_path / "long.csv", index=False, date_format="%Y-%m-%d")
    data = read_csv(tmp_path / "long.csv", covariates=["price"])
    assert data.layout == "long" and set(data.X) == {"a", "b"}
    for name, frame in zip("ab", frames):
        assert data.X[name].index.equals(frame.index)
        np.testing.assert_allclose(data.X[name]["price"], frame["price"])
    future = read_covariates(tmp_path / "long.csv", columns=["price"], id_col="store")
    assert future.columns == ["price"] and set(future.X) == {"a", "b"}


def test_covariates_with_gaps_or_text_are_refused_with_their_line(tmp_path):
    frame = driven(12)
    frame["price"] = frame["price"].astype(object)
    frame.iloc[4, 1] = None
    with pytest.raises(DataError, match="'price' has 1 empty value.*line 6.*fill"):
        read_csv(write_csv(frame, tmp_path / "gap.csv"), covariates=["price"])
    frame.iloc[4, 1] = "cheap"
    with pytest.raises(DataError, match="'price' has 1 non-numeric value.*'cheap' on line 6"):
        read_csv(write_csv(frame, tmp_path / "text.csv"), covariates=["price"])


# ------------------------------------------------------------------------- fit
def test_past_covariates_are_stored_and_need_no_future_values(invoke, files):
    model = files["root"] / "past.tsf"
    fitted = invoke("fit", files["data"], "--model", "lstm", "--covariates", "price", *TINY,
                    "-o", model)
    assert "covariates: price (past)" in fitted.stderr
    assert settings_of(model)["covariates"] == {"past": ["price"], "future": [],
                                                "calendar": False}
    loaded = persistence.load(model)
    assert loaded.past_covariates_ == ["price"] and loaded.future_covariates_ == []
    result = forecast(invoke("predict", model))
    assert result["month"].tolist() == ["2019-01-01", "2019-02-01", "2019-03-01"]


def test_future_covariates_must_cover_the_horizon_and_change_the_forecast(invoke, files):
    model = files["root"] / "future.tsf"
    fitted = invoke("fit", files["data"], "--model", "lstm", "--future-covariates",
                    files["future"], *TINY, "-o", model)
    assert "covariates: price (future)" in fitted.stderr
    assert settings_of(model)["covariates"]["future"] == ["price"]
    missing = error_line(invoke("predict", model, code=2))
    assert "future covariate(s) 'price'" in missing and "--future-covariates" in missing
    short = error_line(invoke("predict", model, "--future-covariates", files["short"], code=2))
    assert "do not cover the forecast" in short and "2019-03" in short
    assert "--horizon" in short
    # the model forecasts 3 steps at a time: a 2-step forecast needs the third value too
    block = error_line(invoke("predict", model, "--future-covariates", files["short"],
                              "--horizon", "2", code=2))
    assert "step 3 of 3, as the model forecasts them a block at a time" in block
    assert len(forecast(invoke("predict", model, "--future-covariates", files["future"],
                               "--horizon", "2"))) == 2
    cheap = forecast(invoke("predict", model, "--future-covariates", files["cheap"]))
    dear = forecast(invoke("predict", model, "--future-covariates", files["dear"]))
    assert cheap["month"].tolist() == dear["month"].tolist()
    assert not np.allclose(cheap["forecast"], dear["forecast"])


def test_fit_refuses_future_covariates_that_do_not_cover_the_horizon(invoke, files):
    result = invoke("fit", files["data"], "--model", "lstm", "--future-covariates",
                    files["short"], *TINY, "-o", files["root"] / "never.tsf", code=2)
    assert "no value of 'price' for 2019-03 (step 3 of 3)" in error_line(result)
    assert not (files["root"] / "never.tsf").exists()


def test_calendar_features_are_switched_on_by_a_flag(invoke, files):
    model = files["root"] / "calendar.tsf"
    fitted = invoke("fit", files["data"], "--target", "sales", "--model", "gru", "--calendar",
                    *TINY, "-o", model)
    assert "covariates: calendar" in fitted.stderr
    assert settings_of(model)["covariates"]["calendar"] is True
    assert persistence.load(model).future_covariates_[0] == "month_2"
    assert len(forecast(invoke("predict", model))) == 3


def test_models_that_cannot_use_covariates_say_so(invoke, files):
    result = invoke("fit", files["data"], "--model", "ets", "--covariates", "price",
                    "--calendar", "--no-holdout", "-o", files["root"] / "ets.tsf")
    assert "warning: ets does not use covariates: 'price' ignored" in result.stderr
    assert "warning: --calendar: ets has no calendar features" in result.stderr
    arima = invoke("fit", files["data"], "--model", "arima", "--covariates", "price",
                   "--no-holdout", "--horizon", "3", "-o", files["root"] / "arima.tsf")
    assert "only those of --future-covariates: 'price' ignored" in arima.stderr
    assert settings_of(files["root"] / "arima.tsf")["covariates"]["past"] == []


def test_the_holdout_of_a_model_with_covariates_uses_them(invoke, files):
    result = invoke("fit", files["data"], "--model", "lstm", "--covariates", "price",
                    "--units", "4", "--epochs", "2", "--ensemble", "1", "--window", "6",
                    "--horizon", "3", "--no-intervals", "--baselines", "naive",
                    "-o", files["root"] / "holdout.tsf")
    assert "Holdout (last 3 months)" in result.stdout and "  lstm " in result.stdout


def test_unknown_covariate_columns_are_one_line_errors(invoke, files):
    result = invoke("fit", files["data"], "--model", "naive", "--covariates", "cost", code=1)
    line = error_line(result)
    assert "'cost' is not a column of 'sales.csv'" in line and "price" in line
    assert "pass at least one column" in error_line(
        invoke("fit", files["data"], "--covariates", ",", code=2))


# ---------------------------------------------------------------- predict --data
def test_a_network_forecasts_new_data_without_retraining(invoke, files):
    model = files["root"] / "new-data.tsf"
    invoke("fit", files["data"], "--model", "lstm", "--covariates", "price", *TINY, "-o", model)
    new = driven(30, start="2016-01-01", seed=5)
    path = write_csv(new, files["root"] / "new.csv")
    result = invoke("predict", model, "--data", path)
    assert "with the trained model (no retraining)" in result.stderr
    expected = persistence.load(model).predict(3, y=new["sales"], X=new[["price"]])
    table = forecast(result)
    assert table["month"].tolist() == ["2018-07-01", "2018-08-01", "2018-09-01"]
    np.testing.assert_allclose(table["forecast"], expected.to_numpy())
    refitted = invoke("predict", model, "--data", path, "--refit")
    assert "Refitting the saved model settings on 'new.csv'" in refitted.stderr
    assert not np.allclose(forecast(refitted)["forecast"], table["forecast"])


def test_statistical_models_need_refit_for_new_data(invoke, files):
    model = files["root"] / "theta.tsf"
    invoke("fit", files["data"], "--target", "sales", "--model", "theta", "--no-holdout",
           "--horizon", "3", "-o", model)
    line = error_line(invoke("predict", model, "--data", files["data"], code=2))
    assert "theta cannot forecast from new data" in line and "pass --refit" in line
    refit = invoke("predict", model, "--data", files["data"], "--refit")
    assert len(forecast(refit)) == 3
    assert "--refit fits the model on new observations" in error_line(
        invoke("predict", model, "--refit", code=2))


def test_a_model_with_nothing_to_train_reads_the_new_data(invoke, files):
    model = files["root"] / "naive.tsf"
    invoke("fit", files["data"], "--target", "sales", "--model", "naive", "--no-holdout",
           "-o", model)
    new = driven(20, seed=9)
    result = invoke("predict", model, "--data", write_csv(new, files["root"] / "n.csv"),
                    "--horizon", "2")
    assert "naive has nothing to train" in result.stderr
    assert forecast(result)["forecast"].tolist() == [new["sales"].iloc[-1]] * 2


def test_a_model_that_can_update_continues_from_the_new_values(invoke, files, monkeypatch):
    from tsforecast.statistical import Theta

    updates = []
    monkeypatch.setattr(Theta, "_update", lambda self, y, X=None: updates.append(len(y)),
                        raising=False)
    model = files["root"] / "theta-update.tsf"
    frame = driven()
    invoke("fit", write_csv(frame.iloc[:40], files["root"] / "first.csv"), "--target",
           "sales", "--model", "theta", "--no-holdout", "--horizon", "3", "-o", model)
    result = invoke("predict", model, "--data", files["data"])
    assert "Updating theta with the 8 value(s) of 'sales.csv' after 2018-04" in result.stderr
    assert updates == [8]
    assert forecast(result)["month"].tolist()[0] == "2019-01-01"
    seen = error_line(invoke("predict", model, "--data", files["root"] / "first.csv", code=2))
    assert "already seen" in seen and "--refit" in seen


def test_a_global_network_forecasts_series_it_never_saw(invoke, files):
    def panel(stores, seed):
        parts = [driven(36, seed=seed + i).assign(store=s) for i, s in enumerate(stores)]
        return pd.concat(parts).reset_index()[["store", "month", "sales"]]

    train = files["root"] / "stores.csv"
    panel(["a", "b", "c"], 0).to_csv(train, index=False)
    model = files["root"] / "global.tsf"
    invoke("fit", train, "--model", "global-lstm", *TINY, "-o", model)
    new = panel(["x", "y"], 10)
    path = files["root"] / "new-stores.csv"
    new.to_csv(path, index=False)
    result = invoke("predict", model, "--data", path)
    assert "no retraining" in result.stderr
    table = forecast(result)
    assert sorted(table["series"].unique()) == ["x", "y"]
    assert table.groupby("series").size().tolist() == [3, 3]

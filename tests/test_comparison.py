import json
import logging
import os

import dask
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

# the stand-in forecasters of the backtest tests serve here too
from test_model_selection import BandOnLongSeries, BrokenBand, GlobalLastValue, LastValueWithBand

from tsforecast.evaluation import (
    Comparison,
    IntervalUnavailableWarning,
    RollingOriginSplit,
    backtest,
    compare,
    format_table,
    markdown_table,
    to_wide,
)
from tsforecast.forecasting import BaseForecaster
from tsforecast.statistical import Drift, Naive

TIMING_COLUMNS = ["fit_seconds", "predict_ms"]


class KillsItsWorker(BaseForecaster):
    """Last-value forecaster whose fit ends its own process: once (marker file) or always."""

    _tags = {"capability:pred_int": False}

    def __init__(self, marker=None, always=False):
        self.marker = marker
        self.always = always

    def _fit(self, y, X=None):
        if self.always or not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(1)
        self.last_ = float(y[-1])

    def _predict(self, horizon, X=None):
        return np.full(horizon, self.last_)


class FailsOnShortSeries(BaseForecaster):
    _tags = {"capability:pred_int": False}

    def _fit(self, y, X=None):
        if len(y) < 40:
            raise ValueError("series too short for this model")
        self.last_ = float(y[-1])

    def _predict(self, horizon, X=None):
        return np.full(horizon, self.last_)


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(0)
    index = pd.date_range("2000-01-01", periods=60, freq="MS")
    t = np.arange(60)
    frame = pd.DataFrame(
        {
            f"s{i}": 100 + (i + 1) * t + 15 * np.sin(2 * np.pi * t / 12 + i) + rng.normal(0, 2, 60)
            for i in range(4)
        },
        index=index,
    )
    frame.iloc[:12, 2] = np.nan
    return frame


@pytest.fixture(scope="module")
def cv():
    return RollingOriginSplit(n_folds=2, horizon=6)


@pytest.fixture(scope="module")
def serial(panel, cv):
    return compare({"naive": Naive(), "drift": Drift()}, panel, cv)


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import LocalCluster

    # A task whose worker dies is reported at once; compare's own resubmission is tested.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        local = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        )
    yield local
    local.close()


def _without_timings(frame):
    return frame.drop(columns=[c for c in TIMING_COLUMNS if c in frame.columns])


def _mase(actual, forecast, train, m):
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    return np.mean(np.abs(actual - forecast)) / scale


# ---------------------------------------------------------------- leaderboard
def test_leaderboard_includes_baselines_and_is_computed_from_the_forecasts(serial, panel):
    board = serial.leaderboard
    assert set(board.index) == {"naive", "drift", "snaive", "naive2"}
    assert board["rank"].tolist() == sorted(board["rank"].tolist())
    assert (board["n_series"] == 4).all() and (board["n_folds"] == 2).all()
    results = serial.results
    assert len(results) == 4 * 4 * 2 * 6
    manual = {}
    for (model, series, fold), rows in results.groupby(["model", "series", "fold"]):
        history = panel[series].dropna()
        train = history.loc[: rows["cutoff"].iloc[0]].to_numpy()
        actual, forecast = rows["actual"].to_numpy(), rows["forecast"].to_numpy()
        smape = np.mean(2 * np.abs(actual - forecast) / (np.abs(actual) + np.abs(forecast)))
        manual.setdefault(model, []).append((_mase(actual, forecast, train, 12), smape))
    for model, values in manual.items():
        values = np.array(values)
        assert_allclose(board.loc[model, "mase_mean"], values[:, 0].mean())
        assert_allclose(board.loc[model, "mase_median"], np.median(values[:, 0]))
        assert_allclose(board.loc[model, "smape_mean"], values[:, 1].mean())
    snaive, naive2 = board.loc["snaive"], board.loc["naive2"]
    drift = board.loc["drift"]
    assert_allclose(drift["skill_mase"], 1 - drift["mase_mean"] / snaive["mase_mean"])
    owa = 0.5 * (
        drift["mase_mean"] / naive2["mase_mean"] + drift["smape_mean"] / naive2["smape_mean"]
    )
    assert_allclose(drift["owa"], owa)
    assert_allclose(snaive["skill_mase"], 0.0)
    assert_allclose(naive2["owa"], 1.0)
    assert (board[TIMING_COLUMNS] > 0).all().all()


def test_errors_by_horizon_match_the_tidy_results(panel, cv):
    result = compare({"naive": Naive()}, panel, cv, metrics=("mae", "coverage"))
    results = result.results
    expected = (
        results.assign(error=(results["actual"] - results["forecast"]).abs())
        .groupby(["model", "step"])["error"]
        .mean()
        .unstack("model")
    )
    assert list(result.by_horizon.index) == [1, 2, 3, 4, 5, 6]
    for model in ("naive", "snaive", "naive2"):
        assert_allclose(result.by_horizon[("mae", model)], expected[model])
    inside = (results["actual"] >= results["lower"]) & (results["actual"] <= results["upper"])
    assert_allclose(
        result.leaderboard.loc["naive", "coverage_mean"],
        inside[results["model"] == "naive"].mean(),
    )
    assert "skill_coverage" not in result.leaderboard.columns


def test_vectorised_errors_by_horizon_equal_the_metric_of_each_step(panel, cv):
    from tsforecast.evaluation import metrics

    names = ("mase", "rmsse", "smape", "mape", "rmse", "interval_score")
    result = compare({"naive": Naive()}, panel[["s0", "s2"]], cv, metrics=names)
    rows = result.results[result.results["model"] == "naive2"]
    expected = {name: {} for name in names}
    for _, row in rows.iterrows():
        train = panel[row["series"]].dropna().loc[: row["cutoff"]].to_numpy()
        one = ([row["actual"]], [row["forecast"]])
        bounds = ([row["actual"]], [row["lower"]], [row["upper"]])
        values = {
            "mase": metrics.mase(*one, y_train=train, season_length=12),
            "rmsse": metrics.rmsse(*one, y_train=train, season_length=12),
            "smape": metrics.smape(*one),
            "mape": metrics.mape(*one),
            "rmse": metrics.rmse(*one),
            "interval_score": metrics.interval_score(*bounds, coverage=0.9),
        }
        for name, value in values.items():
            expected[name].setdefault(row["step"], []).append(value)
    for name in names:
        values = [np.array(expected[name][step]) for step in range(1, 7)]
        if name in ("rmse", "rmsse"):  # root of the mean square, not the mean of |e|
            means = [np.sqrt(np.mean(v**2)) for v in values]
        else:
            means = [np.mean(v) for v in values]
        assert_allclose(result.by_horizon[(name, "naive2")], means, rtol=1e-12)


def test_rmse_by_horizon_is_the_root_mean_squared_error_of_each_step(panel, cv):
    result = compare({"naive": Naive()}, panel, cv, metrics=("rmse", "mae"), baselines=False)
    errors = result.results.assign(error=result.results["actual"] - result.results["forecast"])
    by_step = errors.groupby("step")["error"]
    rmse = by_step.apply(lambda e: np.sqrt(np.mean(e**2)))
    mae = by_step.apply(lambda e: np.mean(np.abs(e)))
    assert_allclose(result.by_horizon[("rmse", "naive")], rmse.to_numpy())
    assert_allclose(result.by_horizon[("mae", "naive")], mae.to_numpy())
    assert (rmse > mae).all()  # the two differ on this data


def test_a_global_model_is_fitted_once_per_fold_and_scored_per_series(panel, cv, serial):
    result = compare({"global": GlobalLastValue()}, panel, cv)
    timings = result.timings[result.timings["model"] == "global"]
    assert len(timings) == 2 and timings["series"].isna().all()
    board = result.leaderboard
    assert board.loc["global", "n_series"] == 4
    # the last value of each series is exactly the naive forecast
    assert_allclose(board.loc["global", "mase_mean"], serial.leaderboard.loc["naive", "mase_mean"])


def test_long_data_and_a_single_series_are_accepted(panel, cv, serial):
    long = panel.rename_axis("ds").reset_index().melt("ds", var_name="unique_id", value_name="y")
    long = long.dropna().sample(frac=1.0, random_state=0)
    assert_allclose(to_wide(long).to_numpy(), panel.to_numpy())
    from_long = compare({"naive": Naive(), "drift": Drift()}, long, cv)
    pd.testing.assert_frame_equal(
        _without_timings(from_long.leaderboard), _without_timings(serial.leaderboard)
    )
    single = compare({"naive": Naive()}, panel["s0"], cv, baselines=False)
    assert single.leaderboard.index.tolist() == ["naive"]
    assert single.results["series"].unique().tolist() == ["s0"]


def test_exports_csv_json_markdown_and_plots(serial, tmp_path):
    serial.to_csv(tmp_path / "board.csv")
    table = pd.read_csv(tmp_path / "board.csv")
    assert table["model"].tolist() == serial.leaderboard.index.tolist()
    assert_allclose(table["mase_mean"], serial.leaderboard["mase_mean"])
    document = json.loads(serial.to_json())
    assert document["metrics"] == ["mase", "smape"]
    assert document["season_length"] == 12
    assert [row["model"] for row in document["leaderboard"]] == table["model"].tolist()
    assert len(document["by_horizon"]) == 6
    markdown = serial.to_markdown().splitlines()
    assert markdown[0].startswith("| model ") and set(markdown[1]) <= set("|:-")
    assert len(markdown) == 2 + 4
    assert f"{serial.leaderboard['mase_mean'].iloc[0]:.3f}" in markdown[2]
    horizon = serial.plot("horizon", tmp_path / "horizon.png")
    forecast = serial.plot("forecast", tmp_path / "forecast.png", series="s2")
    assert (tmp_path / "horizon.png").stat().st_size > 1000
    assert (tmp_path / "forecast.png").stat().st_size > 1000
    assert len(horizon.axes[0].lines) == 4
    assert len(forecast.axes[0].lines) >= 5
    with pytest.raises(ValueError, match="'horizon' or 'forecast'"):
        serial.plot("scatter")


def test_markdown_table_escapes_and_aligns():
    text = markdown_table(pd.DataFrame({"name": ["a|b", None], "x": [1.23456, np.nan]}), digits=2)
    assert text.splitlines() == [
        "| name |    x |",
        "|:-----|-----:|",
        "| a\\|b | 1.23 |",
        "|      |      |",
    ]


def test_one_table_layout_in_plain_text_and_markdown():
    rows, headers = [["naive", "1.00", ""], ["lstm", "0.412", "x"]], ["model", "MASE", "note"]
    assert format_table(rows, headers, indent="  ").splitlines() == [
        "  model   MASE  note",
        "  naive   1.00",
        "  lstm   0.412     x",
    ]
    assert format_table(rows, headers, align="<<<").splitlines() == [
        "model  MASE   note",
        "naive  1.00",
        "lstm   0.412  x",
    ]
    assert format_table(rows, headers, style="markdown").splitlines() == [
        "| model |  MASE | note |",
        "|:------|------:|-----:|",
        "| naive |  1.00 |      |",
        "| lstm  | 0.412 |    x |",
    ]
    with pytest.raises(ValueError, match="'plain', 'markdown'"):
        format_table(rows, headers, style="html")


# -------------------------------------------------------------- parallel runs
def test_serial_joblib_and_dask_give_identical_leaderboards(panel, cv, serial):
    models = {"naive": Naive(), "drift": Drift()}
    parallel = compare(models, panel, cv, n_jobs=2)
    distributed = compare(models, panel, cv, n_jobs=2, backend="dask")
    for other in (parallel, distributed):
        assert isinstance(other, Comparison)
        pd.testing.assert_frame_equal(
            _without_timings(other.leaderboard), _without_timings(serial.leaderboard)
        )
        pd.testing.assert_frame_equal(
            _without_timings(other.results), _without_timings(serial.results)
        )
        pd.testing.assert_frame_equal(other.by_horizon, serial.by_horizon)


def test_dask_task_is_retried_when_its_worker_dies(panel, cv, cluster, tmp_path):
    marker = tmp_path / "killed-once"
    result = compare(
        {"fragile": KillsItsWorker(marker=str(marker))},
        panel,
        cv,
        backend="dask",
        address=cluster.scheduler_address,
    )
    assert marker.exists()
    reference = compare({"fragile": KillsItsWorker(marker=str(marker))}, panel, cv)
    pd.testing.assert_frame_equal(
        _without_timings(result.results), _without_timings(reference.results)
    )
    assert result.leaderboard.loc["fragile", "n_series"] == 4


def test_dask_task_that_keeps_killing_workers_fails_clearly(panel, cv, cluster, tmp_path):
    with pytest.raises(RuntimeError, match=r"model 'doomed' on series 's0', fold \d.*3 times"):
        compare(
            {"doomed": KillsItsWorker(marker=str(tmp_path / "m"), always=True)},
            panel[["s0"]],
            RollingOriginSplit(n_folds=1, horizon=6),
            backend="dask",
            address=cluster.scheduler_address,
            baselines=False,
        )


# ---------------------------------------------------------------- input errors
def test_a_failing_model_is_named_with_series_and_fold(panel, cv):
    with pytest.raises(RuntimeError, match=r"'fragile' failed on series 's2', fold 0.*too short"):
        compare({"fragile": FailsOnShortSeries()}, panel, cv)


def test_undefined_metric_values_warn_and_are_left_out(cv):
    index = pd.date_range("2000-01-01", periods=40, freq="MS")
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"flat": np.full(40, 5.0), "noisy": 10 + rng.normal(size=40)}, index=index)
    with pytest.warns(RuntimeWarning, match="no variation"):
        result = compare({"naive": Naive()}, data, cv)
    assert result.scores.loc[result.scores["series"] == "flat", "mase"].isna().all()
    assert np.isfinite(result.leaderboard["mase_mean"]).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"forecasters": [Naive()]}, TypeError, "must be a dict"),
        ({"metrics": ("accuracy",)}, ValueError, "Unknown metric 'accuracy'"),
        ({"metrics": ("pinball_loss",)}, ValueError, "single quantile"),
        ({"address": "tcp://127.0.0.1:1"}, ValueError, "backend='dask'"),
        ({"backend": "spark"}, ValueError, "`backend`='spark'"),
        ({"n_jobs": 0}, ValueError, "`n_jobs`=0"),
        ({"coverage": 90}, ValueError, "`coverage`=90"),
    ],
)
def test_invalid_arguments_raise_clear_errors(panel, cv, kwargs, error, message):
    arguments = {"forecasters": {"naive": Naive()}, "data": panel, "cv": cv, **kwargs}
    with pytest.raises(error, match=message):
        compare(**arguments)


def test_progress_bar_goes_to_stderr(panel, cv, capsys):
    compare({"naive": Naive()}, panel[["s0"]], cv, progress=True)
    captured = capsys.readouterr()
    assert "Backtesting" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_progress_is_reported_through_a_callback(panel, cv, capsys, n_jobs):
    calls = []
    compare({"naive": Naive(), "global": GlobalLastValue()}, panel, cv, n_jobs=n_jobs,
            progress=lambda done, total: calls.append((done, total)))
    total = 3 * 4 * 2 + 2  # naive and the two baselines on 4 series, the global model
    assert calls == [(done, total) for done in range(total + 1)]
    assert capsys.readouterr().err == ""
    with pytest.raises(TypeError, match="progress\\(done, total\\)"):
        compare({"naive": Naive()}, panel, cv, progress="yes")


def test_compare_forecasts_exactly_as_backtest(panel, cv):
    ragged = panel.copy()
    ragged.iloc[-3:, 1] = np.nan  # s1 ends within the last test window
    for forecaster in (Drift(), GlobalLastValue()):
        compared = compare({"model": forecaster}, ragged, cv, baselines=False).results
        alone = backtest(forecaster, ragged, cv)
        if isinstance(forecaster, GlobalLastValue):
            # compare scores a series only where its whole test window was observed, the
            # backtest keeps the observed steps
            assert (alone.query("series == 's1' and fold == 1")["step"] == [1, 2, 3]).all()
            alone = alone[~((alone["series"] == "s1") & (alone["fold"] == 1))]
        pd.testing.assert_frame_equal(
            _without_timings(compared.drop(columns="model")),
            _without_timings(alone.reset_index(drop=True)),
        )


def test_coverage_ranks_by_distance_to_nominal_and_interval_score_lowest_first(panel, cv):
    # "wide": an interval so wide that it always covers
    result = compare({"wide": LastValueWithBand(width=1e6), "naive": Naive()}, panel, cv,
                     metrics=("coverage", "interval_score"), coverage=0.5)
    board = result.leaderboard
    assert_allclose(board.loc["wide", "coverage_mean"], 1.0)
    distance = (board["coverage_mean"] - 0.5).abs()
    assert board["rank"].tolist() == distance.rank(method="min").astype(int).tolist()
    assert board.index[-1] == "wide"  # always covering is not better than 50% intervals
    scored = compare({"wide": LastValueWithBand(width=1e6), "naive": Naive()}, panel, cv,
                     metrics=("interval_score",), coverage=0.5).leaderboard
    assert scored.index[-1] == "wide" and scored.loc["naive", "rank"] == 1


def test_panel_with_ragged_ends_is_backtested_on_each_series_span(panel, cv):
    ragged = panel.copy()
    ragged.iloc[-6:, 1] = np.nan  # s1 ends six months early
    result = compare({"naive": Naive(), "global": GlobalLastValue()}, ragged, cv)
    rows = result.results[(result.results["model"] == "naive")
                          & (result.results["series"] == "s1")]
    end = panel.index[-7]
    assert rows["cutoff"].max() == end - pd.DateOffset(months=6)
    alone = compare({"naive": Naive()}, ragged["s1"].dropna(), cv)
    assert_allclose(result.scores.query("model == 'naive' and series == 's1'")["mase"],
                    alone.scores.query("model == 'naive'")["mase"])
    # the global model scores s1 only where its whole test window was observed
    global_s1 = result.scores.query("model == 'global' and series == 's1'")
    assert global_s1["fold"].tolist() == [0]
    gap = panel.copy()
    gap.iloc[30, 1] = np.nan
    with pytest.raises(ValueError, match="series 's1' has 1 missing"):
        compare({"naive": Naive()}, gap, cv)


def test_a_fold_without_interval_keeps_its_point_forecast(panel, cv):
    # the interval needs 40 training values: fold 0 of s2 has 36
    with pytest.warns(IntervalUnavailableWarning, match=r"1 fold\(s\) have point forecasts"):
        result = compare({"band": BandOnLongSeries(minimum=40)}, panel[["s0", "s2"]], cv,
                         metrics=("mae", "coverage"), baselines=False)
    rows = result.results
    short = rows[(rows["series"] == "s2") & (rows["fold"] == 0)]  # 36 training values
    assert short[["lower", "upper"]].isna().all().all() and short["forecast"].notna().all()
    inside = (rows["actual"] >= rows["lower"]) & (rows["actual"] <= rows["upper"])
    assert_allclose(result.leaderboard.loc["band", "coverage_mean"],
                    inside[rows["lower"].notna()].groupby(
                        [rows["series"], rows["fold"]]).mean().mean())
    with pytest.raises(RuntimeError, match="fold 0: ValueError: bad interval"):
        compare({"band": BrokenBand(message="bad interval", minimum=40)}, panel[["s2"]], cv,
                baselines=False)


def test_worker_count_follows_the_joblib_convention():
    from tsforecast.evaluation.executors import _n_workers

    cores = os.cpu_count() or 1
    assert _n_workers(3) == 3
    assert _n_workers(-1) == cores
    assert _n_workers(-2) == max(1, cores - 1)


def test_long_panel_with_other_column_names(panel, cv, serial):
    from tsforecast.forecasting.layout import LongPanel

    long = (panel.rename_axis("month").reset_index()
            .melt("month", var_name="shop", value_name="units").dropna())
    long["price"] = 1.0
    data = LongPanel(long, id_col="shop", time_col="month", target="units")
    with pytest.warns(UserWarning, match=r"compare uses no covariates: the column\(s\) \['price'\]"):
        result = compare({"naive": Naive(), "drift": Drift()}, data, cv)
    pd.testing.assert_frame_equal(
        _without_timings(result.leaderboard), _without_timings(serial.leaderboard)
    )

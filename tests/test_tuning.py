import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from tsforecast.evaluation import RollingOriginSplit, TuningResult, tune
from tsforecast.forecasting import BaseForecaster
from tsforecast.statistical import SeasonalNaive


class ShiftedLast(BaseForecaster):
    """Last value plus ``shift``: on a series with slope 2 the best one-step shift is 2."""

    _tags = {"capability:pred_int": False}

    def __init__(self, shift=0.0):
        self.shift = shift

    def _fit(self, y, X=None):
        self.last_ = float(y[-1])

    def _predict(self, horizon, X=None):
        return self.last_ + self.shift * np.arange(1, horizon + 1)


@pytest.fixture
def seasonal():
    t = np.arange(72)
    index = pd.date_range("2000-01-01", periods=72, freq="MS")
    return pd.Series(50 + 0.2 * t + 10 * np.sin(2 * np.pi * t / 12), index=index, name="y")


@pytest.fixture
def cv():
    return RollingOriginSplit(n_folds=3, horizon=6)


def test_grid_search_picks_the_true_season_and_refits_on_all_data(seasonal, cv):
    result = tune(SeasonalNaive(), {"season_length": [1, 4, 12]}, seasonal, cv, metric="mae")
    assert isinstance(result, TuningResult)
    assert result.best_params_ == {"season_length": 12}
    table = result.cv_results_
    assert table["param_season_length"].tolist() == [1, 4, 12]
    assert table["rank_mae"].tolist()[2] == 1
    assert_allclose(result.best_score_, table["mean_mae"].min())
    assert_allclose(
        table[["split0_mae", "split1_mae", "split2_mae"]].mean(axis=1), table["mean_mae"]
    )
    assert result.best_forecaster_.season_length == 12
    assert result.best_forecaster_.cutoff_ == seasonal.index[-1]


def test_backtest_scores_match_a_manual_rolling_origin_computation(cv):
    y = pd.Series(2.0 * np.arange(40), name="line")
    result = tune(ShiftedLast(), {"shift": [0.0, 1.0, 2.0]}, y, cv, metric="mae", refit=False)
    assert result.best_params_ == {"shift": 2.0}
    assert result.best_forecaster_ is None
    # shift s misses by (2 - s) * k at step k: mean over k = 1..6 is 3.5 * (2 - s)
    assert_allclose(result.cv_results_["mean_mae"], [7.0, 3.5, 0.0], atol=1e-12)


def test_progress_of_the_search_is_reported_through_a_callback(cv):
    calls = []
    y = pd.Series(2.0 * np.arange(40), name="line")
    tune(ShiftedLast(), {"shift": [0.0, 1.0]}, y, cv, metric="mae", refit=False,
         progress=lambda done, total: calls.append((done, total)))
    assert calls == [(done, 6) for done in range(7)]  # 2 candidates x 3 folds


def test_random_search_is_reproducible_and_on_a_panel(seasonal, cv):
    panel = pd.DataFrame({"a": seasonal, "b": 2 * seasonal})
    grid = {"season_length": [1, 2, 3, 4, 6, 12]}
    first = tune(SeasonalNaive(), grid, panel, cv, n_iter=4, random_state=0)
    again = tune(SeasonalNaive(), grid, panel, cv, n_iter=4, random_state=0)
    assert len(first.cv_results_) == 4
    assert first.cv_results_["params"].tolist() == again.cv_results_["params"].tolist()
    assert first.comparison_.leaderboard["n_series"].eq(2).all()
    best = first.cv_results_.loc[first.cv_results_["mean_mase"].idxmin(), "params"]
    assert first.best_params_ == best
    keyword = tune(
        SeasonalNaive(), y=panel, cv=cv, param_distributions=grid, n_iter=4, random_state=0
    )
    assert keyword.cv_results_["params"].tolist() == first.cv_results_["params"].tolist()


def test_tune_in_parallel_matches_serial(seasonal, cv):
    grid = {"season_length": [1, 12]}
    serial = tune(SeasonalNaive(), grid, seasonal, cv)
    parallel = tune(SeasonalNaive(), grid, seasonal, cv, n_jobs=2)
    assert_allclose(serial.cv_results_["mean_mase"], parallel.cv_results_["mean_mase"])


@pytest.mark.parametrize(
    ("grid", "kwargs", "message"),
    [
        ({"units": [4, 8]}, {}, r"no parameter\(s\) \['units'\]"),
        ({"season_length": [12]}, {"metric": "coverage"}, "interval_score"),
        ({"season_length": [12]}, {"n_iter": 0}, "`n_iter`=0"),
        ({"season_length": [12]}, {"param_distributions": {"season_length": [1]}}, "exactly one"),
    ],
)
def test_invalid_searches_raise_clear_errors(seasonal, cv, grid, kwargs, message):
    with pytest.raises(ValueError, match=message):
        tune(SeasonalNaive(), grid, seasonal, cv, **kwargs)


def test_a_panel_with_ragged_ends_is_tuned_without_refit(cv):
    t = np.arange(48.0)
    index = pd.date_range("2000-01-01", periods=48, freq="MS")
    panel = pd.DataFrame({"a": 2 * t, "b": 3 + 2 * t}, index=index)
    panel.iloc[-5:, 1] = np.nan  # b ends five months early
    result = tune(ShiftedLast(), {"shift": [0.0, 2.0]}, panel, cv, metric="mae", refit=False)
    assert result.best_params_ == {"shift": 2.0}
    assert_allclose(result.best_score_, 0.0, atol=1e-12)
    assert set(result.comparison_.scores["series"]) == {"a", "b"}
    # refitted on the ragged panel, each series is forecast from its own end
    refitted = tune(ShiftedLast(), {"shift": [0.0, 2.0]}, panel, cv, metric="mae")
    forecast = refitted.best_forecaster_.predict(2)
    assert_allclose(forecast["b"].dropna(), [3 + 2 * 42 + 2, 3 + 2 * 42 + 4])
    assert list(forecast["b"].dropna().index) == list(index[43:45])
    assert_allclose(forecast["a"].dropna(), [2 * 47 + 2, 2 * 47 + 4])


def test_tune_on_long_data_refits_a_forecaster_that_forecasts_long(seasonal, cv):
    long = pd.DataFrame({"unique_id": "s", "ds": seasonal.index, "y": seasonal.to_numpy()})
    result = tune(SeasonalNaive(), {"season_length": [1, 12]}, long, cv, metric="mae")
    assert result.best_params_ == {"season_length": 12}
    forecast = result.best_forecaster_.predict(2)
    assert list(forecast.columns) == ["unique_id", "ds", "y"]
    assert_allclose(forecast["y"], seasonal.iloc[-12:-10])

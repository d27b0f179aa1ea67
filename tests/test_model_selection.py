import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score

from tsforecast.evaluation import BACKTEST_COLUMNS, RollingOriginSplit, backtest
from tsforecast.forecasting import BaseForecaster, IntervalUnavailableError
from tsforecast.windowing import make_windows


class MeanOfTraining(BaseForecaster):
    """Forecasts the training mean: reveals exactly which values each fold was fitted on."""

    _tags = {"capability:pred_int": False}

    def __init__(self, shift=0.0):
        self.shift = shift

    def _fit(self, y, X=None):
        self.mean_ = float(np.mean(y)) + self.shift
        self.n_train_ = len(y)

    def _predict(self, horizon, X=None):
        return np.full(horizon, self.mean_)


class LastValueWithBand(BaseForecaster):
    """Naive forecast with a fixed interval of +-``width``."""

    def __init__(self, width=1.0):
        self.width = width

    def _fit(self, y, X=None):
        self.last_ = float(y[-1])

    def _predict(self, horizon, X=None):
        return np.full(horizon, self.last_)

    def _predict_interval(self, horizon, coverage, X=None):
        point = self._predict(horizon)
        return point, point - self.width, point + self.width


class GlobalLastValue(BaseForecaster):
    """A global forecaster: one fit on the whole panel, last value of each column."""

    _tags = {"capability:global": True, "capability:pred_int": False}

    def _fit(self, y, X=None):
        self.last_ = y.ffill().iloc[-1].to_numpy(dtype=float)

    def _predict(self, horizon, X=None):
        return np.tile(self.last_, (horizon, 1))


class EchoExogenous(BaseForecaster):
    """Forecasts the future values of the first exogenous column."""

    _tags = {"capability:pred_int": False, "capability:exogenous": True}

    def _fit(self, y, X=None):
        self.n_exog_rows_ = len(X)

    def _predict(self, horizon, X=None):
        return X.iloc[:horizon, 0].to_numpy()


@pytest.fixture
def monthly():
    index = pd.date_range("2000-01-01", periods=30, freq="MS")
    return pd.Series(np.arange(30.0) ** 1.5, index=index, name="sales")


def _splits(cv, n):
    return [(train.tolist(), test.tolist()) for train, test in cv.split(np.arange(n))]


# ------------------------------------------------------------------ splitter
def test_expanding_indices_are_anchored_at_the_end():
    assert _splits(RollingOriginSplit(n_folds=3, horizon=2), 10) == [
        (list(range(4)), [4, 5]),
        (list(range(6)), [6, 7]),
        (list(range(8)), [8, 9]),
    ]


def test_step_smaller_than_horizon_gives_overlapping_tests():
    assert _splits(RollingOriginSplit(n_folds=3, horizon=3, step=1), 8) == [
        ([0, 1, 2], [3, 4, 5]),
        ([0, 1, 2, 3], [4, 5, 6]),
        ([0, 1, 2, 3, 4], [5, 6, 7]),
    ]


def test_sliding_window_keeps_the_training_length():
    assert _splits(RollingOriginSplit(n_folds=2, horizon=2, window="sliding"), 9) == [
        ([0, 1, 2, 3, 4], [5, 6]),
        ([2, 3, 4, 5, 6], [7, 8]),
    ]
    assert _splits(RollingOriginSplit(n_folds=2, horizon=2, window="sliding", initial=3), 9) == [
        ([2, 3, 4], [5, 6]),
        ([4, 5, 6], [7, 8]),
    ]


def test_n_folds_none_makes_every_fold_that_fits():
    cv = RollingOriginSplit(n_folds=None, horizon=2, initial=3)
    assert _splits(cv, 10) == [
        ([0, 1, 2, 3], [4, 5]),
        ([0, 1, 2, 3, 4, 5], [6, 7]),
        ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9]),
    ]
    assert cv.get_n_splits(np.arange(10)) == 3
    assert RollingOriginSplit(n_folds=4).get_n_splits() == 4


def test_gap_leaves_positions_out_between_train_and_test():
    assert _splits(RollingOriginSplit(n_folds=2, horizon=2, gap=1), 9) == [
        ([0, 1, 2, 3], [5, 6]),
        ([0, 1, 2, 3, 4, 5], [7, 8]),
    ]


@pytest.mark.parametrize(
    ("params", "n", "message"),
    [
        ({"n_folds": 5, "horizon": 3}, 10, "too few"),
        ({"n_folds": 2, "horizon": 2, "initial": 8}, 10, "initial=8"),
        ({"n_folds": None}, 10, "needs `initial`"),
        ({"window": "rolling"}, 100, "'expanding'"),
        ({"horizon": 0}, 100, "`horizon`=0"),
        ({"gap": -1}, 100, "`gap`=-1"),
    ],
)
def test_invalid_settings_raise_a_clear_error(params, n, message):
    with pytest.raises(ValueError, match=message):
        list(RollingOriginSplit(**params).split(np.arange(n)))


def test_get_n_splits_needs_data_when_folds_are_open():
    with pytest.raises(ValueError, match="get_n_splits"):
        RollingOriginSplit(n_folds=None, initial=5).get_n_splits()


def test_sklearn_splitter_over_window_rows_with_gap_has_no_target_overlap():
    window, horizon = 8, 3
    y = np.sin(np.arange(120) / 4.0)
    X, Y = make_windows(y, window, horizon)
    cv = RollingOriginSplit(n_folds=3, horizon=10, gap=horizon - 1)
    for train, test in cv.split(X):
        last_train_target = train[-1] + window + horizon - 1
        first_test_target = test[0] + window
        assert last_train_target < first_test_target
    scores = cross_val_score(Ridge(), X, Y, cv=cv)
    assert scores.shape == (3,)
    search = GridSearchCV(Ridge(), {"alpha": [0.01, 100.0]}, cv=cv).fit(X, Y)
    assert search.best_params_ == {"alpha": 0.01}
    assert "gap=2" in repr(cv)


# ------------------------------------------------------------------ backtest
def test_backtest_tidy_columns_fold_count_and_values(monthly):
    cv = RollingOriginSplit(n_folds=3, horizon=4)
    table = backtest(LastValueWithBand(), monthly, cv)
    assert tuple(table.columns) == BACKTEST_COLUMNS
    assert len(table) == 12
    assert table["fold"].tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert table["step"].tolist() == [1, 2, 3, 4] * 3
    assert (table["series"] == "sales").all()
    assert table["cutoff"].unique().tolist() == list(monthly.index[[17, 21, 25]])
    assert_allclose(table["actual"], monthly.to_numpy()[18:])
    assert_allclose(table["forecast"], np.repeat(monthly.to_numpy()[[17, 21, 25]], 4))
    assert_allclose(table["upper"] - table["lower"], 2.0)
    assert (table["fit_seconds"] >= 0).all() and (table["predict_ms"] >= 0).all()
    assert table.groupby("fold")["fit_seconds"].nunique().eq(1).all()


def test_backtest_refits_a_clone_on_training_data_only(monthly):
    forecaster = MeanOfTraining()
    cv = RollingOriginSplit(n_folds=2, horizon=5, window="sliding", initial=10)
    table = backtest(forecaster, monthly, cv, coverage=0.8)
    values = monthly.to_numpy()
    assert_allclose(table["forecast"], np.repeat([values[10:20].mean(), values[15:25].mean()], 5))
    assert table["lower"].isna().all() and table["upper"].isna().all()
    assert not hasattr(forecaster, "mean_")


def test_backtest_with_gap_reports_lead_times(monthly):
    table = backtest(LastValueWithBand(), monthly, RollingOriginSplit(n_folds=1, horizon=2, gap=3))
    assert table["step"].tolist() == [4, 5]
    assert_allclose(table["forecast"], monthly.iloc[24])
    assert_allclose(table["actual"], monthly.iloc[28:].to_numpy())


def test_backtest_wide_frame_splits_each_series_on_its_own_length(monthly):
    panel = pd.DataFrame({"long": monthly, "short": monthly * 2})
    panel.iloc[:10, 1] = np.nan
    table = backtest(MeanOfTraining(), panel, RollingOriginSplit(n_folds=2, horizon=3))
    short = table[table["series"] == "short"]
    assert len(table) == 12 and len(short) == 6
    assert_allclose(short["forecast"].iloc[0], 2 * monthly.iloc[10:24].mean())
    assert short["cutoff"].unique().tolist() == list(monthly.index[[23, 26]])


def test_backtest_global_forecaster_fits_the_panel_once_per_fold(monthly):
    panel = pd.DataFrame({"a": monthly, "b": -monthly})
    table = backtest(GlobalLastValue(), panel, RollingOriginSplit(n_folds=2, horizon=3))
    assert len(table) == 12
    b = table[table["series"] == "b"]
    assert_allclose(b["forecast"], np.repeat(-monthly.to_numpy()[[23, 26]], 3))
    assert_allclose(b["actual"], -monthly.to_numpy()[24:])


def test_backtest_in_threads_equals_the_serial_backtest(monthly):
    from tsforecast.forecasting import LSTMForecaster

    network = LSTMForecaster(window=6, horizon=3, units=(4,), epochs=3, dropout=0.1,
                             conformal=False, random_state=0)
    panel = pd.DataFrame({"a": monthly, "b": monthly[::-1].to_numpy()}, index=monthly.index)
    cv = RollingOriginSplit(n_folds=3, horizon=3)
    serial = backtest(network, panel, cv, coverage=None)
    threaded = backtest(network, panel, cv, coverage=None, n_jobs=2)
    columns = ["series", "fold", "cutoff", "step", "actual", "forecast"]
    pd.testing.assert_frame_equal(threaded[columns], serial[columns])
    assert serial["forecast"].nunique() > 3
    panel_global = backtest(GlobalLastValue(), panel, cv, n_jobs=2)
    pd.testing.assert_frame_equal(
        panel_global.drop(columns=["fit_seconds", "predict_ms"]),
        backtest(GlobalLastValue(), panel, cv).drop(columns=["fit_seconds", "predict_ms"]),
    )


def test_backtest_passes_aligned_exogenous_rows(monthly):
    X = pd.DataFrame({"x": np.arange(100.0, 130.0)}, index=monthly.index)
    table = backtest(EchoExogenous(), monthly, RollingOriginSplit(n_folds=2, horizon=3, gap=1), X=X)
    # fold 0 trains on positions 0-22 and forecasts 24-26 (lead times 2-4)
    assert table["step"].tolist() == [2, 3, 4] * 2
    assert_allclose(table["forecast"], np.arange(124.0, 130.0))


def test_backtest_rejects_splitters_that_look_ahead(monthly):
    from sklearn.model_selection import KFold

    with pytest.raises(ValueError, match="after the cutoff"):
        backtest(MeanOfTraining(), monthly, KFold(3))


class BandOnLongSeries(BaseForecaster):
    """Naive forecast whose +-1 interval needs ``minimum`` training values (like conformal
    calibration)."""

    def __init__(self, message="BandOnLongSeries has no calibration residuals: too short",
                 minimum=30):
        self.message = message
        self.minimum = minimum

    def _fit(self, y, X=None):
        self.last_ = float(y[-1])
        self.n_train_ = len(y)

    def _predict(self, horizon, X=None):
        return np.full(horizon, self.last_)

    def _predict_interval(self, horizon, coverage, X=None):
        if self.n_train_ < self.minimum:
            raise IntervalUnavailableError(self.message)
        point = self._predict(horizon)
        return point, point - 1.0, point + 1.0


class BrokenBand(BandOnLongSeries):
    """Its interval fails with an ordinary error, which must not be hidden."""

    def _predict_interval(self, horizon, coverage, X=None):
        raise ValueError(self.message)


def test_a_fold_too_short_for_an_interval_keeps_its_point_forecast():
    from tsforecast.evaluation import IntervalUnavailableWarning

    y = pd.Series(np.arange(40.0))
    cv = RollingOriginSplit(n_folds=3, horizon=5)  # training sets of 25, 30 and 35 values
    with pytest.warns(IntervalUnavailableWarning, match="no calibration residuals"):
        table = backtest(BandOnLongSeries(), y, cv)
    first, later = table[table["fold"] == 0], table[table["fold"] > 0]
    assert_allclose(first["forecast"], 24.0)
    assert first[["lower", "upper"]].isna().all().all()
    assert_allclose(later["upper"] - later["lower"], 2.0)


def test_other_interval_errors_are_raised():
    y = pd.Series(np.arange(40.0))
    cv = RollingOriginSplit(n_folds=3, horizon=5)
    with pytest.raises(ValueError, match="lower exceeds upper"):
        backtest(BrokenBand(message="lower exceeds upper"), y, cv)


def test_a_panel_with_ragged_ends_is_backtested_on_each_series_span():
    index = pd.date_range("2000-01", periods=30, freq="MS")
    panel = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) + 100}, index=index)
    panel.iloc[:4, 1] = np.nan
    panel.iloc[-6:, 1] = np.nan  # b starts late and ends early
    table = backtest(MeanOfTraining(), panel, RollingOriginSplit(n_folds=2, horizon=3))
    b = table[table["series"] == "b"]
    assert b["cutoff"].unique().tolist() == [index[17], index[20]]  # last test value: b's end
    assert_allclose(b["forecast"], [np.mean(np.arange(4.0, 18.0)) + 100] * 3
                    + [np.mean(np.arange(4.0, 21.0)) + 100] * 3)
    gap = panel.copy()
    gap.iloc[10, 1] = np.nan
    with pytest.raises(ValueError, match="series 'b' has 1 missing"):
        backtest(MeanOfTraining(), gap, RollingOriginSplit(n_folds=2, horizon=3))


def test_backtest_accepts_long_data_with_its_own_column_names(monthly):
    from tsforecast.forecasting.layout import LongPanel

    panel = pd.DataFrame({"a": monthly, "b": monthly * 2})
    panel.iloc[:5, 1] = np.nan
    long = (panel.rename_axis("date").reset_index()
            .melt("date", var_name="store", value_name="sales").dropna())
    cv = RollingOriginSplit(n_folds=2, horizon=3)
    wide = backtest(LastValueWithBand(), panel, cv).drop(columns=["fit_seconds", "predict_ms"])
    from_long = backtest(LastValueWithBand(), LongPanel(long, id_col="store", time_col="date",
                                                        target="sales"), cv)
    pd.testing.assert_frame_equal(from_long.drop(columns=["fit_seconds", "predict_ms"]), wide)


def test_backtest_passes_each_series_its_own_covariates(monthly):
    panel = pd.DataFrame({"a": monthly, "b": monthly + 1})
    X = {"a": pd.DataFrame({"x": np.arange(100.0, 130.0)}, index=monthly.index),
         "b": pd.DataFrame({"x": np.arange(200.0, 230.0)}, index=monthly.index)}
    table = backtest(EchoExogenous(), panel, RollingOriginSplit(n_folds=1, horizon=2), X=X)
    assert_allclose(table.loc[table["series"] == "a", "forecast"], [128.0, 129.0])
    assert_allclose(table.loc[table["series"] == "b", "forecast"], [228.0, 229.0])
    # long data: the covariates are its other columns
    long = panel.rename_axis("ds").reset_index().melt("ds", var_name="unique_id", value_name="y")
    long["x"] = np.r_[X["a"]["x"].to_numpy(), X["b"]["x"].to_numpy()]
    pd.testing.assert_frame_equal(
        backtest(EchoExogenous(), long, RollingOriginSplit(n_folds=1, horizon=2))[["forecast"]],
        table[["forecast"]],
    )

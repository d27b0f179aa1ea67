"""Data as users hold it: long panels, periods, ragged ends, horizons, levels, calendars."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.stats import norm
from sklearn.linear_model import LinearRegression, Ridge

from tsforecast.forecasting import TransformedForecaster, WindowForecaster
from tsforecast.forecasting.calendar import CalendarFeatures
from tsforecast.forecasting.horizons import forecast_steps
from tsforecast.forecasting.layout import LongPanel, to_long, to_wide
from tsforecast.statistical import Naive, SeasonalNaive
from tsforecast.validation import InputError


def pattern(n, start=0):
    """y[t] = t + (0, 5, -3)[t % 3]: exactly linear in the previous three values."""
    t = np.arange(start, start + n, dtype=float)
    return t + np.array([0.0, 5.0, -3.0])[t.astype(int) % 3]


@pytest.fixture
def monthly():
    return pd.Series(pattern(48), index=pd.date_range("2000-01-01", periods=48, freq="MS"),
                     name="sales")


@pytest.fixture
def wide(monthly):
    frame = pd.DataFrame({"a": monthly.to_numpy(), "b": 10 + 2 * monthly.to_numpy()},
                         index=monthly.index)
    frame.iloc[:6, 1] = np.nan  # b starts half a year later
    return frame


@pytest.fixture
def long(wide):
    frame = wide.rename_axis("ds").reset_index().melt("ds", var_name="unique_id", value_name="y")
    return frame.dropna().sample(frac=1.0, random_state=0)[["unique_id", "ds", "y"]]


def window_model(**kwargs):
    params = {"window": 6, "horizon": 4, "conformal": False}
    params.update(kwargs)
    return WindowForecaster(LinearRegression(), **params)


# ------------------------------------------------------------------ long panels
@pytest.mark.parametrize("make", [Naive, lambda: SeasonalNaive(season_length=3),
                                  lambda: window_model(global_model=True), window_model])
def test_long_data_fits_every_forecaster_and_comes_back_long(make, wide, long):
    # the report: "series 'unique_id' has non-numeric dtype; convert it with to_numeric"
    forecast = make().fit(long).predict(3)
    assert list(forecast.columns) == ["unique_id", "ds", "y"]
    expected = make().fit(wide).predict(3)
    assert forecast["unique_id"].tolist() == ["a"] * 3 + ["b"] * 3
    assert forecast["ds"].tolist() == list(expected.index) * 2
    assert_allclose(forecast["y"], expected.to_numpy().T.ravel())


def test_long_panel_names_its_columns_and_keeps_them(wide, long):
    renamed = long.rename(columns={"unique_id": "store", "ds": "date", "y": "sales"})
    data = LongPanel(renamed, id_col="store", time_col="date", target="sales")
    f = window_model(global_model=True).fit(data)
    assert list(f.predict(2).columns) == ["store", "date", "sales"]
    interval = window_model(global_model=True, conformal=True, n_calibration=2).fit(data)
    table = interval.predict_interval(2, coverage=[0.8, 0.95])
    assert list(table.columns) == ["store", "date", "forecast", "lower_80", "upper_80",
                                   "lower_95", "upper_95"]
    quantiles = interval.predict_quantiles(2, [0.1, 0.5])
    assert list(quantiles.columns) == ["store", "date", "q0.1", "q0.5"]
    assert_allclose(quantiles["q0.5"], table["forecast"])
    assert_allclose(to_wide(data).to_numpy(), wide.to_numpy())


def test_long_data_with_other_names_points_to_long_panel(long):
    renamed = long.rename(columns={"unique_id": "store", "ds": "date", "y": "sales"})
    with pytest.raises(TypeError, match=r"long data: pass it as LongPanel\(data, id_col="):
        Naive().fit(renamed)
    with pytest.raises(ValueError, match="Pass `id_col=`"):
        LongPanel(renamed)


def test_ragged_and_misaligned_series_are_forecast_from_their_own_ends(wide, long):
    ragged = long[~((long["unique_id"] == "b") & (long["ds"] > "2003-06-01"))]
    for model in (Naive(), window_model(global_model=True), window_model()):
        forecast = model.fit(ragged).predict(2)
        b = forecast[forecast["unique_id"] == "b"]
        assert b["ds"].tolist() == list(pd.to_datetime(["2003-07-01", "2003-08-01"]))
        a = forecast[forecast["unique_id"] == "a"]
        assert a["ds"].tolist() == list(pd.to_datetime(["2004-01-01", "2004-02-01"]))
    exact = window_model(global_model=True, normalize="window").fit(ragged).predict(2)
    assert_allclose(exact.loc[exact["unique_id"] == "b", "y"], 10 + 2 * pattern(2, start=42),
                    atol=1e-6)
    # in the wide layout: one row per future timestamp of any series, NaN elsewhere
    frame = wide.copy()
    frame.loc["2003-07-01":, "b"] = np.nan
    table = Naive().fit(frame).predict(2)
    assert table.shape == (4, 2) and table["b"].notna().sum() == 2
    interval = window_model(global_model=True, conformal=True, n_calibration=2).fit(frame)
    assert interval.predict_interval(2).shape == (4, 6)


def test_to_long_and_to_wide_round_trip(wide):
    long = to_long(wide, id_col="id", time_col="t", target="v")
    assert list(long.columns) == ["id", "t", "v"] and len(long) == wide.notna().sum().sum()
    assert_allclose(to_wide(long, id_col="id", time_col="t", target="v").to_numpy(),
                    wide.to_numpy())


# --------------------------------------------------------------------- periods
@pytest.mark.parametrize("freq", ["M", "Q", "D"])
def test_period_index_in_gives_period_index_out(freq):
    index = pd.period_range("2000-01", periods=36, freq=freq)
    y = pd.Series(pattern(36), index=index, name="y")
    for model in (Naive(), window_model(conformal=True, n_calibration=2),
                  TransformedForecaster("standard", window_model())):
        model.fit(y)
        outputs = [model.predict(3)]
        if model.get_tag("capability:pred_int"):
            outputs += [model.predict_interval(3), model.predict_quantiles(3)]
        for output in outputs:
            assert isinstance(output.index, pd.PeriodIndex)
            assert output.index.freqstr == index.freqstr
            assert list(output.index) == list(pd.period_range(index[-1] + 1, periods=3,
                                                              freq=freq))
    chosen = Naive().fit(y).predict(pd.PeriodIndex([index[-1] + 2]))
    assert list(chosen.index) == [index[-1] + 2]


def test_long_data_with_periods_keeps_periods(long):
    periods = long.assign(ds=long["ds"].dt.to_period("M"))
    forecast = Naive().fit(periods).predict(2)
    assert isinstance(forecast["ds"].dtype, pd.PeriodDtype)


# -------------------------------------------------------------------- horizons
def test_horizon_as_steps_or_timestamps_selects_the_rows_of_the_full_forecast(monthly):
    f = window_model(conformal=True, n_calibration=2).fit(monthly)
    full = f.predict(12)
    assert_allclose(f.predict([1, 3, 12]).to_numpy(), full.iloc[[0, 2, 11]].to_numpy())
    assert list(f.predict([12, 3, 1]).index) == list(full.index[[0, 2, 11]])
    dates = pd.DatetimeIndex(["2004-02-01", "2004-06-01"])
    assert_allclose(f.predict(dates).to_numpy(), full.loc[dates].to_numpy())
    assert_allclose(f.predict(["2004-02-01"]).to_numpy(), full.iloc[[1]].to_numpy())
    assert list(f.predict(pd.Timestamp("2004-03-01")).index) == [pd.Timestamp("2004-03-01")]
    interval = f.predict_interval([2, 4])
    assert_allclose(interval.to_numpy(), f.predict_interval(4).iloc[[1, 3]].to_numpy())


@pytest.mark.parametrize(
    ("horizon", "match"),
    [
        ([0, 1], "positive integer steps"),
        ([], "empty"),
        ([1, "2004-01-01"], "not a mix"),
        (["2003-12-01"], "not after the cutoff"),
        (["2004-01-15"], "not on the 'MS' grid"),
        ("soon", "could not be read as dates"),
    ],
)
def test_bad_horizons_say_what_to_pass(horizon, match, monthly):
    with pytest.raises(InputError, match=match):
        Naive().fit(monthly).predict(horizon)


def test_timestamps_need_a_time_index():
    with pytest.raises(ValueError, match="integer positions"):
        Naive().fit(np.arange(10.0)).predict(["2020-01-01"])
    assert forecast_steps(np.array([2, 1]), cutoff=9, freq=None).tolist() == [1, 2]


# ------------------------------------------------------ intervals and quantiles
def test_several_coverages_at_once_match_one_at_a_time(monthly):
    f = window_model(conformal=True, n_calibration=3).fit(monthly + np.sin(np.arange(48)))
    table = f.predict_interval(4, coverage=[0.95, 0.8])
    assert list(table.columns) == ["forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
    for level in (0.8, 0.95):
        one = f.predict_interval(4, coverage=level)
        pct = f"{100 * level:g}"
        assert_allclose(table[f"lower_{pct}"], one["lower"])
        assert_allclose(table[f"upper_{pct}"], one["upper"])
    assert_allclose(table["forecast"], f.predict(4))


def test_conformal_quantiles_are_symmetric_interval_bounds(monthly):
    f = window_model(conformal=True, n_calibration=3).fit(monthly + np.sin(np.arange(48)))
    q = f.predict_quantiles(4, [0.9, 0.1, 0.5])
    assert list(q.columns) == ["q0.1", "q0.5", "q0.9"]
    interval = f.predict_interval(4, coverage=0.8)
    assert_allclose(q["q0.1"], interval["lower"])
    assert_allclose(q["q0.9"], interval["upper"])
    assert_allclose(q["q0.9"] - q["q0.5"], q["q0.5"] - q["q0.1"])
    assert_allclose(q["q0.5"], f.predict(4))


def test_statistical_quantiles_are_their_native_normal_quantiles(monthly):
    f = Naive().fit(monthly)
    q = f.predict_quantiles(3, [0.05, 0.5, 0.75])
    se = f.sigma_ * np.sqrt(np.arange(1, 4))
    assert_allclose(q["q0.05"], f.last_ + norm.ppf(0.05) * se)
    assert_allclose(q["q0.75"], f.last_ + norm.ppf(0.75) * se)
    assert_allclose(q["q0.5"], f.last_)


def test_panel_levels_and_quantiles_have_a_series_level(wide):
    f = window_model(global_model=True, conformal=True, n_calibration=2).fit(wide)
    table = f.predict_interval(2, coverage=[0.8, 0.9])
    assert table.columns.nlevels == 2 and table.shape == (2, 10)
    assert list(table["b"].columns) == ["forecast", "lower_80", "upper_80", "lower_90",
                                        "upper_90"]
    quantiles = Naive().fit(wide).predict_quantiles(2, [0.25, 0.75])
    assert list(quantiles.columns) == [("a", "q0.25"), ("a", "q0.75"), ("b", "q0.25"),
                                       ("b", "q0.75")]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"coverage": [0.8, 1.2]}, "between 0 and 1"),
    ({"coverage": []}, "empty"),
])
def test_bad_levels_are_clear_errors(kwargs, match, monthly):
    with pytest.raises(ValueError, match=match):
        Naive().fit(monthly).predict_interval(2, **kwargs)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        Naive().fit(monthly).predict_quantiles(2, [0.5, 1.0])


# --------------------------------------------------------------------- calendar
def test_calendar_features_of_monthly_data():
    index = pd.date_range("2020-01-01", periods=24, freq="MS")
    features = CalendarFeatures().fit(index)
    assert features.attributes_ == ["month"] and features.fourier_terms_ == 0
    table = features.transform(pd.date_range("2022-11-01", periods=3, freq="MS"))
    assert list(table.columns) == [f"month_{m}" for m in range(2, 13)]
    assert table.loc["2022-12-01", "month_12"] == 1 and table.loc["2023-01-01"].sum() == 0
    cyclic = CalendarFeatures(encoding="cyclic").fit(index).transform(index[:2])
    assert_allclose(cyclic["month_sin"], np.sin(2 * np.pi * np.array([1, 2]) / 12))
    periods = CalendarFeatures().fit(index.to_period("M")).transform(index[:3].to_period("M"))
    assert_allclose(periods.to_numpy(), features.transform(index[:3]).to_numpy())


def test_calendar_fourier_terms_count_periods_from_the_fit_start():
    index = pd.date_range("2020-01-05", periods=104, freq="W-SUN")
    features = CalendarFeatures().fit(index)  # weekly: Fourier terms of the 52-week year
    assert features.fourier_terms_ == 3 and features.season_length_ == 52
    later = features.transform(index[60:62])
    assert_allclose(later["fourier_sin_1"], np.sin(2 * np.pi * np.array([60, 61]) / 52))
    assert_allclose(features.transform(index[:1] - pd.Timedelta(weeks=1))["fourier_cos_2"],
                    np.cos(2 * np.pi * 2 * -1 / 52))
    positions = CalendarFeatures(fourier_terms=1, season_length=4).fit(np.arange(0, 20, 2))
    assert_allclose(positions.transform(np.array([20]))["fourier_cos_1"], [np.cos(np.pi * 5)])


@pytest.mark.parametrize(("kwargs", "index", "match"), [
    ({}, pd.date_range("2000", periods=5, freq="YS"), "no feature"),
    ({"attributes": ["season"]}, pd.date_range("2000", periods=5, freq="MS"), "Unknown"),
    ({"attributes": ["month"]}, pd.RangeIndex(5), "need timestamps"),
    ({"fourier_terms": 4, "season_length": 6}, pd.RangeIndex(8), "at least 8 periods"),
    ({"encoding": "dummy"}, pd.RangeIndex(8), "'onehot' or 'cyclic'"),
])
def test_calendar_errors_name_the_fix(kwargs, index, match):
    with pytest.raises(InputError, match=match):
        CalendarFeatures(**kwargs).fit(index)


@pytest.mark.filterwarnings("ignore::tsforecast.statistical.ConvergenceFallbackWarning")
def test_calendar_features_are_exogenous_regressors_for_arima(monthly):
    from tsforecast.statistical import ARIMA

    noise = np.random.default_rng(0).normal(0, 0.5, len(monthly))
    seasonal = pd.Series(50 + 10 * (monthly.index.month == 12) + noise, index=monthly.index)
    features = CalendarFeatures(attributes=["month"]).fit(seasonal.index)
    model = ARIMA((1, 0, 0), trend="c").fit(seasonal, X=features.transform(seasonal.index))
    future = pd.date_range("2004-01-01", periods=12, freq="MS")
    forecast = model.predict(12, X=features.transform(future))
    assert forecast.iloc[11] - forecast.iloc[10] > 5  # December is high


def test_ridge_with_calendar_learns_the_month_effect(monthly):
    effect = 10.0 * (monthly.index.month == 12)
    y = pd.Series(np.arange(48.0) + effect, index=monthly.index)
    f = WindowForecaster(Ridge(alpha=1e-6), window=3, horizon=12, calendar=True,
                         conformal=False).fit(y)
    assert f.future_covariates_ == [f"month_{m}" for m in range(2, 13)]
    assert_allclose(f.predict().to_numpy(), np.arange(48.0, 60.0) + 10.0 * (np.arange(12) == 11),
                    atol=1e-3)

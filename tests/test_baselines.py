import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.stats import norm
from sklearn.base import clone
from tsforecast.datasets import load_air_passengers

from tsforecast.evaluation import mape
from tsforecast.forecasting import IntervalUnavailableError
from tsforecast.statistical import (
    Drift,
    Mean,
    Naive,
    Naive2,
    SeasonalNaive,
    multiplicative_seasonal_indices,
    normal_quantile,
    seasonality_test,
)
from tsforecast.validation import InputValueError

Z90 = norm.ppf(0.95)


@pytest.fixture(scope="module")
def air():
    return load_air_passengers()


@pytest.fixture
def short():
    return pd.Series(
        [3.0, 5.0, 4.0, 8.0, 6.0, 9.0], index=pd.date_range("2020-01-01", periods=6, freq="D")
    )


# ------------------------------------------------------------------ point forecasts
def test_seasonal_naive_reproduces_published_mape_on_air_passengers(air):
    train, test = air.iloc[:-36], air.iloc[-36:]
    model = SeasonalNaive().fit(train)
    assert model.season_length_ == 12  # inferred from the monthly index
    forecast = model.predict(36)
    assert_allclose(forecast.to_numpy(), np.tile(train.to_numpy()[-12:], 3))
    assert forecast.index[0] == pd.Timestamp("1958-01-01")
    assert_allclose(mape(test, forecast), 0.13189, atol=5e-6)


def test_point_forecasts_match_their_definitions(short):
    y = short.to_numpy()
    assert_allclose(Naive().fit(short).predict(3), [9.0] * 3)
    assert_allclose(Mean().fit(short).predict(2), [y.mean()] * 2)
    slope = (9.0 - 3.0) / 5
    assert_allclose(Drift().fit(short).predict(3), 9.0 + slope * np.arange(1, 4))
    assert_allclose(SeasonalNaive(season_length=4).fit(short).predict(6), [4, 8, 6, 9, 4, 8])


def test_season_length_is_inferred_from_the_index_frequency(short):
    quarterly = pd.Series(np.arange(12.0), index=pd.date_range("2000", periods=12, freq="QS"))
    assert SeasonalNaive().fit(quarterly).season_length_ == 4
    assert Naive2().fit(quarterly).season_length_ == 4
    assert SeasonalNaive().fit(np.arange(5.0)).season_length_ == 1  # no frequency: naive
    weekly = pd.Series(np.arange(60.0), index=pd.date_range("2000", periods=60, freq="W-SUN"))
    assert SeasonalNaive().fit(weekly).season_length_ == 52


def test_daily_series_uses_weekly_season_and_needs_a_full_season(short):
    with pytest.raises(InputValueError, match="at least one full season"):
        SeasonalNaive().fit(short)  # daily data: season length 7 > 6 values


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "12"])
def test_bad_season_length_is_a_clear_error(short, bad):
    with pytest.raises(InputValueError, match=r"`season_length`=.* must be a positive integer"):
        SeasonalNaive(season_length=bad).fit(short)


# ------------------------------------------------------------------------ intervals
def test_normal_quantile_is_the_two_sided_quantile():
    assert normal_quantile(0.9) == pytest.approx(Z90)
    assert normal_quantile(0.95) == pytest.approx(1.959964, abs=1e-6)


def test_naive_and_seasonal_naive_intervals_follow_fpp3(short):
    y = short.to_numpy()
    sigma = np.sqrt(np.mean(np.diff(y) ** 2))
    interval = Naive().fit(short).predict_interval(4, coverage=0.9)
    assert_allclose(interval["upper"] - interval["forecast"], Z90 * sigma * np.sqrt([1, 2, 3, 4]))
    sigma_s = np.sqrt(np.mean((y[2:] - y[:-2]) ** 2))
    interval = SeasonalNaive(season_length=2).fit(short).predict_interval(5, coverage=0.9)
    k = np.array([0, 0, 1, 1, 2])
    assert_allclose(interval["forecast"] - interval["lower"], Z90 * sigma_s * np.sqrt(k + 1))


def test_drift_and_mean_intervals_follow_fpp3(short):
    y, T = short.to_numpy(), len(short)
    sigma = np.diff(y).std(ddof=1)
    h = np.arange(1, 4)
    interval = Drift().fit(short).predict_interval(3, coverage=0.9)
    se = sigma * np.sqrt(h * (1 + h / (T - 1)))
    assert_allclose(interval["upper"] - interval["forecast"], Z90 * se)
    interval = Mean().fit(short).predict_interval(3, coverage=0.9)
    se = y.std(ddof=1) * np.sqrt(1 + 1 / T)
    assert_allclose(interval["upper"] - interval["forecast"], Z90 * se)


@pytest.mark.parametrize("model", [Naive(), SeasonalNaive(), Drift(), Mean(), Naive2()])
def test_intervals_contain_the_forecast_and_widen_with_coverage(air, model):
    model = clone(model).fit(air)
    narrow = model.predict_interval(24, coverage=0.5)
    wide = model.predict_interval(24, coverage=0.95)
    assert_allclose(narrow["forecast"], model.predict(24))
    assert (narrow["lower"] < narrow["forecast"]).all()
    assert (narrow["forecast"] < narrow["upper"]).all()
    assert (wide["lower"] < narrow["lower"]).all() and (wide["upper"] > narrow["upper"]).all()
    assert list(wide.index) == list(pd.date_range("1961-01-01", periods=24, freq="MS"))


def test_interval_needs_enough_data_for_a_variance():
    model = Drift().fit(pd.Series([1.0, 2.0]))
    assert_allclose(model.predict(2), [3.0, 4.0])
    with pytest.raises(IntervalUnavailableError, match="longer series"):
        model.predict_interval(2)


# -------------------------------------------------------------------------- naive 2
def test_seasonality_test_matches_m4_definition(air):
    y = air.to_numpy()
    assert seasonality_test(y, 12)
    assert not seasonality_test(y[:30], 12)  # fewer than three seasons
    assert not seasonality_test(np.ones(50), 12)
    noise = np.random.default_rng(0).normal(size=120)
    assert not seasonality_test(noise, 12)


def test_multiplicative_indices_match_statsmodels_classical_decomposition(air):
    from statsmodels.tsa.seasonal import seasonal_decompose

    train = air.iloc[:-36]
    expected = seasonal_decompose(train, model="multiplicative", period=12).seasonal
    indices = multiplicative_seasonal_indices(train.to_numpy(), 12)
    assert_allclose(indices, expected[:12], rtol=1e-10)
    odd = multiplicative_seasonal_indices(train.to_numpy()[:105], 7)
    expected_odd = seasonal_decompose(
        train.to_numpy()[:105], model="multiplicative", period=7
    ).seasonal
    assert_allclose(odd, expected_odd[:7], rtol=1e-10)


def test_naive2_adjusts_seasonal_series_and_reseasonalises(air):
    train = air.iloc[:-36]
    model = Naive2().fit(train)
    assert model.seasonal_
    indices = model.seasonal_indices_
    assert_allclose(indices.mean(), 1.0)
    adjusted_last = train.iloc[-1] / indices[(len(train) - 1) % 12]
    assert_allclose(model.predict(13), adjusted_last * np.resize(indices, 13))
    test = air.iloc[-36:]
    assert mape(test, model.predict(36)) < mape(test, Naive().fit(train).predict(36))


def test_naive2_is_naive_without_seasonality(short):
    rng = np.random.default_rng(1)
    noise = pd.Series(100 + rng.normal(size=60), index=pd.date_range("2000", periods=60, freq="MS"))
    model = Naive2().fit(noise)
    assert not model.seasonal_
    assert_allclose(model.predict(5), [noise.iloc[-1]] * 5)
    assert_allclose(model.predict_interval(5), Naive().fit(noise).predict_interval(5))
    negative = noise - 200  # multiplicative adjustment is meaningless: plain naive
    assert not Naive2(season_length=12).fit(negative).seasonal_


# ------------------------------------------------------------------ many series / state
def test_wide_frame_fits_one_model_per_column(air):
    frame = pd.DataFrame({"a": air, "b": 2 * air})
    forecast = SeasonalNaive().fit(frame).predict(12)
    assert_allclose(forecast["b"], 2 * forecast["a"])
    interval = Naive().fit(frame).predict_interval(3)
    assert interval.columns.nlevels == 2


@pytest.mark.parametrize("model", [Naive(), SeasonalNaive(), Drift(), Mean(), Naive2()])
def test_fitted_state_is_plain_and_restores_the_forecast(air, model):
    model = clone(model).fit(air)
    state = {k: v for k, v in vars(model).items() if k.endswith("_") and not k.startswith("_")}
    allowed = (type(None), bool, int, float, str, list, tuple, dict, np.ndarray, pd.Timestamp)
    assert all(isinstance(v, allowed) for v in state.values()), state
    restored = type(model)(**model.get_params())
    for key, value in state.items():
        setattr(restored, key, value)
    assert_allclose(restored.predict_interval(12), model.predict_interval(12))

import pickle

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.signal import lfilter
from sklearn.base import clone
from tsforecast.datasets import load_air_passengers, load_taylor

from tsforecast.defaults import make_forecaster
from tsforecast.evaluation import mase
from tsforecast.statistical import (
    ARIMA,
    ETS,
    MSTL,
    AutoARIMA,
    SeasonalNaive,
    Theta,
    detect_seasonal_periods,
    estimate_memory,
    fit_window,
    seasonal_period_strengths,
)
from tsforecast.statistical.css import ArimaSpec, css_forecast, fit_css
from tsforecast.statistical.memory import sarimax_state_dimension
from tsforecast.validation import InputValueError

WEEK = 168


def hourly(n, *, daily=True, weekly=True, seed=0):
    """Hourly series with a daily and a weekly cycle, a slow trend and AR(1) noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 100 + 0.001 * t + lfilter([1.0], [1.0, -0.6], rng.normal(0, 2, n))
    if daily:
        y += 10 * np.sin(2 * np.pi * t / 24) + 4 * np.cos(4 * np.pi * t / 24)
    if weekly:
        y += 6 * np.sin(2 * np.pi * t / WEEK) + 8 * ((t // 24) % 7 >= 5)
    return pd.Series(y, index=pd.date_range("2000-01-03", periods=n, freq="h"))


@pytest.fixture(scope="module")
def long_hourly():
    return hourly(20_000)


@pytest.fixture(scope="module")
def taylor():
    return load_taylor()


# ------------------------------------------------------------- seasonal periods
def test_daily_and_weekly_cycles_are_detected_on_a_constructed_series():
    y = hourly(6 * WEEK)
    assert detect_seasonal_periods(y, freq="h") == (24, 168)
    assert detect_seasonal_periods(y, [24, 168]) == (24, 168)
    ranking = seasonal_period_strengths(y, [24, 168, 12])
    assert list(ranking.columns) == ["period", "strength", "confirmed"]
    assert ranking["strength"].is_monotonic_decreasing
    assert ranking.set_index("period").loc[[24, 168], "confirmed"].all()


def test_a_week_of_repeated_days_is_not_a_weekly_cycle():
    # every day alike: lag 168 correlates, but the week adds nothing to the day
    assert detect_seasonal_periods(hourly(8 * WEEK, weekly=False), freq="h") == (24,)
    assert detect_seasonal_periods(hourly(8 * WEEK, daily=False), freq="h") == (168,)


@pytest.mark.parametrize("seed", range(5))
def test_noise_and_random_walks_show_no_cycle(seed):
    noise = np.random.default_rng(seed).normal(size=10 * WEEK)
    assert detect_seasonal_periods(noise, [24, 168]) == ()
    assert detect_seasonal_periods(np.cumsum(noise), [24, 168]) == ()


def test_half_hourly_and_daily_periods_are_detected():
    t = np.arange(48 * 7 * 6)
    half_hourly = np.sin(2 * np.pi * t / 48) + 0.8 * ((t // 48) % 7 >= 5)
    assert detect_seasonal_periods(half_hourly, freq="30min") == (48, 336)
    days = np.arange(5 * 365)
    daily = (np.sin(2 * np.pi * days / 365) + 0.5 * (days % 7 >= 5)
             + np.random.default_rng(0).normal(0, 0.2, days.size))
    assert detect_seasonal_periods(daily, freq="D") == (7, 365)


def test_taylor_shows_its_daily_and_weekly_cycles(taylor):
    assert detect_seasonal_periods(taylor, freq=taylor.index.freqstr) == (48, 336)


def test_periods_the_series_cannot_show_are_not_judged():
    short = hourly(3 * WEEK)  # fewer than four weekly cycles
    ranking = seasonal_period_strengths(short, [24, 168]).set_index("period")
    assert np.isnan(ranking.loc[168, "strength"]) and not ranking.loc[168, "confirmed"]
    assert detect_seasonal_periods(np.ones(1000), [24]) == ()
    with pytest.raises(InputValueError, match="finite"):
        seasonal_period_strengths(np.r_[np.nan, np.ones(100)], [7])


# ----------------------------------------------------- long series: bounded fits
@pytest.mark.parametrize(
    ("make", "window"),
    [
        (lambda: AutoARIMA(max_p=2, max_q=2), 1000),
        (lambda: ARIMA((1, 0, 1), (0, 1, 1, None)), 1000),
        (lambda: ETS(damped_trend=False), 1000),
        (lambda: Theta(), 1000),
        (lambda: MSTL(), 10 * WEEK),
    ],
)
def test_long_series_are_fitted_on_a_bounded_window(long_hourly, make, window):
    # the exact methods would fit every value; 2,000 and 20,000 values use as many
    short_fit = make().fit(long_hourly.iloc[-2000:])
    long_fit = make().fit(long_hourly)
    assert short_fit.n_fit_ == long_fit.n_fit_ == window
    assert short_fit.approximation_ and long_fit.approximation_
    assert len(long_fit.predict(48)) == 48
    assert long_fit.predict(48).index[0] == long_hourly.index[-1] + pd.Timedelta("1h")


def test_short_series_keep_the_exact_fit():
    air = load_air_passengers()
    for model in (AutoARIMA(), ARIMA((0, 1, 1), (0, 1, 1, None)), ETS(), Theta()):
        fitted = model.fit(air)
        assert fitted.n_fit_ == len(air) and not fitted.approximation_
    assert AutoARIMA().fit(air).method_ == "lbfgs"


def test_fit_window_grows_with_the_season_only():
    assert fit_window(500, 24) == 500
    assert fit_window(2_000, 24) == fit_window(10**6, 24) == 1000
    assert fit_window(10**6, 168) == 1680 and fit_window(10**6, 336) == 3360


def test_auto_arima_approximation_on_hourly_data(long_hourly):
    model = AutoARIMA().fit(long_hourly)
    assert model.method_ == "css" and model.n_fit_ == 1000
    assert model.seasonal_order_[3] == 24 and model.seasonal_order_[1] == 1
    assert model.search_["ic"].min() == pytest.approx(model.ic_)
    interval = model.predict_interval(48, coverage=0.9)
    assert (interval["lower"] < interval["forecast"]).all()
    assert (np.diff(interval["upper"] - interval["lower"]) >= -1e-9).all()
    # the approximation can be asked for on a short series too
    assert AutoARIMA(approximation=True).fit(load_air_passengers()).method_ == "css"


# --------------------------------------------------- conditional sum of squares
def test_css_forecasts_are_those_of_sarimax_at_the_same_parameters():
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    rng = np.random.default_rng(0)
    y = np.cumsum(lfilter([1, 0.4], [1, -0.6], rng.normal(size=3000)) + 0.05)
    fit = fit_css(y, None, ArimaSpec((1, 1, 1), (0, 0, 0, 0), True))
    exact = SARIMAX(y, order=(1, 1, 1), trend="c").fit(disp=False)
    assert_allclose(fit.params, exact.params[:-1], atol=0.01)  # CSS ~ ML on long series
    mean, standard_error = css_forecast(fit, y, None, None, 10)
    frame = SARIMAX(y, order=(1, 1, 1), trend="c").filter(fit.params_with_sigma2())
    frame = frame.get_forecast(10).summary_frame()
    assert_allclose(mean, frame["mean"], rtol=1e-10)
    assert_allclose(standard_error, frame["mean_se"], rtol=1e-10)


def test_css_with_regressors_and_seasonal_differences():
    rng = np.random.default_rng(1)
    y = hourly(2000).to_numpy()
    X = rng.normal(size=(2024, 2))
    target = y + X[:2000] @ [2.0, -1.0]
    spec = ArimaSpec((1, 0, 0), (0, 1, 1, 24), True, 2)
    fit = fit_css(target, X[:2000], spec)
    assert_allclose(fit.params[1:3], [2.0, -1.0], atol=0.1)
    assert spec.param_names(["a", "b"]) == ["intercept", "a", "b", "ar.L1", "ma.S.L24",
                                            "sigma2"]
    mean, _ = css_forecast(fit, target, X[:2000], X[2000:], 24)
    assert np.abs(mean - (y[-24:] + X[2000:] @ [2.0, -1.0])).mean() < 10


# ------------------------------------------------------------------------ memory
SIZES = [100, 400, 1_000, 10_000, 100_000, 1_000_000]


@pytest.mark.parametrize("model", ["naive", "snaive", "naive2", "arima", "autoarima", "ets",
                                   "theta", "mstl", "SeasonalNaive", Theta(),
                                   AutoARIMA(approximation=False)])
@pytest.mark.parametrize("season", [1, 12, 24, 168])
def test_memory_estimates_grow_with_the_length(model, season):
    # monotone among short series and among long ones; a long series, fitted on its
    # recent values, may need less than the longest short one fitted exactly
    for sizes in (SIZES[:3], SIZES[2:]):
        estimates = [estimate_memory(model, n, season) for n in sizes]
        if sizes[0] == 1_000:
            estimates = estimates[1:]
        assert all(a <= b for a, b in zip(estimates, estimates[1:])), estimates


def test_memory_of_the_exact_state_space_fit_with_and_without_conserving():
    exact = ARIMA((2, 0, 1), (1, 1, 1, 24), approximation=False)
    assert sarimax_state_dimension((2, 0, 1), (1, 1, 1, 24)) == 50
    assert sarimax_state_dimension((2, 0, 1), (1, 1, 1, 24), simple_differencing=True) == 26
    # statsmodels' default: a dozen 50 x 50 matrices per step, over 20 GB for 100,000 values
    assert estimate_memory(exact, 100_000, 24, conserve_memory=False) > 20 * 2**30
    assert estimate_memory(exact, 100_000, 24) < 2**30  # the conserving mode of our fits
    assert estimate_memory("autoarima", 100_000, 24) < 100 * 2**20  # CSS on a window
    assert estimate_memory("autoarima", 10**6, 24) < 2 * estimate_memory("snaive", 10**6, 24)
    seasonal = ARIMA((0, 1, 1), (0, 1, 1, 12), approximation=False)
    plain = ARIMA((0, 1, 1), (0, 0, 0, 0), approximation=False)
    assert (estimate_memory(seasonal, 5_000, 12, conserve_memory=False)
            > 10 * estimate_memory(plain, 5_000, 12, conserve_memory=False))
    with pytest.raises(InputValueError, match="statistical models"):
        estimate_memory("lstm", 100)


def test_exact_fits_conserve_memory_and_give_the_same_results():
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    air = np.log(load_air_passengers())
    model = ARIMA((0, 1, 1), (0, 1, 1, 12)).fit(air)
    assert model._results().model.ssm.memory_no_predicted  # no per-step covariances
    full = SARIMAX(air.to_numpy(), order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)).fit(
        disp=False, cov_type="none")
    assert_allclose(model.params_, full.params, rtol=0)  # the same to the last bit
    frame = full.get_forecast(12).summary_frame(alpha=0.1)
    interval = model.predict_interval(12, coverage=0.9)
    assert_allclose(interval["forecast"], frame["mean"], rtol=0)
    assert_allclose(interval["lower"], frame["mean_ci_lower"], rtol=0)
    restored = pickle.loads(pickle.dumps(model))  # rebuilt, conserving again
    assert_allclose(restored.predict_interval(12, coverage=0.9), interval, rtol=0)
    smoothed = model.get_statsmodels_results()  # the full model, on request
    assert smoothed.smoothed_state.shape[1] == len(air)


# -------------------------------------------------------------------------- MSTL
def test_mstl_removes_both_cycles_and_beats_weekly_seasonal_naive():
    y = hourly(12 * WEEK, seed=3)
    train, test = y.iloc[:-WEEK], y.iloc[-WEEK:]
    model = MSTL().fit(train)
    assert model.periods_ == (24, 168)
    assert [len(s) for s in model.seasonal_last_] == [24, 168]
    snaive = SeasonalNaive(season_length=WEEK).fit(train).predict(WEEK)
    ours = model.predict(WEEK)
    assert mase(test, ours, y_train=train, season_length=WEEK) < mase(
        test, snaive, y_train=train, season_length=WEEK)
    interval = model.predict_interval(WEEK, coverage=0.9)
    assert_allclose(interval["forecast"], ours)
    assert (interval["lower"] < ours).all() and (ours < interval["upper"]).all()


def test_mstl_periods_given_detected_or_none():
    y = hourly(5 * WEEK)
    level = ETS(trend=None, seasonal=None)  # a quick forecaster of the deseasonalised rest
    assert MSTL(periods=(24,), trend_forecaster=level).fit(y).periods_ == (24,)
    integer_index = y.reset_index(drop=True)  # no frequency: only the season length given
    assert MSTL(season_length=24, trend_forecaster=level).fit(integer_index).periods_ == (24,)
    noise = pd.Series(np.random.default_rng(0).normal(size=5 * WEEK), index=y.index)
    plain = MSTL(trend_forecaster=level).fit(noise)
    assert plain.periods_ == ()
    assert_allclose(plain.predict(5), plain.trend_forecaster_.predict(5))
    with pytest.raises(InputValueError, match="fit twice"):
        MSTL(periods=(24, 5000)).fit(y)
    with pytest.raises(InputValueError, match="periods"):
        MSTL(periods=(1,)).fit(y)


def test_mstl_is_registered():
    model = make_forecaster("mstl", season_length=48, horizon=48)
    assert isinstance(model, MSTL) and model.season_length == 48


@pytest.mark.slow
def test_mstl_beats_weekly_seasonal_naive_on_taylor_day_ahead(taylor):
    # rolling origin over the last two weeks, one day ahead (the CLI's holdout horizon)
    ours, naive = [], []
    for origin in range(14):
        end = len(taylor) - 48 * origin
        train, test = taylor.iloc[: end - 48], taylor.iloc[end - 48 : end]
        ours.append(mase(test, MSTL().fit(train).predict(48), y_train=train,
                         season_length=336))
        naive.append(mase(test, SeasonalNaive(season_length=336).fit(train).predict(48),
                          y_train=train, season_length=336))
    assert np.mean(ours) < 0.8 * np.mean(naive)


def test_seasonal_naive_on_a_million_values():
    y = np.random.default_rng(0).normal(size=10**6)
    model = SeasonalNaive(season_length=WEEK).fit(y)
    assert model.last_season_.shape == (WEEK,)
    assert_allclose(model.predict(2 * WEEK), np.tile(y[-WEEK:], 2))


# ------------------------------------------------------------- state and files
@pytest.mark.parametrize(
    "make",
    [
        lambda: AutoARIMA(max_p=1, max_q=1),
        lambda: ARIMA((1, 0, 0), (0, 1, 1, None), trend="c"),
        lambda: ETS(trend=None),
        lambda: Theta(),
        lambda: MSTL(),
    ],
)
def test_long_series_models_restore_and_save(long_hourly, tmp_path, make):
    model = make().fit(long_hourly.iloc[-3000:])
    expected = model.predict_interval(24, 0.9)
    restored = type(model)(**model.get_params())
    for key, value in vars(model).items():
        if key.endswith("_") and not key.startswith("_"):
            setattr(restored, key, value)
    assert_allclose(restored.predict_interval(24, 0.9), expected, rtol=1e-8)
    assert clone(model).get_params().keys() == model.get_params().keys()
    persistence = pytest.importorskip("tsforecast.persistence")
    persistence.save(model, tmp_path / "model.tsf")
    loaded = persistence.load(tmp_path / "model.tsf")
    assert_allclose(loaded.predict_interval(24, 0.9), expected, rtol=1e-8)

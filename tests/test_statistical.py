import multiprocessing
import pickle
import re
import threading
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from threadpoolctl import threadpool_limits
from tsforecast.datasets import load_air_passengers

from tsforecast.evaluation import mape
from tsforecast.statistical import (
    ARIMA,
    ETS,
    AutoARIMA,
    ConvergenceFallbackWarning,
    Theta,
    kpss_ndiffs,
    sarimax,
    seasonal_ndiffs,
    seasonal_strength,
)
from tsforecast.statistical._context import quiet_statsmodels
from tsforecast.validation import InputValueError


@pytest.fixture(scope="module")
def air():
    return load_air_passengers()


@pytest.fixture(scope="module")
def split(air):
    return air.iloc[:-36], air.iloc[-36:]


@pytest.fixture(scope="module")
def airline(air):
    return ARIMA((0, 1, 1), (0, 1, 1, None)).fit(np.log(air))


@pytest.fixture(scope="module")
def exog_data():
    rng = np.random.default_rng(3)
    n = 120
    x = pd.DataFrame(
        {"price": rng.normal(size=n + 6), "promo": rng.integers(0, 2, n + 6).astype(float)},
        index=pd.date_range("2010-01-01", periods=n + 6, freq="MS"),
    )
    noise = np.zeros(n + 6)
    for t in range(1, n + 6):
        noise[t] = 0.5 * noise[t - 1] + rng.normal(scale=0.3)
    y = 10 + 2.0 * x["price"] - 1.5 * x["promo"] + noise
    return y.iloc[:n], x.iloc[:n], x.iloc[n:]


def _plain_state(model):
    return {k: v for k, v in vars(model).items() if k.endswith("_") and not k.startswith("_")}


# ------------------------------------------------------------------------- ARIMA
def test_airline_model_reproduces_box_jenkins_estimates(airline):
    assert airline.seasonal_order_ == (0, 1, 1, 12)  # season length from the monthly index
    params = dict(zip(airline.param_names_, airline.params_))
    assert_allclose(params["ma.L1"], -0.4018, atol=1e-3)
    assert_allclose(params["ma.S.L12"], -0.5569, atol=1e-3)
    assert_allclose(airline.sigma2_, 0.001348, rtol=1e-3)
    assert_allclose(airline.loglik_, 244.70, atol=0.01)  # R: log likelihood = 244.7
    assert airline.converged_ and airline.method_ == "lbfgs"


def test_arima_matches_statsmodels_sarimax(air, airline):
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("ignore")
        reference = SARIMAX(np.log(air).to_numpy(), order=(0, 1, 1), seasonal_order=(0, 1, 1, 12))
        results = reference.fit(disp=False, cov_type="none")
    assert_allclose(airline.params_, results.params, rtol=1e-6)
    assert_allclose(airline.aic_, results.aic, rtol=1e-9)
    frame = results.get_forecast(12).summary_frame(alpha=0.2)
    interval = airline.predict_interval(12, coverage=0.8)
    assert_allclose(interval["forecast"], frame["mean"], rtol=1e-9)
    assert_allclose(interval["lower"], frame["mean_ci_lower"], rtol=1e-9)
    assert_allclose(interval["upper"], frame["mean_ci_upper"], rtol=1e-9)
    assert interval.index[0] == pd.Timestamp("1961-01-01")


def test_arima_110_010_with_constant_gives_published_mape(split):
    # The published 0.0436 is ARIMA(1,1,0)(0,1,0)[12] with a constant (pmdarima's default
    # intercept, trend="c") on the raw series; without the constant the MAPE is 0.0415.
    train, test = split
    with_constant = ARIMA((1, 1, 0), (0, 1, 0, 12), trend="c").fit(train)
    assert_allclose(mape(test, with_constant.predict(36)), 0.0436, atol=5e-5)
    without = ARIMA((1, 1, 0), (0, 1, 0, 12)).fit(train)
    assert_allclose(mape(test, without.predict(36)), 0.0415, atol=5e-5)


def test_arima_intervals_widen_with_coverage_and_horizon(airline):
    narrow = airline.predict_interval(24, coverage=0.5)
    wide = airline.predict_interval(24, coverage=0.95)
    assert (wide["lower"] < narrow["lower"]).all() and (wide["upper"] > narrow["upper"]).all()
    width = (wide["upper"] - wide["lower"]).to_numpy()
    assert (np.diff(width) > 0).all()


def test_seasonal_terms_without_a_season_length_are_a_clear_error(air):
    with pytest.raises(InputValueError, match="season length"):
        ARIMA((0, 1, 1), (0, 1, 1, None)).fit(air.to_numpy())


@pytest.mark.parametrize(
    "kwargs", [{"order": (1, 1)}, {"order": (1, -1, 0)}, {"seasonal_order": (0, 1, 1)}]
)
def test_bad_orders_are_clear_errors(air, kwargs):
    with pytest.raises(InputValueError, match="order"):
        ARIMA(**kwargs).fit(air)


# --------------------------------------------------------------- convergence fallback
def _fallback_warnings(fit):
    """``fit()``'s result and the ConvergenceFallbackWarnings it issued; no other warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit()
    assert all(w.category is ConvergenceFallbackWarning for w in caught), caught
    assert all(w.filename == __file__ for w in caught)  # points at the caller of fit
    return result, [str(w.message) for w in caught]


def test_non_convergence_falls_back_to_another_optimiser_with_one_warning(split):
    train, _ = split
    model, messages = _fallback_warnings(
        lambda: ARIMA((1, 1, 1), (0, 1, 0, 12), maxiter=1).fit(train)
    )
    assert messages == [
        "ARIMA on series 'Passengers': fitting ARIMA(1,1,1)(0,1,0)[12] with the 'lbfgs' "
        "optimiser did not converge within 1 iterations; retrying with the 'nm' optimiser: "
        "converged."
    ]
    assert model.method_ == "nm" and model.converged_
    assert model.order_ == (1, 1, 1)
    reference = ARIMA((1, 1, 1), (0, 1, 0, 12)).fit(train)
    assert_allclose(model.loglik_, reference.loglik_, atol=0.05)


def test_failing_fits_fall_back_to_a_simpler_order(split, monkeypatch):
    train, _ = split
    make_sarimax = sarimax.make_sarimax

    def seasonal_arma_always_fails(y, exog, order, seasonal_order, trend, **kwargs):
        model = make_sarimax(y, exog, order, seasonal_order, trend, **kwargs)
        if seasonal_order[0] or seasonal_order[2]:
            def fit(*args, **kw):
                raise np.linalg.LinAlgError("forced failure")
            model.fit = fit
        return model

    monkeypatch.setattr(sarimax, "make_sarimax", seasonal_arma_always_fails)
    model, messages = _fallback_warnings(lambda: ARIMA((1, 1, 0), (1, 1, 0, 12)).fit(train))
    assert len(messages) == 1  # one report per fit: lbfgs -> nm -> powell -> simpler order
    assert re.fullmatch(
        r"ARIMA on series 'Passengers': fitting ARIMA\(1,1,0\)\(1,1,0\)\[12\] with the 'lbfgs' "
        r"optimiser raised LinAlgError: forced failure; "
        r"retrying with the 'nm' optimiser raised LinAlgError: forced failure; "
        r"retrying with the 'powell' optimiser raised LinAlgError: forced failure; "
        r"falling back to the simpler ARIMA\(1,1,0\)\(0,1,0\)\[12\]: converged\.",
        messages[0],
    )
    assert (model.order_, model.seasonal_order_) == ((1, 1, 0), (0, 1, 0, 12))
    assert model.predict(3).notna().all()


def test_when_every_fit_fails_the_error_says_so(split, monkeypatch):
    train, _ = split
    make_sarimax = sarimax.make_sarimax

    def always_fails(*args, **kwargs):
        model = make_sarimax(*args, **kwargs)
        model.fit = lambda *a, **k: (_ for _ in ()).throw(ValueError("boom"))
        return model

    monkeypatch.setattr(sarimax, "make_sarimax", always_fails)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(InputValueError, match=re.escape(
            "ARIMA on series 'Passengers': every fit of ARIMA(1,1,0) and its fallbacks failed "
            "(last error: ValueError: boom)"
        )):
            ARIMA((1, 1, 0)).fit(train)
    assert caught == []


# ---------------------------------------------------------------------- exogenous
def test_arima_uses_exogenous_regressors(exog_data):
    y, x, future = exog_data
    model = ARIMA((1, 0, 0), trend="c").fit(y, X=x)
    assert model.get_tag("capability:exogenous")
    coefficients = dict(zip(model.param_names_, model.params_))
    assert_allclose([coefficients["price"], coefficients["promo"]], [2.0, -1.5], atol=0.15)
    forecast = model.predict(6, X=future)
    shuffled = future[["promo", "price"]]  # columns are matched by name
    assert_allclose(model.predict(6, X=shuffled), forecast)
    with pytest.raises(InputValueError, match="pass their future values"):
        model.predict(6)
    with pytest.raises(InputValueError, match="at least one row per forecast step"):
        model.predict(6, X=future.iloc[:3])
    with pytest.raises(InputValueError, match="rows"):
        ARIMA().fit(y, X=x.iloc[:-1])


def test_auto_arima_with_exogenous_regressors(exog_data):
    y, x, future = exog_data
    model = AutoARIMA(season_length=1, max_p=2, max_q=2).fit(y, X=x)
    coefficients = dict(zip(model.param_names_, model.params_))
    assert_allclose([coefficients["price"], coefficients["promo"]], [2.0, -1.5], atol=0.15)
    assert model.predict_interval(6, X=future).notna().all().all()


# ---------------------------------------------------------------------- AutoARIMA
def test_auto_arima_on_air_passengers_matches_auto_arima_choice(air):
    model = AutoARIMA().fit(air)
    # R's auto.arima(AirPassengers, ic="aic") and pmdarima.auto_arima both select this
    # model, with AIC 1017.847 on statsmodels' scale.
    assert model.order_ == (2, 1, 1) and model.seasonal_order_ == (0, 1, 0, 12)
    assert model.trend_ is None  # d + D = 2: no constant
    assert model.aic_ <= 1017.8468 + 1e-6
    assert 10 <= model.n_fits_ <= 30
    assert model.search_["ic"].min() == pytest.approx(model.ic_)
    assert model.predict(12).index[0] == pd.Timestamp("1961-01-01")


def test_unit_root_and_seasonal_strength_tests(air):
    rng = np.random.default_rng(0)
    noise = rng.normal(size=200)
    assert kpss_ndiffs(noise) == 0
    assert kpss_ndiffs(np.cumsum(noise)) == 1
    assert kpss_ndiffs(np.cumsum(np.cumsum(noise))) == 2
    assert kpss_ndiffs(np.ones(30)) == 0
    assert seasonal_strength(air.to_numpy(), 12) > 0.64
    assert seasonal_strength(noise, 12) < 0.64
    assert seasonal_strength(noise[:20], 12) == 0.0  # shorter than two seasons


def test_auto_arima_non_seasonal_random_walk_with_drift():
    rng = np.random.default_rng(1)
    y = pd.Series(np.cumsum(0.5 + rng.normal(size=150)))
    model = AutoARIMA(max_p=2, max_q=2).fit(y)
    assert model.order_[1] == 1 and model.seasonal_order_ == (0, 0, 0, 0)
    assert model.trend_ == "c"  # d + D = 1: the constant is a drift
    drift = dict(zip(model.param_names_, model.params_))["intercept"]
    assert_allclose(drift, 0.5, atol=0.25)


def test_exhaustive_search_covers_the_grid_and_respects_fixed_differencing():
    rng = np.random.default_rng(2)
    y = pd.Series(np.cumsum(rng.normal(size=80)))
    model = AutoARIMA(season_length=1, d=1, max_p=1, max_q=1, stepwise=False).fit(y)
    assert model.n_fits_ == 2 * 2 * 2  # p, q in {0, 1}, with and without drift
    assert model.search_["ic"].min() == pytest.approx(model.ic_)
    assert model.order_[1] == 1


def test_auto_arima_final_fit_falls_back_with_one_warning():
    rng = np.random.default_rng(4)
    y = pd.Series(np.cumsum(rng.normal(size=100)), name="walk")
    model, messages = _fallback_warnings(lambda: AutoARIMA(max_p=1, max_q=1, maxiter=1).fit(y))
    assert len(messages) == 1
    assert messages[0].startswith(
        "AutoARIMA (final fit of the selected model) on series 'walk': fitting ARIMA("
    )
    assert model.converged_ and model.method_ in ("nm", "powell")


@pytest.mark.parametrize("m, searched", [(24, True), (25, False)])
def test_auto_arima_searches_seasonal_arma_terms_only_up_to_season_length_24(m, searched):
    rng = np.random.default_rng(5)
    y = pd.Series(np.sin(2 * np.pi * np.arange(120) / m) + rng.normal(scale=0.3, size=120))
    model = AutoARIMA(season_length=m, d=0, D=0, max_p=0, max_q=0, max_Q=0).fit(y)
    assert bool(model.search_["P"].max() == 1) == searched
    assert (model.search_["m"] == m).all()


def test_auto_arima_on_weekly_data_keeps_seasonal_differencing_without_seasonal_arma():
    # Four years of weekly data: only the seasonal difference models the m = 52 season.
    rng = np.random.default_rng(6)
    t = np.arange(4 * 52)
    noise = np.zeros(t.size)
    for i in range(1, t.size):
        noise[i] = 0.6 * noise[i - 1] + rng.normal(scale=0.2)
    index = pd.date_range("2000-01-01", periods=t.size, freq="W-SAT")
    y = pd.Series(5 * np.sin(2 * np.pi * t / 52) + noise, index=index)
    model = AutoARIMA(max_p=2, max_q=2).fit(y)
    assert model.seasonal_order_ == (0, 1, 0, 52)
    assert (model.search_[["P", "Q"]] == 0).all().all() and (model.search_["D"] == 1).all()
    forecast = model.predict(52)
    assert np.corrcoef(forecast.to_numpy(), y.iloc[-52:].to_numpy())[0, 1] > 0.9


def test_auto_arima_rejects_bad_parameters(air):
    with pytest.raises(InputValueError, match="information_criterion"):
        AutoARIMA(information_criterion="hqic").fit(air)
    with pytest.raises(InputValueError, match="max_p"):
        AutoARIMA(max_p=-1).fit(air)


# ------------------------------------------------------------------------ ETS/Theta
def test_ets_fixed_model_matches_statsmodels(split):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    train, _ = split
    model = ETS(error="mul", trend="add", damped_trend=False, seasonal="mul").fit(train)
    assert len(model.candidates_) == 1
    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("ignore")
        reference = ETSModel(
            train.reset_index(drop=True), error="mul", trend="add", seasonal="mul",
            seasonal_periods=12,
        ).fit(disp=False)
    assert_allclose(model.aicc_, reference.aicc, rtol=1e-6)
    assert_allclose(model.predict(12), reference.forecast(12), rtol=1e-6)


def test_ets_automatic_choice_and_intervals(split):
    train, test = split
    model = ETS().fit(train)
    assert model.seasonal_ == "mul"  # AirPassengers' seasonality grows with the level
    assert set(model.candidates_["model"]) >= {"ETS(A,N,N)", "ETS(M,Ad,M)"}
    assert "ETS(A,N,M)" not in set(model.candidates_["model"])  # unstable, excluded
    assert model.aicc_ == pytest.approx(model.candidates_["aicc"].min())
    assert mape(test, model.predict(36)) < 0.1
    narrow, wide = model.predict_interval(12, 0.5), model.predict_interval(12, 0.95)
    assert (wide["lower"] < narrow["lower"]).all() and (wide["upper"] > narrow["upper"]).all()
    assert_allclose(model.predict_interval(12, 0.95), wide)  # seeded simulation


def test_ets_rejects_impossible_components():
    y = pd.Series(np.linspace(-5, 5, 40))
    with pytest.raises(InputValueError, match="strictly positive"):
        ETS(error="mul").fit(y)
    with pytest.raises(InputValueError, match="season length"):
        ETS(seasonal="add").fit(y)
    with pytest.raises(InputValueError, match="error"):
        ETS(error="multiplicative").fit(y)


def test_theta_matches_statsmodels_theta_model(split):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    train, _ = split
    model = Theta().fit(train)
    with threadpool_limits(1, user_api="blas"):
        reference = ThetaModel(train.to_numpy(), period=12).fit()
    assert_allclose(model.predict(12), reference.forecast(12), rtol=1e-9)
    interval = model.predict_interval(12, coverage=0.9)
    bounds = reference.prediction_intervals(12, alpha=0.1)
    assert_allclose(interval["lower"], bounds["lower"], rtol=1e-9)
    assert_allclose(interval["upper"], bounds["upper"], rtol=1e-9)
    assert (model.predict_interval(12, 0.95)["upper"] > interval["upper"]).all()


# ------------------------------------------------------------ statsmodels kept quiet
# statsmodels warns about the fits below. Turned into errors by a strict user's filters, its
# warnings would make a fit fail or silently change which model is chosen; the tests check
# that the fits are quiet and identical under `simplefilter("error")` and `"ignore"`.
@pytest.fixture(scope="module")
def noise():
    # 20 values of white noise: statsmodels' start-up for ARIMA(0,1,1) finds non-invertible
    # starting MA parameters
    return pd.Series(np.random.default_rng(4).normal(size=20), name="noise")


@pytest.fixture(scope="module")
def spike():
    # a flat series with one spike: statsmodels' ETS(M,Ad,A) fit does not converge on it
    rng = np.random.default_rng(0)
    return pd.Series(np.r_[np.ones(20), 50.0, np.ones(10)] + rng.normal(scale=0.01, size=31))


def _raw_warnings(call):
    """Names of the warning classes that ``call()`` issues when nothing is filtered."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return {w.category.__name__ for w in caught}


def _strictly_and_relaxed(call):
    """``call()`` with every warning an error (as a strict user sets it), and ignored."""
    results = []
    for action in ("error", "ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter(action)
            results.append(call())
    return results


def test_arima_fit_shows_no_statsmodels_warnings(noise):
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    raw = SARIMAX(noise.to_numpy(), order=(0, 1, 1))
    assert "EstimationWarning" in _raw_warnings(lambda: raw.fit(disp=False, cov_type="none"))
    strict, relaxed = _strictly_and_relaxed(lambda: ARIMA((0, 1, 1)).fit(noise))
    assert strict.converged_ and strict.order_ == (0, 1, 1)
    assert_allclose(strict.params_, relaxed.params_, rtol=0)
    unpickled = pickle.dumps(strict)  # the statsmodels results are rebuilt quietly
    forecasts = _strictly_and_relaxed(lambda: pickle.loads(unpickled).predict_interval(3))
    assert_allclose(*forecasts, rtol=0)


def test_auto_arima_fit_shows_no_statsmodels_warnings():
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y = pd.Series(np.random.default_rng(1).normal(size=30), name="noise")
    # the first model of the stepwise search with d=1: ARIMA(2,1,2) with a drift, fitted on
    # the differenced series with the scale concentrated out
    first = SARIMAX(y.to_numpy(), order=(2, 1, 2), trend="c", simple_differencing=True,
                    concentrate_scale=True)
    assert {"EstimationWarning", "ConvergenceWarning"} <= _raw_warnings(
        lambda: first.fit(disp=False, method="lbfgs", maxiter=50, cov_type="none")
    )
    strict, relaxed = _strictly_and_relaxed(lambda: AutoARIMA(season_length=1, d=1).fit(y))
    assert strict.search_.iloc[0][["p", "q", "constant"]].tolist() == [2, 2, True]
    pd.testing.assert_frame_equal(strict.search_, relaxed.search_)
    forecasts = _strictly_and_relaxed(lambda: strict.predict_interval(3))
    pd.testing.assert_frame_equal(*forecasts)
    # d chosen by KPSS tests, whose p-value statsmodels warns is clipped to its table
    strict, relaxed = _strictly_and_relaxed(lambda: AutoARIMA(season_length=1).fit(y))
    pd.testing.assert_frame_equal(strict.search_, relaxed.search_)


def test_ets_fit_shows_no_statsmodels_warnings(spike):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    raw = ETSModel(spike, error="mul", trend="add", damped_trend=True, seasonal="add",
                   seasonal_periods=12)
    assert "ConvergenceWarning" in _raw_warnings(lambda: raw.fit(disp=False, maxiter=1000))
    strict, relaxed = _strictly_and_relaxed(
        lambda: ETS("mul", "add", True, "add", season_length=12).fit(spike)
    )
    assert_allclose(strict.params_, relaxed.params_, rtol=0)
    forecasts = _strictly_and_relaxed(lambda: strict.predict_interval(3))
    pd.testing.assert_frame_equal(*forecasts)


def test_differencing_tests_show_no_statsmodels_warnings(noise):
    from statsmodels.tsa.stattools import kpss

    x = noise.to_numpy()
    assert "InterpolationWarning" in _raw_warnings(lambda: kpss(x, regression="c", nlags=1))
    assert _strictly_and_relaxed(lambda: kpss_ndiffs(x)) == [0, 0]
    strict, relaxed = _strictly_and_relaxed(lambda: seasonal_ndiffs(x, 4))
    assert strict == relaxed


def test_quiet_statsmodels_ignores_exactly_its_warnings():
    from statsmodels.tools.sm_exceptions import EstimationWarning, HessianInversionWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with quiet_statsmodels():
            warnings.warn("starting parameters", EstimationWarning)
            for category in (UserWarning, HessianInversionWarning, ConvergenceFallbackWarning,
                             RuntimeWarning):  # a RuntimeWarning of this module, not statsmodels'
                with pytest.raises(category):
                    warnings.warn("kept", category)
        with pytest.raises(EstimationWarning):  # outside the block the user's filters apply
            warnings.warn("starting parameters", EstimationWarning)


def test_quiet_statsmodels_holds_in_its_thread_while_other_threads_come_and_go():
    # catch_warnings fails here: the other thread, which entered first, restores on exit the
    # filter list saved before this thread entered
    from statsmodels.tools.sm_exceptions import EstimationWarning

    other_in, this_in, other_out = threading.Event(), threading.Event(), threading.Event()
    other_outside = []

    def other_fit():
        with quiet_statsmodels():
            other_in.set()
            this_in.wait(10)
        try:  # this thread is still inside its block: the other one is not quiet any more
            warnings.warn("starting parameters", EstimationWarning)
        except EstimationWarning:
            other_outside.append("raised")
        other_out.set()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        other = threading.Thread(target=other_fit)
        other.start()
        assert other_in.wait(10)
        with quiet_statsmodels():
            this_in.set()
            assert other_out.wait(10)
            warnings.warn("starting parameters", EstimationWarning)
        other.join()
    assert other_outside == ["raised"]


def test_fits_in_threads_and_worker_processes_are_quiet(noise):
    def fit(_):
        return ARIMA((0, 1, 1)).fit(noise).order_

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(fit, range(8))) == [(0, 1, 1)] * 8
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn, initializer=warnings.simplefilter,
                             initargs=("error",)) as pool:
        assert pool.submit(ARIMA((0, 1, 1)).fit, noise).result().order_ == (0, 1, 1)


# ----------------------------------------------------------------------- persistence
@pytest.mark.parametrize(
    "make",
    [
        lambda: ARIMA((1, 1, 0), (0, 1, 0, 12)),
        lambda: AutoARIMA(max_p=1, max_q=1, max_P=1, max_Q=0),
        lambda: ETS(trend=None, seasonal="mul", error="mul"),
        lambda: Theta(),
    ],
)
def test_fitted_state_is_plain_and_results_are_rebuilt_lazily(split, make):
    train, _ = split
    model = make().fit(train)
    expected = model.predict_interval(12, 0.9)
    state = _plain_state(model)
    allowed = (type(None), bool, int, float, str, list, tuple, dict, np.ndarray, pd.DataFrame,
               pd.Timestamp)
    assert all(isinstance(v, allowed) for v in state.values()), state
    restored = type(model)(**model.get_params())
    for key, value in state.items():
        setattr(restored, key, value)
    assert_allclose(restored.predict_interval(12, 0.9), expected, rtol=1e-8)
    unpickled = pickle.loads(pickle.dumps(model))
    assert not any(k.startswith("_cache") for k in vars(unpickled))
    assert_allclose(unpickled.predict_interval(12, 0.9), expected, rtol=1e-8)
    assert clone(model).get_params() == model.get_params()


@pytest.mark.parametrize(
    "make",
    [
        lambda: ARIMA((1, 1, 0), (0, 1, 0, 12), trend="c"),
        lambda: AutoARIMA(max_p=1, max_q=1, max_P=1, max_Q=0),
        lambda: ETS(trend=None, seasonal="mul", error="mul"),
        lambda: Theta(),
    ],
)
def test_save_and_load_without_pickle(split, tmp_path, make):
    persistence = pytest.importorskip("tsforecast.persistence")
    train, _ = split
    model = make().fit(train)
    path = tmp_path / "model.tsf"
    persistence.save(model, path)
    loaded = persistence.load(path)
    assert_allclose(loaded.predict_interval(12), model.predict_interval(12), rtol=1e-9)


# ------------------------------------------------------------------------ benchmark
@pytest.mark.benchmark
def test_auto_arima_is_faster_than_pmdarima_with_an_aic_as_good(air):
    pm = pytest.importorskip("pmdarima")

    def best_time(fit, repeats=3):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = fit()
            times.append(time.perf_counter() - start)
        return min(times), result

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, model = best_time(lambda: AutoARIMA().fit(air))
        with threadpool_limits(1, user_api="blas"):  # same BLAS setting as ours
            theirs, reference = best_time(lambda: pm.auto_arima(air.to_numpy(), m=12))
    print(f"AutoARIMA {ours:.3f} s, AIC {model.aic_:.6f}; pmdarima {theirs:.3f} s, "
          f"AIC {reference.aic():.6f}; ratio {theirs / ours:.2f}")
    assert ours < theirs
    assert model.aic_ <= reference.aic() + 1e-6

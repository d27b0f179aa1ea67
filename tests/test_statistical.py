import pickle
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from threadpoolctl import threadpool_limits
from tsforecast.datasets import load_air_passengers

from tsforecast.metrics import mape
from tsforecast.statistical import (
    ARIMA,
    ETS,
    AutoARIMA,
    ConvergenceFallbackWarning,
    Theta,
    kpss_ndiffs,
    seasonal_strength,
)


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
    with pytest.raises(ValueError, match="season length"):
        ARIMA((0, 1, 1), (0, 1, 1, None)).fit(air.to_numpy())


@pytest.mark.parametrize(
    "kwargs", [{"order": (1, 1)}, {"order": (1, -1, 0)}, {"seasonal_order": (0, 1, 1)}]
)
def test_bad_orders_are_clear_errors(air, kwargs):
    with pytest.raises(ValueError, match="order"):
        ARIMA(**kwargs).fit(air)


# --------------------------------------------------------------- convergence fallback
def test_non_convergence_falls_back_to_another_optimiser_with_a_warning(split):
    train, _ = split
    with pytest.warns(ConvergenceFallbackWarning, match="did not converge.*retrying with the 'nm'"):
        model = ARIMA((1, 1, 1), (0, 1, 0, 12), maxiter=1).fit(train)
    assert model.method_ == "nm" and model.converged_
    assert model.order_ == (1, 1, 1)
    reference = ARIMA((1, 1, 1), (0, 1, 0, 12)).fit(train)
    assert_allclose(model.loglik_, reference.loglik_, atol=0.05)


def test_failing_fits_fall_back_to_a_simpler_order(split, monkeypatch):
    train, _ = split
    make_model = ARIMA._make_model

    def seasonal_arma_always_fails(self, y, exog, order, seasonal_order, trend, **kwargs):
        model = make_model(self, y, exog, order, seasonal_order, trend, **kwargs)
        if seasonal_order[0] or seasonal_order[2]:
            def fit(*args, **kw):
                raise np.linalg.LinAlgError("forced failure")
            model.fit = fit
        return model

    monkeypatch.setattr(ARIMA, "_make_model", seasonal_arma_always_fails)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ARIMA((1, 1, 0), (1, 1, 0, 12)).fit(train)
    messages = [str(w.message) for w in caught if w.category is ConvergenceFallbackWarning]
    assert len(messages) == 3  # lbfgs -> nm -> powell -> simpler order
    assert "LinAlgError" in messages[0] and "simpler ARIMA(1,1,0)(0,1,0)[12]" in messages[-1]
    assert (model.order_, model.seasonal_order_) == ((1, 1, 0), (0, 1, 0, 12))
    assert model.predict(3).notna().all()


def test_when_every_fit_fails_the_error_says_so(split, monkeypatch):
    train, _ = split
    make_model = ARIMA._make_model

    def always_fails(self, *args, **kwargs):
        model = make_model(self, *args, **kwargs)
        model.fit = lambda *a, **k: (_ for _ in ()).throw(ValueError("boom"))
        return model

    monkeypatch.setattr(ARIMA, "_make_model", always_fails)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceFallbackWarning)
        with pytest.raises(ValueError, match="every fit of ARIMA"):
            ARIMA((1, 1, 0)).fit(train)


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
    with pytest.raises(ValueError, match="pass their future values"):
        model.predict(6)
    with pytest.raises(ValueError, match="at least one row per forecast step"):
        model.predict(6, X=future.iloc[:3])
    with pytest.raises(ValueError, match="rows"):
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


def test_auto_arima_final_fit_falls_back_with_a_warning():
    rng = np.random.default_rng(4)
    y = pd.Series(np.cumsum(rng.normal(size=100)))
    with pytest.warns(ConvergenceFallbackWarning, match=r"AutoARIMA \(final fit"):
        model = AutoARIMA(max_p=1, max_q=1, maxiter=1).fit(y)
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
    with pytest.raises(ValueError, match="information_criterion"):
        AutoARIMA(information_criterion="hqic").fit(air)
    with pytest.raises(ValueError, match="max_p"):
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
    with pytest.raises(ValueError, match="strictly positive"):
        ETS(error="mul").fit(y)
    with pytest.raises(ValueError, match="season length"):
        ETS(seasonal="add").fit(y)
    with pytest.raises(ValueError, match="error"):
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

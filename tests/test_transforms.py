import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, Ridge

from tsforecast.transforms import (
    BoxCox,
    Difference,
    LogTransform,
    MinMaxScale,
    RobustScale,
    StandardScale,
    TransformedForecaster,
    parse_transforms,
)
from tsforecast.window_forecaster import WindowForecaster


@pytest.fixture
def positive_series():
    rng = np.random.default_rng(0)
    t = np.arange(96.0)
    return 100 + t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 96)


@pytest.mark.parametrize(
    "transform",
    [LogTransform(), BoxCox(), BoxCox(lmbda=0.5), BoxCox(lmbda=0), StandardScale(),
     MinMaxScale(), MinMaxScale(feature_range=(-1, 1)), RobustScale()],
    ids=repr,
)
def test_round_trip(transform, positive_series):
    z = transform.fit_transform(positive_series)
    assert z.shape == positive_series.shape
    assert_allclose(transform.inverse_transform(z), positive_series, rtol=1e-10)


@pytest.mark.parametrize("lag", [1, 12])
def test_difference_round_trip_and_forecast_integration(lag, positive_series):
    d = Difference(lag=lag)
    z = d.fit_transform(positive_series)
    assert z.shape == (len(positive_series) - lag,)
    assert_allclose(z, positive_series[lag:] - positive_series[:-lag])
    rebuilt = np.concatenate([d.initial_, d.inverse_transform(z, start=d.initial_)])
    assert_allclose(rebuilt, positive_series)
    # a forecast of zero differences repeats the last `lag` values
    assert_allclose(d.inverse_transform(np.zeros(2 * lag)), np.tile(positive_series[-lag:], 2))


def test_difference_interval_widths_accumulate_along_the_lag_chain():
    d = Difference(lag=2).fit(np.array([1.0, 2.0, 3.0, 4.0]))
    point, lower, upper = d._inverse_interval(np.zeros(4), -np.ones(4), 2 * np.ones(4))
    assert_allclose(point, [3, 4, 3, 4])
    assert_allclose(point - lower, [1, 1, 2, 2])
    assert_allclose(upper - point, [2, 2, 4, 4])


def test_boxcox_estimates_lambda_like_scipy(positive_series):
    t = BoxCox().fit(positive_series)
    _, expected = stats.boxcox(positive_series)
    assert_allclose(t.lmbda_, expected, rtol=1e-4)


@pytest.mark.parametrize("transform", [LogTransform(), BoxCox()], ids=repr)
@pytest.mark.parametrize("bad", [0.0, -3.0])
def test_log_and_boxcox_reject_non_positive_values(transform, bad):
    with pytest.raises(ValueError, match="strictly positive.*shift the series"):
        transform.fit(np.array([1.0, 2.0, bad, 4.0]))


def test_scalers_learn_only_from_fit_data():
    s = StandardScale().fit(np.array([0.0, 2.0]))
    assert_allclose(s.transform(np.array([10.0])), [9.0])
    m = RobustScale().fit(np.array([0.0, 1.0, 2.0, 3.0, 4.0]))
    assert (m.median_, m.scale_) == (2.0, 2.0)
    assert_allclose(StandardScale().fit_transform(np.ones(3)), np.zeros(3))


def test_unfitted_transform_raises():
    with pytest.raises(ValueError, match="not fitted"):
        StandardScale().transform([1.0])


def test_parse_transforms():
    parsed = parse_transforms("log, diff12,standard,boxcox0.5,diff,robust,minmax")
    assert [type(t).__name__ for t in parsed] == [
        "LogTransform", "Difference", "StandardScale", "BoxCox", "Difference",
        "RobustScale", "MinMaxScale",
    ]
    assert parsed[1].lag == 12 and parsed[4].lag == 1 and parsed[3].lmbda == 0.5
    assert parse_transforms("none") == [] and parse_transforms(None) == []
    with pytest.raises(ValueError, match="Unknown transform 'sqrt'"):
        parse_transforms("log,sqrt")


def _window(regressor=None, **kwargs):
    params = {"window": 4, "horizon": 3, "conformal": False}
    params.update(kwargs)
    return WindowForecaster(regressor if regressor is not None else LinearRegression(), **params)


def test_transformed_forecaster_inverts_log_and_difference():
    y = pd.Series(np.exp(0.02 * np.arange(60.0)), index=pd.date_range("2000", periods=60, freq="MS"))
    f = TransformedForecaster("log,diff", _window()).fit(y)
    forecast = f.predict()
    assert_allclose(forecast.to_numpy(), np.exp(0.02 * np.arange(60, 63)), rtol=1e-8)
    assert forecast.index[0] == pd.Timestamp("2005-01-01")
    seasonal = 10 + np.tile(np.arange(12.0), 6) + 0.5 * np.arange(72)
    g = TransformedForecaster([Difference(12)], _window(window=6, horizon=12)).fit(seasonal)
    assert_allclose(g.predict().to_numpy(), 10 + np.arange(12.0) + 0.5 * np.arange(72, 84))


def test_transformed_forecaster_fits_transforms_on_training_data_only(positive_series):
    y = positive_series.copy()
    f = TransformedForecaster([StandardScale()], _window(Ridge())).fit(y[:80])
    assert_allclose(f.transforms_[0][0].mean_, y[:80].mean())
    before = f.predict().to_numpy()
    y[80:] *= 100
    f2 = TransformedForecaster([StandardScale()], _window(Ridge())).fit(y[:80])
    assert_allclose(f2.predict().to_numpy(), before)


def test_transformed_intervals_are_mapped_back(positive_series):
    inner = WindowForecaster(Ridge(), window=12, horizon=6, n_calibration=3)
    f = TransformedForecaster([LogTransform(), StandardScale()], inner).fit(positive_series)
    pi = f.predict_interval(coverage=0.8)
    inner_fit = f.forecaster_
    raw = inner_fit.predict_interval(coverage=0.8)
    scaler = f.transforms_[0][1]
    assert_allclose(pi["upper"], np.exp(scaler.inverse_transform(raw["upper"].to_numpy())))
    assert (pi["lower"] < pi["forecast"]).all() and (pi["forecast"] < pi["upper"]).all()


def test_transformed_forecaster_params_and_clone():
    f = TransformedForecaster([LogTransform()], _window(Ridge(alpha=2.0)))
    assert f.get_params()["forecaster__regressor__alpha"] == 2.0
    f.set_params(forecaster__regressor__alpha=3.0, forecaster__window=5)
    c = clone(f)
    assert c.forecaster.regressor.alpha == 3.0 and c.forecaster.window == 5
    assert c.transforms[0] is not f.transforms[0]


def test_transformed_global_forecaster_uses_per_series_transforms():
    t = np.arange(50.0)
    frame = pd.DataFrame({"a": np.exp(0.01 * t), "b": 50 * np.exp(0.02 * t)})
    frame.loc[:9, "b"] = np.nan
    inner = _window(global_model=True)
    f = TransformedForecaster("log,diff", inner).fit(frame)
    assert len(f.transforms_) == 2
    forecast = f.predict()
    assert_allclose(forecast["a"], np.exp(0.01 * np.arange(50, 53)), rtol=1e-6)
    assert_allclose(forecast["b"], 50 * np.exp(0.02 * np.arange(50, 53)), rtol=1e-6)


def test_transformed_forecaster_rejects_a_bare_regressor(positive_series):
    with pytest.raises(TypeError, match="wrap a regressor first"):
        TransformedForecaster("log", Ridge()).fit(positive_series)

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from tsforecast.defaults import default_forecaster
from tsforecast.forecasting import (
    GRUForecaster,
    LSTMForecaster,
    SimpleRNNForecaster,
    TransformedForecaster,
    WindowForecaster,
)
from tsforecast.regressors import LSTMRegressor

STRATEGIES = ["multioutput", "recursive", "direct"]


def periodic_trend(n):
    """y[t] = t + (0, 5, -3)[t % 3]: exactly linear in the previous three values."""
    t = np.arange(n, dtype=float)
    return t + np.array([0.0, 5.0, -3.0])[np.arange(n) % 3]


@pytest.fixture
def monthly():
    index = pd.date_range("2000-01-01", periods=48, freq="MS")
    return pd.Series(periodic_trend(48), index=index, name="sales")


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("normalize", [None, "mean", "last", "window", "series"])
def test_strategies_are_aligned(strategy, normalize, monthly):
    f = WindowForecaster(
        LinearRegression(), window=6, horizon=4, strategy=strategy, normalize=normalize,
        conformal=False,
    )
    forecast = f.fit(monthly).predict()
    # a window shifted by one step would put the period-3 pattern out of phase
    assert_allclose(forecast.to_numpy(), periodic_trend(52)[48:], atol=1e-8)
    assert forecast.index[0] == pd.Timestamp("2004-01-01") and forecast.name == "sales"
    # beyond the trained horizon forecasts are fed back as inputs
    assert_allclose(f.predict(10).to_numpy(), periodic_trend(58)[48:], atol=1e-8)


def test_seasonal_normalisation_learns_corrections_to_seasonal_naive(monthly):
    f = WindowForecaster(
        LinearRegression(), window=6, horizon=4, normalize="seasonal", season_length=3,
        conformal=False,
    )
    assert_allclose(f.fit(monthly).predict().to_numpy(), periodic_trend(52)[48:], atol=1e-8)
    with pytest.raises(ValueError, match="needs `season_length`"):
        WindowForecaster(Ridge(), normalize="seasonal").fit(monthly)


def test_auto_normalisation_resolves_from_the_training_index(monthly):
    f = WindowForecaster(LinearRegression(), window=12, horizon=3, normalize="auto",
                         conformal=False).fit(monthly)
    assert (f.normalize_, f.season_length_) == ("seasonal", 12) and f.normalize == "auto"
    yearly = pd.Series(monthly.to_numpy(), index=pd.date_range("1900", periods=48, freq="YS"))
    g = clone(f).fit(yearly)
    assert (g.normalize_, g.season_length_) == ("last", 1)
    # the window must cover one season; without an index there is no season to infer
    assert clone(f).set_params(window=6).fit(monthly).normalize_ == "last"
    assert clone(f).fit(monthly.to_numpy()).normalize_ == "last"
    given = clone(f).set_params(window=6, season_length=3).fit(monthly.to_numpy())
    assert (given.normalize_, given.season_length_) == ("seasonal", 3)
    # each series is standardised first, so the forecasts follow the level and the scale
    assert_allclose(given.predict().to_numpy(), periodic_trend(51)[48:], atol=1e-6)
    assert_allclose(given.series_scale_, [np.std(monthly.to_numpy())])
    shifted = clone(given).fit(monthly.to_numpy() * 100 + 1e4).predict().to_numpy()
    assert_allclose(shifted, given.predict().to_numpy() * 100 + 1e4, rtol=1e-8)
    assert LSTMForecaster().normalize == GRUForecaster().normalize == "auto"
    with pytest.raises(ValueError, match="`season_length`=0 must be a positive integer"):
        clone(f).set_params(season_length=0).fit(monthly)


def test_auto_normalisation_survives_save_and_load(monthly, tmp_path):
    from tsforecast.persistence import load, save

    f = WindowForecaster(Ridge(), window=12, horizon=3, normalize="auto").fit(monthly)
    save(f, tmp_path / "model.tsf")
    loaded = load(tmp_path / "model.tsf")
    assert (loaded.normalize_, loaded.season_length_) == ("seasonal", 12)
    assert_allclose(loaded.predict().to_numpy(), f.predict().to_numpy())
    assert_allclose(loaded.predict_interval().to_numpy(), f.predict_interval().to_numpy())


def test_direct_strategy_fits_one_model_per_step(monthly):
    f = WindowForecaster(Ridge(), window=6, horizon=4, strategy="direct", n_ensemble=2,
                         random_state=0, conformal=False).fit(monthly)
    assert len(f.estimators_) == 8
    assert all(est is not f.regressor for est in f.estimators_)


def test_window_normalisation_is_level_invariant(monthly):
    f = WindowForecaster(Ridge(alpha=1.0), window=6, horizon=3, normalize="window",
                         conformal=False)
    base = f.fit(monthly).predict().to_numpy()
    shifted = clone(f).fit(monthly * 100 + 1e4).predict().to_numpy()
    assert_allclose(shifted, base * 100 + 1e4, rtol=1e-8)


def test_any_regressor_pipeline_gets_2d_windows(monthly):
    f = WindowForecaster(make_pipeline(StandardScaler(), LinearRegression()), window=6,
                         horizon=3, conformal=False)
    assert_allclose(f.fit(monthly).predict().to_numpy(), periodic_trend(51)[48:], atol=1e-8)
    assert f.estimators_[0].n_features_in_ == 6


def test_leakage_future_values_do_not_change_the_forecast():
    rng = np.random.default_rng(1)
    y = 10 + np.cumsum(rng.normal(size=120))
    t = 90
    f = WindowForecaster(Ridge(), window=12, horizon=6, normalize="last", n_calibration=2)
    first = f.fit(y[:t]).predict_interval()
    altered = y.copy()
    altered[t:] = 1e6
    second = clone(f).fit(altered[:t]).predict_interval()
    assert_allclose(first.to_numpy(), second.to_numpy())


def test_global_model_on_series_of_different_lengths_and_levels():
    n = 60
    a = periodic_trend(n)
    b = 1000 + 50 * periodic_trend(n)
    frame = pd.DataFrame({"a": a, "b": b}, index=pd.date_range("2010", periods=n, freq="MS"))
    frame.loc[frame.index[:20], "b"] = np.nan
    f = WindowForecaster(LinearRegression(), window=6, horizon=3, global_model=True,
                         normalize="window", n_calibration=2).fit(frame)
    assert f.get_tag("capability:global") and len(f.estimators_) == 1
    # one model: windows of a (n - 8) plus windows of b (n - 20 - 8), none across the NaN
    assert f.last_windows_.shape == (2, 6)
    forecast = f.predict()
    assert list(forecast.columns) == ["a", "b"]
    assert_allclose(forecast["a"], periodic_trend(n + 3)[n:], atol=1e-6)
    assert_allclose(forecast["b"], 1000 + 50 * periodic_trend(n + 3)[n:], atol=1e-4)
    interval = f.predict_interval(coverage=0.8)
    assert interval.columns.nlevels == 2 and interval.shape == (3, 6)
    # per-series scaling when no window normalisation is asked for
    g = WindowForecaster(Ridge(alpha=1e-6), window=6, horizon=3, global_model=True,
                         conformal=False).fit(frame)
    assert_allclose(g.series_loc_, [np.mean(a), np.nanmean(frame["b"])])
    assert_allclose(g.predict()["b"], forecast["b"], rtol=1e-4)


@pytest.mark.parametrize("normalize", [None, "last", "mean", "seasonal", "window"])
def test_global_model_weighs_series_alike_whatever_their_scale(normalize):
    # each series is standardised first, so scaling one series scales its forecast and
    # leaves the other's alone: the largest series does not rule the training loss
    rng = np.random.default_rng(0)
    n = 48
    index = pd.date_range("2010", periods=n, freq="MS")
    base = pd.DataFrame({"a": periodic_trend(n) + rng.normal(0, 0.3, n),
                         "b": 5 + np.sin(np.arange(n) / 2) + rng.normal(0, 0.3, n)}, index=index)
    scaled = base.assign(b=1e4 * base["b"])

    def forecast(frame):
        return WindowForecaster(Ridge(alpha=1.0), window=12, horizon=3, global_model=True,
                                normalize=normalize, season_length=12,
                                conformal=False).fit(frame).predict()

    before, after = forecast(base), forecast(scaled)
    assert_allclose(after["a"], before["a"], rtol=1e-6)
    assert_allclose(after["b"], 1e4 * before["b"], rtol=1e-6)


def test_global_model_rejects_too_short_series():
    frame = pd.DataFrame({"a": np.arange(30.0), "b": np.r_[np.full(25, np.nan), np.arange(5.0)]})
    with pytest.raises(ValueError, match="Series 'b' has 5 values.*shorter `window`"):
        WindowForecaster(Ridge(), window=6, horizon=3, global_model=True).fit(frame)


def test_non_global_wide_frame_fits_one_clone_per_column(monthly):
    frame = pd.DataFrame({"x": monthly, "y": monthly * 2})
    f = WindowForecaster(LinearRegression(), window=6, horizon=3, conformal=False).fit(frame)
    assert set(f.forecasters_) == {"x", "y"}
    assert_allclose(f.predict()["y"], 2 * periodic_trend(51)[48:], atol=1e-8)


def test_ensemble_is_the_median_of_seeded_members(monthly):
    noisy = monthly + np.random.default_rng(0).normal(size=48)
    tree = DecisionTreeRegressor(max_features=2)
    ensemble = WindowForecaster(tree, window=6, horizon=3, n_ensemble=3, random_state=7,
                                conformal=False).fit(noisy)
    members = [
        WindowForecaster(tree, window=6, horizon=3, random_state=7 + i, conformal=False)
        .fit(noisy).predict().to_numpy()
        for i in range(3)
    ]
    assert [est.random_state for est in ensemble.estimators_] == [7, 8, 9]
    assert_allclose(ensemble.predict().to_numpy(), np.median(members, axis=0))


def test_nested_params_and_clone():
    f = WindowForecaster(Ridge(alpha=3.0), window=5)
    params = f.get_params(deep=True)
    assert params["regressor__alpha"] == 3.0 and params["window"] == 5
    f.set_params(regressor__alpha=0.5, horizon=2)
    c = clone(f)
    assert c.regressor.alpha == 0.5 and c.horizon == 2 and c.regressor is not f.regressor


def test_rnn_forecasters_share_the_regressors_settings():
    from tsforecast.networks import RNN_SETTINGS
    from tsforecast.regressors import GRURegressor, LSTMRegressor, SimpleRNNRegressor

    pairs = ((LSTMForecaster, LSTMRegressor), (GRUForecaster, GRURegressor),
             (SimpleRNNForecaster, SimpleRNNRegressor))
    for forecaster_class, regressor_class in pairs:
        forecaster, regressor = forecaster_class().get_params(), regressor_class().get_params()
        for setting in RNN_SETTINGS:  # same names and defaults in both
            assert forecaster[setting.name] == regressor[setting.name] == setting.default
        built = forecaster_class(units=(6,), head="seq2seq")._make_regressor()
        assert type(built) is regressor_class and built.units == (6,) and built.head == "seq2seq"
    f = LSTMForecaster(units=(4,), epochs=2)
    f.set_params(units=(6,), head="seq2seq", window=8)
    assert f.units == (6,) and f.head == "seq2seq" and f.window == 8
    assert clone(f).get_params() == f.get_params()
    with pytest.raises(ValueError, match="Invalid parameter 'alpha'"):
        f.set_params(alpha=1.0)


def test_lstm_forecasters_train_on_3d_windows(monthly):
    from tsforecast.regressors import LSTMRegressor

    wrapped = WindowForecaster(LSTMRegressor(units=(4,), epochs=1, random_state=0), window=6,
                               horizon=3, conformal=False).fit(monthly)
    assert wrapped.estimators_[0].n_channels_ == 1
    f = LSTMForecaster(window=6, horizon=3, units=(4,), epochs=2, head="seq2seq",
                       random_state=0, n_ensemble=2, conformal=False)
    forecast = f.fit(monthly).predict()
    assert forecast.shape == (3,) and np.isfinite(forecast.to_numpy()).all()
    assert len(f.estimators_) == 2 and f.estimators_[1].random_state == 1
    assert f.estimators_[0].head == "seq2seq" and f.estimators_[0].n_channels_ == 1


def test_intervals_need_conformal_calibration(monthly):
    f = WindowForecaster(Ridge(), window=6, horizon=3, conformal=False).fit(monthly)
    assert not f.get_tag("capability:pred_int")
    with pytest.raises(NotImplementedError):
        f.predict_interval()
    g = WindowForecaster(Ridge(), window=6, horizon=3).fit(monthly)
    with pytest.raises(ValueError, match="refit with `horizon=5`"):
        g.predict_interval(horizon=5)


def test_fitted_state_follows_the_persistence_rule(monthly):
    f = WindowForecaster(Ridge(), window=6, horizon=3, normalize="last").fit(monthly)
    allowed = (type(None), bool, int, float, str, list, np.ndarray, pd.Timestamp)
    for name, value in vars(f).items():
        if name.endswith("_") and not name.startswith("_"):
            assert isinstance(value, allowed), name
    assert all(isinstance(est, Ridge) for est in f.estimators_)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"window": 0}, "`window`=0 must be a positive integer"),
        ({"strategy": "iterated"}, "`strategy`='iterated' must be one of"),
        ({"normalize": "minmax"}, "`normalize`='minmax' must be one of"),
        ({"window": 60}, "has 48 values but `window`=60"),
    ],
)
def test_parameter_errors_name_the_fix(kwargs, match, monthly):
    with pytest.raises(ValueError, match=match):
        WindowForecaster(Ridge(), **kwargs).fit(monthly)


def test_default_forecaster_configuration():
    f = default_forecaster(season_length=12, horizon=24, n_obs=120)
    assert isinstance(f, TransformedForecaster)
    inner = f.forecaster
    assert isinstance(inner, LSTMForecaster) and inner.horizon == 24
    assert inner.window <= 120 - 24
    short = default_forecaster(season_length=12, horizon=12, n_obs=40)
    assert short.forecaster.window + 12 <= 40
    nonpositive = default_forecaster(season_length=12, horizon=12, n_obs=120, positive=False)
    assert nonpositive.transforms == []


@pytest.mark.slow
def test_default_forecaster_beats_seasonal_naive_on_air_passengers():
    from tsforecast.datasets import load_air_passengers

    y = load_air_passengers()
    train, test = y.iloc[:-24], y.iloc[-24:].to_numpy()
    values = train.to_numpy()
    scale = np.mean(np.abs(values[12:] - values[:-12]))
    snaive = np.tile(train.to_numpy()[-12:], 2)
    forecast = default_forecaster(12, 24, len(train)).fit(train).predict(24).to_numpy()
    assert np.mean(np.abs(test - forecast)) / scale < np.mean(np.abs(test - snaive)) / scale


@pytest.mark.slow
def test_lstm_forecaster_out_of_the_box_beats_seasonal_naive_on_air_passengers():
    from tsforecast.baselines import SeasonalNaive
    from tsforecast.datasets import load_air_passengers
    from tsforecast.metrics import mase

    y = load_air_passengers()
    train, test = y.iloc[:-24], y.iloc[-24:].to_numpy()
    f = LSTMForecaster(horizon=24, random_state=0).fit(train)
    assert f.normalize_ == "seasonal" and f.season_length_ == 12
    lstm = mase(test, f.predict(24).to_numpy(), y_train=train.to_numpy(), season_length=12)
    snaive = SeasonalNaive(season_length=12).fit(train).predict(24).to_numpy()
    baseline = mase(test, snaive, y_train=train.to_numpy(), season_length=12)
    # measured 0.92-0.97 over seeds 0-2, against 2.49
    assert lstm < 0.75 * baseline, (lstm, baseline)


def test_too_short_series_fits_but_has_no_intervals():
    y = np.arange(20.0)
    with pytest.warns(UserWarning, match="too short to calibrate"):
        f = WindowForecaster(Ridge(), window=8, horizon=6).fit(y)
    assert f.predict().shape == (6,)
    with pytest.raises(ValueError, match="no calibration residuals.*shorter window"):
        f.predict_interval()


def test_ensemble_and_calibration_models_fitted_in_threads_are_the_same(monthly):
    params = dict(window=12, horizon=6, n_ensemble=3, units=(4,), epochs=3, dropout=0.1,
                  random_state=0, n_calibration=2)
    serial = LSTMForecaster(**params).fit(monthly)
    threaded = LSTMForecaster(**params, n_jobs=2).fit(monthly)
    pd.testing.assert_frame_equal(threaded.predict_interval(coverage=0.8),
                                  serial.predict_interval(coverage=0.8))
    assert len(threaded.estimators_) == 3
    direct = WindowForecaster(DecisionTreeRegressor(), window=12, horizon=4, strategy="direct",
                              n_ensemble=2, random_state=0, n_jobs=2).fit(monthly)
    assert len(direct.estimators_) == 8
    pd.testing.assert_series_equal(
        direct.predict(),
        WindowForecaster(DecisionTreeRegressor(), window=12, horizon=4, strategy="direct",
                         n_ensemble=2, random_state=0).fit(monthly).predict(),
    )


# ------------------------------------------------------------------ covariates
class Recorder(RegressorMixin, BaseEstimator):
    """Least squares on flattened rows; keeps the rows it was trained on."""

    def __init__(self, sequences=False):
        self.sequences = sequences

    def fit(self, X, y):
        self.X_, self.y_ = np.asarray(X), np.asarray(y)
        self.model_ = LinearRegression().fit(self.X_.reshape(len(self.X_), -1), self.y_)
        return self

    def predict(self, X):
        X = np.asarray(X)
        return self.model_.predict(X.reshape(len(X), -1))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = self.sequences
        tags.target_tags.multi_output = True
        return tags


@pytest.fixture
def promo_data(monthly):
    """y[t] = 10 promo[t] + t: exact for a model that sees the promotion of each step."""
    rng = np.random.default_rng(0)
    index = pd.date_range("2000-01-01", periods=51, freq="MS")
    X = pd.DataFrame({"promo": rng.integers(0, 2, 51).astype(float),
                      "price": rng.normal(size=51)}, index=index)
    y = pd.Series(10 * X["promo"].to_numpy() + np.arange(51.0), index=index, name="sales")
    return y.iloc[:48], X


def test_covariate_windows_are_aligned_like_the_target(monthly):
    n = len(monthly)
    X = pd.DataFrame({"price": 1000.0 + np.arange(n), "promo": 2000.0 + np.arange(n) ** 2},
                     index=monthly.index)
    unit = (X - X.mean()) / X.std(ddof=0)
    f = WindowForecaster(Recorder(), window=4, horizon=3, future_covariates=["promo"],
                         conformal=False).fit(monthly, X)
    assert (f.past_covariates_, f.future_covariates_) == (["price"], ["promo"])
    rows, targets = f.estimators_[0].X_, f.estimators_[0].y_
    assert rows.shape == (n - 6, 4 + 4 + 7)
    for i in (0, 17, n - 7):
        assert_allclose(rows[i, :4], monthly.iloc[i : i + 4])
        assert_allclose(rows[i, 4:8], unit["price"].iloc[i : i + 4])  # the input window
        assert_allclose(rows[i, 8:], unit["promo"].iloc[i : i + 7])  # window and targets
        assert_allclose(targets[i], monthly.iloc[i + 4 : i + 7])
    g = WindowForecaster(Recorder(sequences=True), window=4, horizon=3,
                         future_covariates=["promo"], conformal=False).fit(monthly, X)
    channels = g.estimators_[0].X_
    assert channels.shape == (n - 6, 4, 3)
    for i in (0, 17, n - 7):
        assert_allclose(channels[i, :, 0], monthly.iloc[i : i + 4])
        assert_allclose(channels[i, :, 1], unit["price"].iloc[i : i + 4])
        # future covariates are shifted by the horizon: the last steps are the targets'
        assert_allclose(channels[i, :, 2], unit["promo"].iloc[i + 3 : i + 7])


def test_future_covariates_must_cover_the_forecast_steps(promo_data):
    y, X = promo_data
    f = WindowForecaster(LinearRegression(), window=4, horizon=3, future_covariates="all",
                         conformal=False).fit(y, X.iloc[:48])
    expected = 10 * X["promo"].iloc[48:].to_numpy() + np.arange(48.0, 51.0)
    # a frame with the history and the future rows: the future ones are picked by date
    assert_allclose(f.predict(X=X).to_numpy(), expected, atol=1e-6)
    assert_allclose(f.predict(X=X.iloc[48:].to_numpy()).to_numpy(), expected, atol=1e-6)
    with pytest.raises(ValueError, match="future covariate 'promo' is needed for the 3 steps"):
        f.predict()
    with pytest.raises(ValueError, match=r"no value for step 3 \(Timestamp\('2004-03-01"):
        f.predict(X=X.iloc[:50])
    with pytest.raises(ValueError, match="forecasts 3 steps at a time"):
        f.predict(2, X=X.iloc[:50])
    with pytest.raises(ValueError, match=r"lack the column\(s\) \['price'\]"):
        f.predict(X=X[["promo"]])
    with pytest.raises(ValueError, match="names \\['discount'\\], which X does not have"):
        clone(f).set_params(future_covariates=["discount"]).fit(y, X)


def test_past_covariates_are_known_only_up_to_the_cutoff():
    rng = np.random.default_rng(1)
    index = pd.date_range("2000-01-01", periods=63, freq="MS")
    x = pd.Series(np.cumsum(rng.normal(size=63)), index=index, name="related")
    y = pd.Series(1.0 + 2.0 * np.r_[0.0, x.to_numpy()[:-1]], index=index)  # y[t] = 1 + 2x[t-1]
    for strategy in ("multioutput", "recursive"):
        f = WindowForecaster(LinearRegression(), window=3, horizon=1, strategy=strategy,
                             conformal=False).fit(y.iloc[:60], x.iloc[:60].to_frame())
        assert_allclose(f.predict(1).to_numpy(), [1 + 2 * x.iloc[59]], atol=1e-8)
        with pytest.raises(ValueError, match="past covariates are known only up to the cutoff"
                                             ".*Predict at most 1 step"):
            f.predict(3)
        # their future values (forecasts of the related series) let the forecast go on
        assert_allclose(f.predict(3, X=x.to_frame()).to_numpy(),
                        1 + 2 * x.iloc[59:62].to_numpy(), atol=1e-8)


def test_lstm_forecaster_uses_the_covariates(promo_data):
    # the report: LSTMForecaster().fit(y, X) silently ignored X
    y, X = promo_data
    params = {"window": 6, "horizon": 3, "units": (4,), "epochs": 2, "random_state": 0,
              "conformal": False}
    with_x = LSTMForecaster(**params).fit(y, X.iloc[:48])
    assert with_x.estimators_[0].n_channels_ == 3
    assert with_x.past_covariates_ == ["promo", "price"]
    without = LSTMForecaster(**params).fit(y).predict()
    assert not np.allclose(with_x.predict().to_numpy(), without.to_numpy())
    wrapped = WindowForecaster(LSTMRegressor(units=(4,), epochs=1, random_state=0), window=6,
                               horizon=3, future_covariates=["promo"], conformal=False)
    assert wrapped.fit(y, X.iloc[:48]).estimators_[0].n_channels_ == 3
    assert np.isfinite(wrapped.predict(X=X).to_numpy()).all()


def test_global_model_with_covariates_of_each_series_in_long_data(promo_data):
    y, X = promo_data
    rows = []
    for name, level in (("a", 0.0), ("b", 100.0)):
        rows.append(pd.DataFrame({"unique_id": name, "ds": X.index, "y": np.r_[y + level, [np.nan] * 3],
                                  "promo": X["promo"].to_numpy()}))
    data = pd.concat(rows, ignore_index=True)
    history, future = data.dropna(subset=["y"]), data[data["ds"] >= "2004-01-01"].drop(columns="y")
    f = WindowForecaster(LinearRegression(), window=4, horizon=3, global_model=True,
                         future_covariates=["promo"], normalize="last", conformal=False)
    forecast = f.fit(history).predict(X=future)
    assert list(forecast.columns) == ["unique_id", "ds", "y"]
    expected = 10 * X["promo"].iloc[48:].to_numpy() + np.arange(48.0, 51.0)
    assert_allclose(forecast["y"], np.r_[expected, expected + 100], atol=1e-6)
    # a series it was not trained on, with its own covariates
    new = history[history["unique_id"] == "a"].assign(unique_id="c", y=lambda d: d["y"] - 50)
    unseen = f.predict(X=future[future["unique_id"] == "a"].assign(unique_id="c"), y=new)
    assert unseen["unique_id"].unique().tolist() == ["c"]
    assert_allclose(unseen["y"], expected - 50, atol=1e-6)


def test_single_output_regressors_switch_to_the_direct_strategy(monthly):
    from sklearn.ensemble import HistGradientBoostingRegressor

    # the report: "y should be a 1d array" from inside scikit-learn
    f = WindowForecaster(HistGradientBoostingRegressor(max_iter=5), window=6, horizon=3,
                         n_calibration=2).fit(monthly)
    assert f.strategy == "multioutput" and f.strategy_ == "direct" and len(f.estimators_) == 3
    assert f.predict_interval().shape == (3, 3)
    assert WindowForecaster(Ridge(), window=6, horizon=3, conformal=False).fit(
        monthly).strategy_ == "multioutput"


# ----------------------------------------------------------- new data, no refit
def test_global_model_forecasts_a_series_it_was_not_trained_on():
    n = 60
    index = pd.date_range("2010-01-01", periods=n, freq="MS")
    frame = pd.DataFrame({"a": periodic_trend(n), "b": 1000 + 50 * periodic_trend(n)}, index=index)
    f = WindowForecaster(LinearRegression(), window=6, horizon=3, global_model=True,
                         n_calibration=2).fit(frame)
    new = pd.Series(7 + 3 * periodic_trend(n), index=index - pd.DateOffset(months=5), name="c")
    forecast = f.predict(y=new)
    assert forecast.name == "c" and forecast.index[0] == index[-5]
    # per-series normalisation uses the new history's own statistics (those of the
    # training series would shift the forecast)
    assert_allclose(forecast.to_numpy(), 7 + 3 * periodic_trend(n + 3)[n:], atol=1e-6)
    interval = f.predict_interval(y=new, coverage=0.8)
    assert (interval["upper"] >= interval["lower"]).all()
    both = f.predict(y=pd.DataFrame({"c": new, "d": new * 2}))
    assert list(both.columns) == ["c", "d"]
    # the fitted model is untouched
    assert_allclose(f.predict()["a"], periodic_trend(n + 3)[n:], atol=1e-6)


def test_local_model_forecasts_updated_and_new_series(monthly):
    f = WindowForecaster(LinearRegression(), window=6, horizon=3, conformal=False).fit(monthly)
    longer = pd.Series(periodic_trend(60), index=pd.date_range("2000-01-01", periods=60, freq="MS"))
    assert_allclose(f.predict(y=longer).to_numpy(), periodic_trend(63)[60:], atol=1e-6)
    # conformal residuals follow the scale of the new series when series are standardised
    noisy = WindowForecaster(LinearRegression(), window=6, horizon=3, normalize="series",
                             n_calibration=2).fit(monthly + np.sin(np.arange(48.0)))
    base = noisy.predict_interval(y=longer)
    assert (base["upper"] - base["lower"] > 0).all()
    assert_allclose(noisy.predict_interval(y=10 * longer).to_numpy(), 10 * base.to_numpy(),
                    rtol=1e-6)
    panel = f.predict(y=pd.DataFrame({"x": longer, "z": longer + 5}))
    assert_allclose(panel["z"] - panel["x"], 5.0, atol=1e-6)
    per_column = WindowForecaster(LinearRegression(), window=6, horizon=3,
                                  conformal=False).fit(pd.DataFrame({"x": monthly, "z": monthly}))
    assert_allclose(per_column.predict(y=longer.rename("z")).to_numpy(), periodic_trend(63)[60:],
                    atol=1e-6)
    with pytest.raises(ValueError, match="none for series 'w'.*global_model=True"):
        per_column.predict(y=longer.rename("w"))
    with pytest.raises(ValueError, match="fitted on monthly data but the new data are daily"):
        f.predict(y=pd.Series(np.arange(30.0), index=pd.date_range("2000", periods=30, freq="D")))
    with pytest.raises(ValueError, match="has 4 values; forecasting needs its last `window`=6"):
        f.predict(y=longer.iloc[:4])


def test_covariate_models_survive_save_and_load(promo_data, tmp_path):
    from tsforecast.persistence import load, save

    y, X = promo_data
    f = WindowForecaster(Ridge(), window=4, horizon=3, future_covariates=["promo"],
                         calendar=True, n_calibration=2).fit(y, X.iloc[:48])
    save(f, tmp_path / "model.tsf")
    loaded = load(tmp_path / "model.tsf")
    assert loaded.future_covariates_ == f.future_covariates_
    pd.testing.assert_frame_equal(loaded.predict_interval(X=X), f.predict_interval(X=X))

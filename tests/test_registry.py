import subprocess
import sys

import numpy as np
import pytest

from tsforecast import registry
from tsforecast.defaults import default_window, make_forecaster
from tsforecast.registry import names, resolve_name


@pytest.mark.parametrize(
    "name, class_name",
    [
        ("naive", "Naive"),
        ("snaive", "SeasonalNaive"),
        ("drift", "Drift"),
        ("mean", "Mean"),
        ("naive2", "Naive2"),
        ("arima", "ARIMA"),
        ("autoarima", "AutoARIMA"),
        ("ets", "ETS"),
        ("theta", "Theta"),
        ("simple", "SimpleRNNForecaster"),
        ("lstm", "LSTMForecaster"),
        ("gru", "GRUForecaster"),
        ("global-lstm", "LSTMForecaster"),
    ],
)
def test_every_name_builds_its_class(name, class_name):
    forecaster = make_forecaster(name, season_length=12, horizon=6, random_state=3)
    assert type(forecaster).__name__ == class_name
    assert type(forecaster).__module__.startswith("tsforecast.")


def test_names_cover_the_contract():
    expected = {"naive", "snaive", "drift", "mean", "naive2", "arima", "autoarima", "ets",
                "theta", "simple", "lstm", "gru"}
    assert expected <= set(names())
    assert {"global-simple", "global-lstm", "global-gru"} <= set(names())


def test_context_options_reach_the_forecasters_that_use_them():
    assert make_forecaster("snaive", season_length=4).season_length == 4
    assert make_forecaster("naive2", season_length=7).season_length == 7
    assert make_forecaster("autoarima", season_length=12).season_length == 12
    assert make_forecaster("ets", season_length=12).season_length == 12
    # naive takes no season length: silently not passed
    assert make_forecaster("naive", season_length=12, horizon=3).get_params() == {}
    arima = make_forecaster("arima", season_length=12)
    assert arima.order == (1, 1, 1) and arima.seasonal_order == (0, 1, 1, 12)
    assert make_forecaster("arima", season_length=1).seasonal_order == (0, 0, 0, 0)
    assert make_forecaster("arima", order=(2, 0, 0)).order == (2, 0, 0)


def test_network_options_and_defaults():
    lstm = make_forecaster("lstm", season_length=12, horizon=6, random_state=5, units=(8, 4),
                           epochs=2, bidirectional=True)
    params = lstm.get_params(deep=True)
    assert lstm.window == 36 and lstm.horizon == 6  # three seasons, as for "auto"
    assert _value(params, "units") == (8, 4) and _value(params, "epochs") == 2
    assert _value(params, "bidirectional") is True
    assert _value(params, "random_state") == 5
    assert make_forecaster("gru", horizon=3, window=5).window == 5
    glob = make_forecaster("global-gru", season_length=12, horizon=12)
    assert glob.global_model is True and not make_forecaster("gru", horizon=2).global_model


def _value(params, name):
    keys = sorted((k for k in params if k == name or k.endswith("__" + name)),
                  key=lambda k: k.count("__"))
    return params[keys[0]]


def test_transforms_wrap_the_forecaster():
    from tsforecast.transforms import Difference, LogTransform, TransformedForecaster

    forecaster = make_forecaster("snaive", season_length=12, transforms="log,diff12")
    assert isinstance(forecaster, TransformedForecaster)
    assert [type(t) for t in forecaster.transforms] == [LogTransform, Difference]
    assert type(forecaster.forecaster).__name__ == "SeasonalNaive"
    assert type(make_forecaster("naive", transforms="none")).__name__ == "Naive"


def test_unknown_name_lists_valid_names_and_suggests():
    with pytest.raises(ValueError, match=r"Unknown forecaster 'lstn'; did you mean 'lstm'\?"):
        make_forecaster("lstn")
    with pytest.raises(ValueError, match="choose one of: naive, snaive, drift"):
        make_forecaster("prophet")
    with pytest.raises(TypeError, match="must be a string"):
        resolve_name(3)


def test_aliases_and_spelling_variants():
    assert resolve_name("Seasonal_Naive") == "snaive"
    assert resolve_name(" AUTO-ARIMA ") == "autoarima"
    assert resolve_name("lstm_global") == "global-lstm"
    assert resolve_name("GRU") == "gru"


def test_unknown_option_is_a_clear_error():
    with pytest.raises(ValueError, match="'naive' does not accept the option 'units'"):
        make_forecaster("naive", units=(4,))
    with pytest.raises(ValueError, match="valid options are: .*season_length"):
        make_forecaster("snaive", color="red")


@pytest.mark.parametrize(
    "season, horizon, n_obs, expected",
    [(12, 12, None, 36), (1, 6, None, 12), (4, 8, None, 12), (52, 13, None, 156),
     (12, 12, 40, 14), (12, 6, 100, 36), (1, 1, None, 12)],
)
def test_default_window_is_the_window_of_the_default_forecaster(season, horizon, n_obs,
                                                                expected):
    from tsforecast.defaults import default_forecaster

    assert default_window(season, horizon, n_obs) == expected
    if n_obs is not None:
        assert default_forecaster(season, horizon, n_obs).forecaster.window == expected
    for name in ("simple", "lstm", "gru", "global-lstm"):
        network = make_forecaster(name, season_length=season, horizon=horizon, n_obs=n_obs)
        assert network.window == expected


def test_auto_is_the_default_forecaster():
    from tsforecast.transforms import LogTransform

    from tsforecast.defaults import default_forecaster

    auto = make_forecaster("AUTO", season_length=12, horizon=6, n_obs=100, random_state=3)
    expected = default_forecaster(12, 6, 100, positive=True, random_state=3)
    assert type(auto) is type(expected)
    assert repr(auto.get_params(deep=True)) == repr(expected.get_params(deep=True))
    assert [type(t) for t in auto.transforms] == [LogTransform]
    assert auto.forecaster.normalize == "seasonal" and auto.forecaster.n_ensemble == 5
    raw = make_forecaster("auto", season_length=12, horizon=6, positive=False, units=(4,),
                          epochs=2, window=20)
    assert raw.transforms == [] and raw.forecaster.window == 20
    assert _value(raw.get_params(deep=True), "units") == (4,)
    assert _value(raw.get_params(deep=True), "epochs") == 2
    assert "auto" in names() and "auto" in registry.NEURAL
    with pytest.raises(ValueError, match="'auto' chooses its own transforms"):
        make_forecaster("auto", season_length=12, transforms="log")
    with pytest.raises(ValueError, match="'auto' does not accept the option 'color'"):
        make_forecaster("auto", color="red")


def test_fitted_forecasters_from_the_registry_forecast():
    y = 10 + np.sin(np.arange(60) * 2 * np.pi / 12)
    for name in ("naive", "snaive", "drift", "mean", "naive2"):
        forecast = make_forecaster(name, season_length=12).fit(y).predict(12)
        assert forecast.shape == (12,) and np.isfinite(forecast).all()
    seasonal = make_forecaster("snaive", season_length=12).fit(y).predict(12)
    np.testing.assert_allclose(seasonal.to_numpy(), y[-12:])


def test_import_is_light():
    code = ("import sys, tsforecast.registry; "
            "print([m for m in ('numpy', 'pandas', 'sklearn', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert registry.NEURAL and set(registry.NEURAL) <= set(registry.FORECASTERS)

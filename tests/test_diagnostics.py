"""tsforecast.diagnostics: the unrolled network, its gradients, and explain's known answers."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import tsforecast as tsf
from tsforecast import persistence
from tsforecast.backend import gradients
from tsforecast.backend.unrolled_network import unrolled_network
from tsforecast.diagnostics import Explanation, explain, plot_comparison
from tsforecast.diagnostics.gradient_flow import EXPLODE_RATIO, vanish_lag
from tsforecast.diagnostics.memory import describe_memory, profile_peaks
from tsforecast.diagnostics.subject import resolve_subject
from tsforecast.diagnostics.training_health import describe_training
from tsforecast.diagnostics.verdict import findings
from tsforecast.networks import build_rnn
from tsforecast.validation import InputTypeError, InputValueError

#: Every kind of network build_rnn makes, each cell in several: every cell inside
#: ``Bidirectional``, inside ``TimeDistributed`` (dilated layers, skip connections) and as a
#: seq2seq decoder, the GRU in both of Keras' variants (``reset_after``), with and without
#: the highway.
CONFIGURATIONS = [
    ("simple", {"units": (4, 3), "bidirectional": True, "residual": True, "head": "seq2seq"}),
    ("simple", {"units": (4, 4), "dilations": (2, 3), "bidirectional": True}),
    ("lstm", {"units": (4, 3), "bidirectional": True, "residual": True, "head": "seq2seq"}),
    ("lstm", {"units": (3,), "skip": 5, "head": "seq2seq"}),
    ("gru", {"units": (3, 3), "bidirectional": True, "reset_after": False, "highway": False}),
    ("gru", {"units": (4, 4), "dilations": (2, 3), "bidirectional": True}),
    ("gru", {"units": (3,), "skip": 5, "head": "seq2seq", "reset_after": False}),
]


def _seasonal_random_walk(n, period=12, seed=0):
    """A season that drifts: only the same phase of earlier seasons predicts a value."""
    rng = np.random.default_rng(seed)
    season = np.zeros(n)
    season[:period] = rng.standard_normal(period)
    for t in range(period, n):
        season[t] = 0.9 * season[t - period] + 0.45 * rng.standard_normal()
    y = season + 0.5 * rng.standard_normal(n)
    return (y - y.mean()) / y.std()


def _weights(model):
    return [v.numpy() for v in model.trainable_variables]


# ------------------------------------------------------------------ unrolled network
@pytest.mark.parametrize(("cell", "config"), CONFIGURATIONS,
                         ids=[f"{cell}-" + "-".join(f"{k}={v}" for k, v in config.items())
                              for cell, config in CONFIGURATIONS])
def test_the_unrolled_network_reproduces_the_keras_model(cell, config):
    rng = np.random.default_rng(1)
    model = build_rnn(window=12, n_features=2, horizon=3, cell=cell, seed=1, compile=False,
                      **config)
    for variable in model.trainable_variables:  # biases and heads away from their zeros
        variable.assign(variable.numpy() + 0.1 * rng.standard_normal(variable.shape))
    x = rng.standard_normal((5, 12, 2)).astype(np.float32)
    network = unrolled_network(model)
    output, gates = network.forward(_weights(model), x)
    np.testing.assert_allclose(np.asarray(output), np.asarray(model(x)), rtol=1e-5, atol=2e-6)
    expected_gates = {"simple": 0, "lstm": 3, "gru": 2}[cell] * len(network.directions)
    assert len(gates) == expected_gates


def test_directions_are_named_per_layer_and_direction():
    model = build_rnn(window=12, horizon=2, cell="gru", units=(4, 3), bidirectional=True,
                      head="seq2seq", seed=0, compile=False)
    network = unrolled_network(model)
    assert [(d.label, d.direction, d.role) for d in network.directions] == [
        ("gru_1/forward", "forward", "encoder"), ("gru_1/backward", "backward", "encoder"),
        ("gru_2/forward", "forward", "encoder"), ("gru_2/backward", "backward", "encoder"),
        ("gru_decoder", "forward", "decoder"),
    ]
    # one traced function per architecture: equal networks for equal architectures
    first, twin = (unrolled_network(build_rnn(window=12, horizon=2, cell="gru", units=(4, 3),
                                              seed=seed, compile=False)) for seed in (0, 5))
    assert first == twin and hash(first) == hash(twin) and first != network


def test_a_network_without_recurrent_layers_is_refused():
    import keras

    inputs = keras.Input(shape=(6, 1))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(inputs)))
    with pytest.raises(InputValueError, match="no recurrent layer"):
        unrolled_network(model)


def test_the_pullback_matches_finite_differences():
    rng = np.random.default_rng(0)
    model = build_rnn(window=6, horizon=2, cell="lstm", units=(3, 2), bidirectional=True,
                      skip=2, seed=1, compile=False)
    network = unrolled_network(model)
    x = rng.standard_normal((4, 6, 1)).astype(np.float32)
    cotangents = rng.standard_normal((3, 4, 2)).astype(np.float32)
    output, _, d_x, d_eps = gradients.pullback_function(network)(_weights(model), x, cotangents)
    fd_output, _, fd_x, fd_eps = gradients._finite_difference_pullback(network)(
        _weights(model), x, cotangents)
    np.testing.assert_allclose(output, fd_output, rtol=1e-6)
    scale = np.abs(d_x).max()
    np.testing.assert_allclose(d_x, fd_x, atol=1e-3 * scale)
    assert set(d_eps) == {d.label for d in network.directions}
    for label in d_eps:
        np.testing.assert_allclose(d_eps[label], fd_eps[label], atol=1e-3 * scale)


def test_the_loss_probe_matches_the_training_loss_gradient():
    import jax

    rng = np.random.default_rng(0)
    model = build_rnn(window=8, horizon=2, cell="gru", units=(4,), seed=2, compile=False)
    network = unrolled_network(model)
    x = rng.standard_normal((6, 8, 1)).astype(np.float32)
    y = rng.standard_normal((6, 2)).astype(np.float32)
    loss, norms, flow = gradients.loss_probe_function(network)(_weights(model), x, y)

    def keras_loss(trainable):
        out, _ = model.stateless_call(trainable, [v.value for v in model.non_trainable_variables], x)
        return jax.numpy.mean((out - y) ** 2)

    value, grads = jax.value_and_grad(keras_loss)([v.value for v in model.trainable_variables])
    np.testing.assert_allclose(loss, float(value), rtol=1e-5)
    np.testing.assert_allclose(norms, [float(np.linalg.norm(g)) for g in grads], rtol=1e-4)
    assert flow["gru_1"].shape == (8,)


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                    reason="the tensorflow backend is not installed")
def test_tensorflow_gradients_match_jax(tmp_path):
    script = """
import sys, numpy as np, tsforecast
from tsforecast.networks import build_rnn
from tsforecast.backend.unrolled_network import unrolled_network
from tsforecast.backend import gradients
rng = np.random.default_rng(0)
model = build_rnn(window=6, horizon=2, cell="lstm", units=(3,), bidirectional=True, seed=1,
                  compile=False)
weights = [w.astype(np.float32) for w in np.load(sys.argv[1], allow_pickle=False).values()]
x = rng.standard_normal((4, 6, 1)).astype(np.float32)
cot = rng.standard_normal((2, 4, 2)).astype(np.float32)
out, gates, d_x, d_eps = gradients.pullback_function(unrolled_network(model))(weights, x, cot)
np.save(sys.argv[2], d_x)
"""
    model = build_rnn(window=6, horizon=2, cell="lstm", units=(3,), bidirectional=True, seed=1,
                      compile=False)
    np.savez(tmp_path / "w.npz", *_weights(model))
    results = {}
    for backend in ("jax", "tensorflow"):
        out = tmp_path / f"{backend}.npy"
        subprocess.run([sys.executable, "-c", script, str(tmp_path / "w.npz"), str(out)],
                       check=True, env={**os.environ, "KERAS_BACKEND": backend})
        results[backend] = np.load(out)
    np.testing.assert_allclose(results["tensorflow"], results["jax"], rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------ known answers
def test_a_simple_rnn_vanishes_where_an_lstm_keeps_the_gradient():
    # the target is the first value of a 120-step window: only a long memory solves it
    rng = np.random.default_rng(0)
    X = rng.standard_normal((384, 120)).astype(np.float32)
    y = X[:, 0]
    common = {"units": (16,), "epochs": 30, "learning_rate": 1e-2, "random_state": 0,
              "highway": False, "early_stopping": False}
    simple = tsf.SimpleRNNRegressor(**common).fit(X, y)
    plain_lstm = tsf.LSTMRegressor(**common).fit(X, y)
    # chrono gate biases open the forget gates over the window (Tallec and Ollivier 2018)
    lstm = tsf.LSTMRegressor(gate_init="chrono", **common).fit(X, y)
    simple_result = explain(simple, X, y)
    simple_flow = simple_result.flow["simple_1"]
    plain_flow = explain(plain_lstm, X, y).flow["lstm_1"]
    lstm_result = explain(lstm, X, y)
    lstm_flow = lstm_result.flow["lstm_1"]
    assert simple_flow["ratio"] < 1e-4 and simple_flow["vanish_lag"] < 60
    assert "gradients vanish beyond lag" in simple_result.verdict
    # Keras' LSTM (forget-gate bias 1) already keeps far more of the gradient
    assert plain_flow["ratio"] > 100 * simple_flow["ratio"]
    assert plain_flow["vanish_lag"] > simple_flow["vanish_lag"] + 20
    assert lstm_flow["ratio"] > 100 * plain_flow["ratio"]
    assert lstm_flow["vanish_lag"] is None
    # it reads the first value: the sensitivity peaks at the oldest lag
    assert lstm_result.memory["peaks"][0] == 120
    assert lstm_result.memory["effective_memory"] >= 110


def test_the_sensitivity_of_a_seasonal_model_peaks_at_the_season_and_its_multiple():
    y = _seasonal_random_walk(400)
    # the default network: the recurrent cell beside a linear highway (the same cell alone
    # forecasts from the last few values of this series)
    f = tsf.LSTMForecaster(window=30, horizon=1, units=(16,), epochs=60, learning_rate=3e-3,
                           normalize="series", season_length=12, highway=True, random_state=0,
                           conformal=False).fit(y)
    result = explain(f, y=y)
    assert result.memory["peaks"][:2] == [12, 24]
    profile = result.memory["profile"]  # index d - 1: distance d from the target
    assert profile[11] > 3 * max(profile[10], profile[12])
    assert profile[23] > 3 * max(profile[22], profile[24])
    assert result.memory["peaks_at_season_multiples"]
    assert any("multiples of the season (12)" in f["text"] for f in result.findings)
    assert all(f["reaches"] for f in result.flow.values())
    assert result.info["data"].startswith("training windows")
    assert result.info["n_windows_available"] == 400 - 30
    assert result.info["n_windows"] == 256  # evenly spaced sample (max_windows)


def test_huge_recurrent_weights_explode_and_clipping_fires():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 30)).astype(np.float32)
    y = X[:, -1]
    reg = tsf.SimpleRNNRegressor(units=(16,), epochs=1, random_state=0, highway=False).fit(X, y)
    calm = explain(reg, X, y)
    orthogonal, _ = np.linalg.qr(rng.standard_normal((16, 16)))
    reg.model_.get_layer("simple_1").cell.recurrent_kernel.assign(3.0 * orthogonal)
    wild = explain(reg, X, y)
    assert wild.flow["simple_1"]["ratio"] > EXPLODE_RATIO > calm.flow["simple_1"]["ratio"]
    assert "explode" in wild.verdict
    assert wild.findings[0]["level"] == "problem"
    now_calm, now_wild = calm.training["clipping_now"], wild.training["clipping_now"]
    assert now_wild["clip_fraction"] > now_calm["clip_fraction"]
    assert now_wild["gradient_norm"] > 100 * now_calm["gradient_norm"]


def test_clipping_counts_recorded_during_training_go_up_with_large_gradients():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 12)).astype(np.float32)
    y = X[:, -1]
    # without the highway, whose ridge start would fit this linear target before training
    options = {"units": (8,), "epochs": 3, "random_state": 0, "track_gradients": True,
               "highway": False}
    small = tsf.GRURegressor(**options).fit(X, y)
    large = tsf.GRURegressor(**options).fit(X, 100 * y)  # gradients a hundred times larger
    for reg in (small, large):
        assert len(reg.history_["clip_fraction"]) == reg.n_epochs_
        assert all(0 <= v <= 1 for v in reg.history_["clip_steps"])
    assert min(large.history_["clip_fraction"]) == 1.0
    assert max(small.history_["clip_fraction"]) < 1.0
    assert min(large.history_["gradient_norm"]) > 10 * max(small.history_["gradient_norm"])
    assert describe_training(large.history_, clipnorm=1.0)["frequent_clipping"]


def test_tracking_reports_per_layer_and_direction_and_leaves_training_unchanged():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 10)).astype(np.float32)
    y = X[:, -3:]
    options = {"units": (4, 3), "bidirectional": True, "epochs": 3, "random_state": 0,
               "highway": False}
    plain = tsf.LSTMRegressor(**options).fit(X, y)
    tracked = tsf.LSTMRegressor(track_gradients=True, **options).fit(X, y)
    np.testing.assert_array_equal(plain.predict(X), tracked.predict(X))
    assert plain.history_["loss"] == tracked.history_["loss"]
    ratios = sorted(k for k in tracked.history_ if k.startswith("gradient_ratio/"))
    assert ratios == ["gradient_ratio/lstm_1/backward", "gradient_ratio/lstm_1/forward",
                      "gradient_ratio/lstm_2/backward", "gradient_ratio/lstm_2/forward"]
    assert "gradient_norm" not in plain.history_
    result = explain(tracked, X, y)
    assert set(result.flow) == {"lstm_1/forward", "lstm_1/backward", "lstm_2/forward",
                                "lstm_2/backward"}
    assert {k.rsplit("/", 1)[0] for k in result.gates} == set(result.flow)
    assert result.training["tracked"]
    frame = result.to_frame()
    assert set(frame["name"][frame["aspect"] == "gradient_flow"]) == set(result.flow)
    # the top layer hands the head its final states: the forward direction's at the newest
    # step, the backward direction's at the oldest; the gradient is largest there
    backward = result.flow["lstm_2/backward"]["norms"]
    forward = result.flow["lstm_2/forward"]["norms"]
    assert np.argmax(backward) == 0 and np.argmax(forward) == len(forward) - 1


def test_seq2seq_reports_the_encoder_and_the_decoder():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((96, 12)).astype(np.float32)
    y = X[:, -4:]
    reg = tsf.GRURegressor(units=(4,), head="seq2seq", epochs=2, random_state=0,
                           highway=False).fit(X, y)
    result = explain(reg, X, y)
    assert [(label, f["role"], len(f["norms"])) for label, f in result.flow.items()] == [
        ("gru_1", "encoder", 12), ("gru_decoder", "decoder", 4)]
    assert list(result.gates) == ["gru_1/update", "gru_1/reset", "gru_decoder/update",
                                  "gru_decoder/reset"]
    assert all(v.shape == (12,) for k, v in result.gates.items() if k.startswith("gru_1/"))
    assert min(result.flow["gru_decoder"]["norms"]) > 0  # every decoder state reaches the loss
    frame = result.to_frame()
    assert len(frame.query("aspect == 'gradient_flow' and name == 'gru_decoder'")) == 4
    assert len(frame.query("aspect == 'gate' and name == 'gru_decoder/update'")) == 4
    assert "gru_decoder" in result.summary()["gradient_flow"]


def test_a_forecast_the_recurrent_layers_do_not_reach_is_named():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 8)).astype(np.float32)
    y = X[:, -1]
    reg = tsf.LSTMRegressor(units=(4,), epochs=1, random_state=0, highway=True).fit(X, y)
    # the start of a highway network: the recurrent part's head at zero
    for variable in reg.model_.get_layer("head").trainable_variables:
        variable.assign(np.zeros(variable.shape, np.float32))
    result = explain(reg, X, y)
    flow = result.flow["lstm_1"]
    assert not flow["reaches"] and np.isnan(flow["ratio"]) and flow["vanish_lag"] is None
    assert "linear highway's alone" in result.verdict
    assert result.summary()["gradient_flow"]["lstm_1"]["ratio"] is None
    # the forecast still reads the window, through the highway: it peaks at the last value
    assert result.memory["peaks"][0] == 1
    panel = result.plot()["gradient_flow"].axes[0]
    assert "no gradient reaches lstm_1" in " ".join(t.get_text() for t in panel.texts)


def test_explain_does_not_change_the_fitted_model():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 8)).astype(np.float32)
    y = X[:, -1]
    reg = tsf.GRURegressor(units=(4,), epochs=2, random_state=0).fit(X, y)
    before = reg.predict(X)
    weights = [w.copy() for w in reg.model_.get_weights()]
    history = {k: list(v) for k, v in reg.history_.items()}
    explain(reg, X, y)
    explain(reg, X)
    np.testing.assert_array_equal(reg.predict(X), before)
    for a, b in zip(reg.model_.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    assert reg.history_ == history


def test_forecaster_windows_are_scaled_as_in_training():
    y = pd.Series(np.exp(_seasonal_random_walk(120, seed=3) / 5 + 3),
                  index=pd.date_range("2000-01", periods=120, freq="MS"))
    f = tsf.TransformedForecaster("log", tsf.LSTMForecaster(
        window=24, horizon=6, units=(4,), epochs=5, random_state=0, conformal=False)).fit(y)
    subject = resolve_subject(f, y=y)
    reg = subject.regressor
    assert subject.info["normalize"] == "seasonal"  # resolved from "auto"
    # the network's error on the rebuilt windows is its training loss
    error = float(np.mean((reg.predict(subject.X) - subject.Y) ** 2))
    assert error == pytest.approx(reg.history_["loss"][-1], rel=0.5)
    # without the series: the kept last window, whose forecast is the forecaster's
    last = resolve_subject(f)
    assert last.Y is None and last.X.shape == (1, 24, 1)
    result = explain(f)
    assert result.info["quantity"] == "forecast" and result.info["n_windows"] == 1


def test_explain_needs_what_the_model_does_not_keep():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 6))
    reg = tsf.SimpleRNNRegressor(units=(2,), epochs=1, random_state=0).fit(X, X[:, 0])
    with pytest.raises(InputValueError, match="keeps no training windows"):
        explain(reg)
    with pytest.raises(InputValueError, match="does not fit"):
        explain(reg, X[:, :4])
    with pytest.raises(InputTypeError, match="recurrent regressor or forecaster"):
        explain(tsf.WindowForecaster(__import__("sklearn.linear_model").linear_model.Ridge(),
                                     window=4, horizon=2, conformal=False).fit(np.arange(30.0)))
    f = tsf.GRUForecaster(window=6, horizon=2, units=(2,), epochs=1, n_ensemble=2,
                          random_state=0, conformal=False).fit(np.sin(np.arange(40.0)))
    with pytest.raises(InputValueError, match="`member`=2"):
        explain(f, member=2)
    assert explain(f, member=1).info["member"] == 1


def test_a_long_series_is_sampled():
    y = np.sin(np.arange(5000) * 2 * np.pi / 24) + 0.1 * np.random.default_rng(0).standard_normal(5000)
    f = tsf.GRUForecaster(window=48, horizon=12, units=(8,), epochs=1, random_state=0,
                          conformal=False).fit(y)
    result = explain(f, y=y, max_windows=128)
    assert result.info["n_windows"] == 128
    assert result.info["n_windows_available"] == 5000 - 48 - 12 + 1


# ------------------------------------------------------------------ summaries
def test_summary_frame_and_plots(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 8)).astype(np.float32)
    reg = tsf.LSTMRegressor(units=(4,), epochs=2, random_state=0,
                            track_gradients=True).fit(X, X[:, -2:])
    result = explain(reg, X, X[:, -2:])
    assert isinstance(result, Explanation) and result.verdict in repr(result)
    summary = result.summary()
    json.dumps(summary, allow_nan=False)
    assert summary["verdict"] == result.verdict
    assert summary["network"]["cell_name"] == "LSTM"
    frame = result.to_frame()
    assert list(frame.columns) == ["aspect", "name", "step", "lag", "value"]
    assert set(frame["aspect"]) == {"gradient_flow", "sensitivity", "gate", "training"}
    sensitivity = frame[frame["aspect"] == "sensitivity"]
    assert sorted(set(sensitivity["step"])) == [1, 2] and sensitivity["lag"].max() == 8
    figures = result.plot(tmp_path / "summary.png")
    assert set(figures) == {"gradient_flow", "memory", "gates", "training", "summary"}
    assert (tmp_path / "summary.png").stat().st_size > 10_000
    figure = plot_comparison([result, result], tmp_path / "side.png", labels=["a", "b"])
    assert len(figure.axes) >= 6 and (tmp_path / "side.png").exists()


def test_memory_and_flow_arithmetic():
    sensitivity = np.zeros((2, 30, 1))
    sensitivity[0, 30 - 12, 0] = sensitivity[0, 30 - 24, 0] = 1.0  # step 1: lags 12 and 24
    sensitivity[1, 30 - 11, 0] = sensitivity[1, 30 - 23, 0] = 1.0  # step 2: the same targets
    memory = describe_memory(sensitivity, normalize="seasonal", season_length=12)
    assert memory["memory"] == [24, 23] and memory["effective_memory"] == 24
    assert memory["peaks"] == [12, 24] and memory["peaks_at_season_multiples"]
    assert memory["recommended_window"] == 24
    assert profile_peaks([0, 1, 0, 0.2, 0, 0.5]) == [2, 6]
    norms = np.array([1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    assert vanish_lag(norms, "forward") == 3  # 3 steps back the norm is under 1%
    assert vanish_lag(norms[::-1], "backward") == 3
    assert vanish_lag(np.ones(5), "forward") is None


def test_training_health_names_the_first_bad_epoch_and_the_rate_changes():
    history = {"loss": [1.0, 0.5, 0.4, float("nan")], "val_loss": [1.1, 0.6, 0.7, 0.8],
               "learning_rate": [1e-3, 1e-3, 5e-4, 5e-4]}
    health = describe_training(history)
    assert health["first_bad_epoch"] == 4 and health["nonfinite"] == {"loss": 4}
    assert health["learning_rate_changes"] == [[3, 5e-4]]
    assert health["best_epoch"] == 2 and not health["tracked"]
    flow = {"lstm_1": {"layer": "lstm_1", "role": "encoder", "ratio": 0.5, "vanish_lag": None,
                       "stride": 1, "reaches": True, "norms": [1.0, 1.0]}}
    memory = {"effective_memory": 5, "recommended_window": 5, "window": 24, "mass": 0.95,
              "peaks": [1]}
    found = findings({"window": 24, "cell": "lstm"}, flow, memory, health)
    assert found[0]["level"] == "problem" and "epoch 4" in found[0]["text"]
    assert any("window of 5" in f["text"] for f in found)


def test_the_verdict_weighs_where_gradients_vanish():
    from tsforecast.diagnostics.verdict import verdict_line

    health = describe_training({"loss": [1.0, 0.5]})
    memory = {"effective_memory": 30, "recommended_window": 36, "window": 36, "mass": 0.95,
              "peaks": [1]}

    def verdict(lag, cell="lstm"):
        flow = {f"{cell}_1": {"layer": f"{cell}_1", "role": "encoder", "ratio": 0.01,
                              "vanish_lag": lag, "stride": 1, "reaches": True,
                              "norms": [0.01, 1.0]}}
        found = findings({"window": 36, "cell": cell}, flow, memory, health)
        return found, verdict_line(found, flow, memory)

    found, line = verdict(9, "simple")
    assert line == ("gradients vanish beyond lag 9: an LSTM or GRU remembers further, or a "
                    "shorter window may do as well")
    found, line = verdict(30)  # the oldest quarter of the window only: a note
    assert [f["level"] for f in found] == ["note"]
    assert line.startswith("healthy: gradients reach lag 30 of 36")
    assert verdict(None)[1].startswith("healthy: gradients reach the start of the window")


# ------------------------------------------------------------------ command line
def _invoke(*args, code=0):
    from tsforecast.cli.main import cli

    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def _one_error_line(result):
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def test_explain_is_a_command_whose_help_imports_nothing_heavy():
    from tsforecast.cli.main import cli

    assert "explain" in cli.commands
    assert "tsforecast explain" in _invoke("--help").output
    code = (
        "import sys\n"
        "from tsforecast.cli.main import cli\n"
        "try:\n"
        "    cli(['explain', '--help'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0\n"
        "print([m for m in ('keras', 'jax', 'matplotlib', 'pandas') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_explain_command_reads_a_saved_model(tmp_path):
    y = _seasonal_random_walk(150, seed=2) + 10
    f = tsf.GRUForecaster(window=24, horizon=6, units=(4,), epochs=3, random_state=0,
                          conformal=False).fit(y)
    path = tmp_path / "model.tsf"
    # the metadata layout of `tsforecast fit`: the training tail per series
    persistence.save(f, path, metadata={"history": {"series": {"y": [float(v) for v in y]}}})
    result = _invoke("explain", path, "--plot", tmp_path / "explain.png")
    assert "Verdict:" in result.output and "gru_1" in result.output
    assert "Gates:     gru_1: update" in result.output
    assert "stored training tail" in result.output
    assert (tmp_path / "explain.png").stat().st_size > 10_000
    # written through a temporary file next to it, renamed at the end
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    document = json.loads(_invoke("explain", path, "--json").stdout)
    assert document["file"] == str(path) and document["model"] == "GRUForecaster"
    assert document["data"]["n_windows"] == 150 - 24 - 6 + 1
    assert document["network"]["cell_name"] == "GRU"
    assert set(document["gradient_flow"]) == {"gru_1"}
    assert document["verdict"] in _invoke("explain", path).output
    # without a stored tail: the kept last window
    persistence.save(f, tmp_path / "bare.tsf")
    document = json.loads(_invoke("explain", tmp_path / "bare.tsf", "--json").stdout)
    assert document["data"]["quantity"] == "forecast"
    assert "image format" in _invoke("explain", path, "--plot", "x.txt", code=2).output


def test_the_explain_command_on_a_fitted_bidirectional_stack(tmp_path):
    model = tmp_path / "air.tsf"
    _invoke("-q", "fit", "air_passengers", "--model", "simple", "--units", "4,3",
            "--bidirectional", "--no-highway", "--epochs", "2", "--no-holdout",
            "--no-intervals", "-o", model)
    output = _invoke("explain", model).output
    assert "bidirectional SimpleRNN(4x3)" in output
    for label in ("simple_1/forward", "simple_1/backward", "simple_2/forward",
                  "simple_2/backward"):
        assert f"  {label} " in output
    assert "Gates:" not in output  # a SimpleRNN has none
    document = json.loads(_invoke("explain", model, "--json").stdout)
    assert document["windows_from"] == "the stored training tail"
    assert [f["layer"] for f in document["gradient_flow"].values()] == [
        "bidirectional_simple_1"] * 2 + ["bidirectional_simple_2"] * 2


def test_the_explain_command_fails_with_one_line(tmp_path):
    y = np.sin(np.arange(60.0))
    persistence.save(tsf.SeasonalNaive(season_length=6).fit(y), tmp_path / "naive.tsf")
    line = _one_error_line(_invoke("explain", tmp_path / "naive.tsf", code=1))
    assert "recurrent regressor or forecaster" in line and "SeasonalNaive" in line
    f = tsf.LSTMForecaster(window=6, horizon=2, units=(2,), epochs=1, n_ensemble=2,
                           random_state=0, conformal=False).fit(y)
    persistence.save(f, tmp_path / "pair.tsf")
    line = _one_error_line(_invoke("explain", tmp_path / "pair.tsf", "--member", 2, code=1))
    assert "between 0 and 1" in line
    (tmp_path / "broken.tsf").write_text("date,value\n")
    assert "not a tsforecast model file" in _one_error_line(
        _invoke("explain", tmp_path / "broken.tsf", code=1))

"""Tests of the network builders: parameter-count formulas, heads, residuals, saving."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

# importing tsforecast selects the Keras backend before keras is imported
import tsforecast  # noqa: F401
from tsforecast.networks import build_rnn, count_rnn_parameters

keras = pytest.importorskip("keras")

D, H = 3, 5


def _single_layer(cell, **options):
    layer = {"simple": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell]
    # zero initialisers: the counts do not depend on the values and build much faster
    rnn = layer(H, kernel_initializer="zeros", recurrent_initializer="zeros", **options)
    rnn.build((None, 7, D))
    return rnn


@pytest.mark.parametrize(
    "cell, options, formula",
    [
        ("simple", {}, D * H + H * H + H),
        ("lstm", {}, 4 * (D * H + H * H + H)),
        ("gru", {"reset_after": False}, 3 * (D * H + H * H + H)),
        ("gru", {}, 3 * (D * H + H * H + H) + 3 * H),
    ],
)
def test_parameter_formulas_match_keras_layers(cell, options, formula):
    layer = _single_layer(cell, **options)
    assert layer.count_params() == formula
    reset_after = options.get("reset_after", True)
    assert count_rnn_parameters(cell, D, H, reset_after=reset_after) == formula


@pytest.mark.parametrize("cell", ["simple", "lstm", "gru"])
def test_bidirectional_doubles_the_parameters(cell):
    layer = keras.layers.Bidirectional(_single_layer(cell))
    layer.build((None, 7, D))
    assert layer.count_params() == 2 * _single_layer(cell).count_params()
    assert count_rnn_parameters(cell, D, H, bidirectional=True) == layer.count_params()


@pytest.mark.parametrize("cell", ["simple", "lstm", "gru"])
@pytest.mark.parametrize("units", [(6,), (6, 4), (3, 5, 2)])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("reset_after", [True, False])
def test_stacked_model_count_matches_formula(cell, units, bidirectional, reset_after):
    if cell != "gru" and not reset_after:
        pytest.skip("reset_after only concerns GRU")
    horizon = 4
    model = build_rnn(
        window=7, n_features=D, horizon=horizon, cell=cell, units=units,
        bidirectional=bidirectional, reset_after=reset_after, compile=False, initialize=False,
    )
    width = units[-1] * (2 if bidirectional else 1)
    head = (width + 1) * horizon
    highway = (7 * D + 1) * horizon  # Dense(horizon) on the flattened window
    expected = count_rnn_parameters(
        cell, D, units, bidirectional=bidirectional, reset_after=reset_after
    )
    assert model.count_params() - head - highway == expected
    recurrent = sum(
        layer.count_params() for layer in model.layers if layer.name.startswith(("simple", "lstm", "gru", "bidir"))
    )
    assert recurrent == expected


def test_count_rnn_parameters_known_values():
    assert count_rnn_parameters("lstm", 1, 64) == 16896
    assert count_rnn_parameters("simple", 1, 64) == 64 + 64 * 64 + 64
    # second layer reads 2*8 features from a bidirectional first layer
    assert count_rnn_parameters("simple", 2, (8, 4), bidirectional=True) == 2 * (
        2 * 8 + 64 + 8
    ) + 2 * (16 * 4 + 16 + 4)


@pytest.mark.parametrize("head", ["dense", "seq2seq"])
@pytest.mark.parametrize("cell", ["simple", "lstm", "gru"])
def test_heads_output_shape(cell, head):
    model = build_rnn(
        window=6, n_features=2, horizon=3, cell=cell, units=(4, 4), head=head, compile=False,
        initialize=False,
    )
    assert model.output_shape == (None, 3)
    names = [type(layer).__name__ for layer in model.layers]
    assert "Lambda" not in names
    if head == "seq2seq":
        assert {"RepeatVector", "TimeDistributed"} <= set(names)


@pytest.mark.parametrize("units", [(4, 4, 4), (4, 6)])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_residual_connections(units, bidirectional):
    model = build_rnn(
        window=5, units=units, residual=True, bidirectional=bidirectional, compile=False,
        initialize=False,
    )
    adds = [layer for layer in model.layers if layer.name.startswith("residual")]
    assert len(adds) == len(units) - 1
    projections = [layer for layer in model.layers if layer.name.startswith("skip_proj")]
    assert len(projections) == (1 if units[0] != units[-1] else 0)
    plain = build_rnn(
        window=5, units=units, bidirectional=bidirectional, compile=False, initialize=False
    )
    extra = sum(p.count_params() for p in projections)
    assert model.count_params() == plain.count_params() + extra


def test_residual_skip_carries_the_input():
    # With every recurrent weight zero, a residual layer outputs exactly its input.
    model = build_rnn(window=3, units=(2, 2), residual=True, cell="simple", highway=False,
                      compile=False, initialize=False)
    x = np.random.default_rng(0).normal(size=(4, 3, 1)).astype("float32")
    first = model.get_layer("simple_1")
    first.cell.kernel.assign(np.ones((1, 2), "float32"))
    head = model.get_layer("head")
    head.kernel.assign(np.ones((2, 1), "float32"))
    expected = 2 * np.tanh(x[:, -1, 0])
    assert_allclose(model.predict_on_batch(x)[:, 0], expected, rtol=1e-5)


def test_training_defaults_clipnorm_optimizer_learning_rate():
    model = build_rnn(window=4, units=(2,), initialize=False)
    assert model.optimizer.clipnorm == 1.0
    assert type(model.optimizer).__name__ == "Adam"
    assert_allclose(float(model.optimizer.learning_rate), 1e-3)
    model = build_rnn(
        window=4, units=(2,), optimizer="rmsprop", learning_rate=0.05, clipnorm=None,
        initialize=False,
    )
    assert model.optimizer.clipnorm is None
    assert type(model.optimizer).__name__ == "RMSprop"
    assert_allclose(float(model.optimizer.learning_rate), 0.05)


def test_recurrent_kernel_is_orthogonal_and_dropout_is_set():
    model = build_rnn(window=4, cell="simple", units=(8,), dropout=0.2, recurrent_dropout=0.1)
    layer = model.get_layer("simple_1")
    recurrent = np.asarray(layer.cell.recurrent_kernel)
    assert_allclose(recurrent.T @ recurrent, np.eye(8), atol=1e-5)
    assert layer.cell.dropout == 0.2
    assert layer.cell.recurrent_dropout == 0.1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"cell": "transformer"}, "`cell`='transformer'"),
        ({"head": "attention"}, "`head`='attention'"),
        ({"units": ()}, "`units`"),
        ({"units": (4, 0)}, "`units`"),
        ({"window": 0}, "`window`=0"),
        ({"dropout": 1.0}, "`dropout`=1.0"),
        ({"optimizer": "nope"}, "`optimizer`='nope'"),
    ],
)
def test_build_rnn_errors(kwargs, match):
    options = {"window": 4, "units": (2,), "initialize": False}
    options.update(kwargs)
    with pytest.raises(ValueError, match=match):
        build_rnn(**options)


def test_save_and_load_with_safe_mode(tmp_path):
    model = build_rnn(window=5, n_features=2, horizon=3, cell="gru", units=(2, 3), residual=True,
                      head="seq2seq", compile=False, initialize=False)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    x = rng.normal(size=(3, 5, 2)).astype("float32")
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert_allclose(loaded.predict_on_batch(x), model.predict_on_batch(x), rtol=1e-6)


def test_networks_import_only_keras():
    # the backend is reached through tsforecast.backend; builders speak Keras only
    import ast
    from pathlib import Path

    from tsforecast import networks

    imported = set()
    for path in Path(networks.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported |= {alias.name.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}
    # Keras for the layers, NumPy (single-threaded BLAS) for the initial weights,
    # scikit-learn's parameter constraints in the settings table
    # and its ridge regression for the starting point of the highway
    assert imported == {"dataclasses", "functools", "inspect", "keras", "numbers", "numpy",
                        "sklearn", "textwrap", "threadpoolctl", "tsforecast"}

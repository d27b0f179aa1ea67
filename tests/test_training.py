"""Training loops: the compiled JAX loop against Keras' own fit, its reuse across refits,
chunking, early stopping and learning-rate reduction."""

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose

from tsforecast.backend import jax_training, keras_training
from tsforecast.backend.training import _callbacks
from tsforecast.networks import build_rnn
from tsforecast.regressors import LSTMRegressor
from tsforecast.windowing import make_windows

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax", reason="the compiled loop exists on JAX only"
)


def _windows(n=90, window=6, horizon=2, seed=0):
    t = np.arange(n + window + horizon - 1, dtype=float)
    y = np.sin(2 * np.pi * t / 12) + 0.1 * np.random.default_rng(seed).normal(size=t.size)
    X, Y = make_windows(y, window=window, horizon=horizon)
    return np.ascontiguousarray(X[:, :, None], np.float32), np.ascontiguousarray(Y, np.float32)


def _model(window=6, horizon=2, units=(4,), seed=0):
    # the loops under test, on the plain network (no highway started at a linear model)
    return build_rnn(window=window, horizon=horizon, units=units, highway=False,
                     compile=False, seed=seed)


def _train(path, model, training_rows, validation=None, **options):
    options = {"optimizer": "sgd", "learning_rate": 0.1, "clipnorm": None, "batch_size": 128,
               "epochs": 3, "seed": 0, "verbose": 0, **options}
    optimizer = (options.pop("optimizer"), options.pop("clipnorm"))
    return path(model, model.to_json(), optimizer, training_rows, validation, [], **options)


def test_compiled_loop_matches_keras_fit_step_for_step():
    # one batch per epoch (batch_size >= rows), so shuffling cannot make the paths differ
    X, Y = _windows()
    compiled, reference = _model(), _model()
    history = _train(jax_training.train_compiled, compiled, (X, Y))
    expected = _train(keras_training.train_keras_fit, reference, (X, Y))
    for ours, theirs in zip(compiled.trainable_variables, reference.trainable_variables):
        assert_allclose(np.asarray(ours.value), np.asarray(theirs.value), rtol=2e-5, atol=1e-6)
    # Keras reports the loss before each update, as the compiled loop does
    assert_allclose(history["loss"], expected["loss"], rtol=1e-5)


def test_epoch_loss_covers_every_row_once_across_chunks():
    # 90 rows in batches of 2: 45 batches, three calls of the compiled loop per epoch. With a
    # zero learning rate the weights stay put, so the epoch loss is the exact training MSE.
    X, Y = _windows()
    model = _model()
    expected = float(np.mean((np.asarray(model(X)) - Y) ** 2))
    history = _train(jax_training.train_compiled, model, (X, Y), learning_rate=0.0, batch_size=2,
                     epochs=2)
    assert 90 // 2 > jax_training.CHUNK_BATCHES * 2
    assert_allclose(history["loss"], [expected, expected], rtol=1e-5)


def test_chunks_pad_with_zero_weights_and_count_batches():
    X, Y = _windows(n=40)
    model = _model()
    loop = jax_training._compiled_loop(model, model.to_json(), ("sgd", None), 16)
    order = np.random.default_rng(0).permutation(40)
    (x, y, w, n_batches), = loop.chunks(X, Y, order)
    assert x.shape == (jax_training.CHUNK_BATCHES * 16, 6, 1) and y.shape[0] == x.shape[0]
    assert n_batches == 3 and w.sum() == 40 and not w[40:].any()
    np.testing.assert_array_equal(x[:40], X[order])


def test_refits_of_one_architecture_share_one_compiled_loop(caplog):
    import jax

    jax_training._LOOPS.clear()
    with jax.log_compiles(), caplog.at_level("WARNING"):
        for n in (40, 70, 130):  # different numbers of rows and batches
            X, Y = _windows(n=n)
            LSTMRegressor(units=(4,), epochs=2, batch_size=16, random_state=n).fit(X[:, :, 0], Y)
    assert len(jax_training._LOOPS) == 1
    compiled = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Compiling")]
    assert sum("jit(train_steps)" in m for m in compiled) == 1
    assert sum("jit(evaluate)" in m for m in compiled) == 1
    LSTMRegressor(units=(5,), epochs=1, batch_size=16).fit(X[:, :, 0], Y)
    assert len(jax_training._LOOPS) == 2


def test_early_stopping_restores_the_weights_of_the_best_epoch():
    X, Y = _windows(n=120)
    validation = (X[100:], Y[100:])
    model = _model(units=(8,))
    callbacks = _callbacks(monitor="val_loss", early_stopping=True, patience=2,
                                    reduce_lr=False)
    history = jax_training.train_compiled(
        model, model.to_json(), ("adam", None), (X[:100], Y[:100]), validation, callbacks,
        learning_rate=0.5, batch_size=16, epochs=40, seed=0, verbose=0,
    )
    # a learning rate this large makes the validation loss jump about, so training stops
    assert len(history["val_loss"]) < 40
    best = min(history["val_loss"])
    assert best < history["val_loss"][-1]
    final = float(np.mean((np.asarray(model(validation[0])) - validation[1]) ** 2))
    assert_allclose(final, best, rtol=1e-4)


def test_learning_rate_is_halved_on_plateau():
    # steps this small improve the loss by less than ReduceLROnPlateau's min_delta (1e-4)
    X, Y = _windows()
    callbacks = _callbacks(monitor="loss", early_stopping=False, patience=1,
                                    reduce_lr=True)
    model = _model()
    history = jax_training.train_compiled(
        model, model.to_json(), ("sgd", None), (X, Y), None, callbacks,
        learning_rate=1e-5, batch_size=32, epochs=5, seed=0, verbose=0,
    )
    assert_allclose(history["learning_rate"], [1e-5, 1e-5, 5e-6, 2.5e-6, 1.25e-6], rtol=1e-6)


def test_verbose_prints_one_line_per_epoch(capsys):
    X, Y = _windows()
    LSTMRegressor(units=(4,), epochs=3, batch_size=32, verbose=2, train_on_all=False,
                  random_state=0).fit(X[:, :, 0], Y)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 3 and "loss:" in out and "val_loss:" in out

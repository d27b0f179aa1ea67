"""Parts of a network that reach a season or a long lag, built from stock Keras layers.

Plain recurrent layers trained by gradient descent learn short dependencies well and long
ones badly: on a seasonal autoregression whose only informative lag is 12, an LSTM with a
36-step window ends up three to five times worse than a linear model on the same windows.
Four remedies, each an option of :func:`~tsforecast.networks.build_rnn`:

* the **linear highway** (LSTNet's autoregressive component): a dense layer on the
  flattened window, added to the network's output; the recurrent layers read the window
  relative to its last step. Started at the ridge solution with the network's head at
  zero, training starts from the linear model and keeps it unless the network does
  better (the default; see the README's long-memory benchmark);
* **dilated layers** (DilatedRNN, Chang et al. 2017): a layer of dilation ``d`` runs over
  the ``d`` interleaved sequences of the window (steps ``d`` apart) with one set of weights;
* a **recurrent skip connection** (LSTNet): a recurrent layer over each phase of a cycle of
  period ``p``, whose final states join the encoder's state;
* **chrono initialisation** of the gate biases (Tallec and Ollivier 2018).

Only stock layers are used (Cropping1D, Reshape, Permute, TimeDistributed, Flatten,
RepeatVector, Subtract, Add, Dense), so models save to ``.keras`` and load in safe mode.
"""

import numpy as np

__all__ = [
    "GATE_INITS",
    "RIDGE_ALPHAS",
    "chrono_gate_biases",
    "dilated",
    "linear_start",
    "phases",
    "relative_to_last_step",
    "start_at_linear_model",
]

GATE_INITS = ("keras", "chrono")
#: Ridge penalties tried for the highway's starting point, relative to ``n * mean feature
#: variance`` (the scale of ``X'X``): from almost least squares to strong shrinkage, chosen
#: by efficient leave-one-out cross-validation.
RIDGE_ALPHAS = np.logspace(-6, 1, 15)


def relative_to_last_step(inputs, window):
    """The window minus its last step (every feature), so a level shift leaves it as is."""
    from keras import layers

    last = layers.Cropping1D((window - 1, 0), name="last_step")(inputs)
    last = layers.Flatten(name="last_flat")(last)
    last = layers.RepeatVector(window, name="last_repeat")(last)
    return layers.Subtract(name="relative")([inputs, last])


def phases(x, period, *, name):
    """``(batch, period, steps // period, features)``: the values of each phase of the cycle
    in time order (leading steps dropped so the window divides by the period)."""
    from keras import layers

    steps, features = x.shape[1], x.shape[2]
    kept = (steps // period) * period
    if kept < steps:
        x = layers.Cropping1D((steps - kept, 0), name=f"{name}_crop")(x)
    x = layers.Reshape((kept // period, period, features), name=f"{name}_fold")(x)
    return layers.Permute((2, 1, 3), name=f"{name}_phases")(x)


def dilated(x, layer, dilation, last, *, name):
    """Run the recurrent ``layer`` with a dilation: over each of the ``dilation``
    interleaved sequences. The last layer of a stack returns the final states of all of
    them, flattened; earlier ones return sequences in time order."""
    from keras import layers

    split = phases(x, dilation, name=name)
    out = layers.TimeDistributed(layer, name=name)(split)
    if last:
        return layers.Flatten(name=f"{name}_states")(out)
    steps = out.shape[2]
    out = layers.Permute((2, 1, 3), name=f"{name}_interleave")(out)
    return layers.Reshape((steps * dilation, out.shape[-1]), name=f"{name}_unfold")(out)


def chrono_gate_biases(model, window, seed):
    """Set chrono-initialised gate biases on every LSTM and GRU cell of ``model``.

    LSTM biases are laid out ``[input, forget, cell, output]``: forget
    ``log(U(1, window - 1))``, input its negative. GRU biases ``[update, reset, new]``:
    update ``log(U(1, window - 1))`` (Keras' GRU keeps the old state in proportion to
    the update gate).
    """
    rng = np.random.default_rng(None if seed is None else seed + 7919)
    for cell in _cells(model):
        kind = type(cell).__name__
        if kind not in ("LSTMCell", "GRUCell"):
            continue
        h = cell.units
        bias = np.array(cell.bias.numpy() if hasattr(cell.bias, "numpy") else cell.bias)
        keep = np.log(rng.uniform(1.0, max(window - 1.0, 1.0 + 1e-6), size=h))
        flat = bias.reshape(-1, bias.shape[-1])  # GRU reset_after: (2, 3h)
        if kind == "LSTMCell":
            flat[0, h : 2 * h] = keep
            flat[0, :h] = -keep
        else:
            flat[0, :h] = keep
        cell.bias.assign(flat.reshape(bias.shape).astype(np.float32))


def linear_start(X, Y, alphas=RIDGE_ALPHAS):
    """The ridge regression of ``Y`` on the flattened windows ``X`` that the highway starts
    at: scikit-learn's ``RidgeCV``, its penalty chosen among ``alphas`` (relative to
    ``n * mean feature variance``) by efficient leave-one-out cross-validation."""
    from sklearn.linear_model import RidgeCV

    flat = np.asarray(X, np.float64).reshape(len(X), -1)
    scale = len(flat) * max(float(np.mean(np.var(flat, axis=0))), 1e-12)
    return RidgeCV(alphas=np.asarray(alphas) * scale).fit(flat, np.asarray(Y, np.float64))


def start_at_linear_model(model, X, Y, alphas=RIDGE_ALPHAS):
    """Start the highway of ``model`` at the ridge regression of ``Y`` on the flattened
    windows ``X``, and its recurrent head at zero.

    The penalty is chosen by leave-one-out cross-validation (scikit-learn's ``RidgeCV``):
    with many windows it is close to least squares, so the network starts as the best
    linear model of the window; with few windows per lag it shrinks the linear part
    towards zero and leaves the fit to the network.

    The network then starts as the linear model: its first forecasts are the ridge
    forecasts, and gradient descent only moves away from them where the recurrent part
    lowers the loss. Early stopping also weighs this starting point
    (:func:`~tsforecast.backend.train_network`), so the network never ends worse on the
    validation windows than the linear model it started from.

    Parameters
    ----------
    model : keras.Model
        Built by :func:`~tsforecast.networks.build_rnn` with ``highway=True``.
    X : numpy.ndarray of shape (n, window, n_features)
    Y : numpy.ndarray of shape (n, horizon)
    alphas : array-like, default=RIDGE_ALPHAS
        Penalties to choose from, relative to ``n * mean feature variance`` (the intercept
        is not penalised).
    """
    Y = np.asarray(Y, np.float64).reshape(len(Y), -1)
    ridge = linear_start(X, Y, alphas)
    linear = model.get_layer("linear")
    linear.kernel.assign(ridge.coef_.reshape(Y.shape[1], -1).T.astype(np.float32))
    linear.bias.assign(np.reshape(ridge.intercept_, Y.shape[1]).astype(np.float32))
    head = model.get_layer("head")
    for variable in head.trainable_variables:
        variable.assign(np.zeros(variable.shape, np.float32))


def _cells(model):
    def walk(layer):
        if hasattr(layer, "forward_layer"):  # Bidirectional
            yield from walk(layer.forward_layer)
            yield from walk(layer.backward_layer)
        elif hasattr(layer, "cell"):  # SimpleRNN, LSTM, GRU
            yield layer.cell
        elif hasattr(layer, "layer"):  # TimeDistributed
            yield from walk(layer.layer)

    for layer in model.layers:
        yield from walk(layer)

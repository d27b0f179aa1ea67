"""Recurrent network builders: plain functions from arguments to a Keras model.

Everything a model needs is an argument (no globals), only ``keras`` is used (never a
backend directly), and every layer is a stock Keras layer (no ``Lambda``), so a built
model saves to ``.keras`` and loads with ``safe_mode=True``.

Parameter counts (input size ``d``, units ``h``) of one recurrent layer:

* SimpleRNN: ``d*h + h*h + h``
* LSTM: ``4 * (d*h + h*h + h)``
* GRU: ``3 * (d*h + h*h + h)`` with ``reset_after=False``; Keras' default
  ``reset_after=True`` keeps a second bias vector per gate, ``+ 3*h``.

A bidirectional layer holds two such layers (``x 2``) and outputs ``2*h`` features.

Initial weights follow Keras' defaults (Glorot-uniform kernels, orthogonal recurrent
kernels, zero biases, LSTM forget-gate bias 1) but are drawn with NumPy on the host: on JAX,
Keras' initialisers are device operations compiled on their first use with each shape,
which costs more than a second for a new LSTM in a new process, longer than the whole
training of a short series. The saved configuration names the stock initialisers.
"""

import numbers

import numpy as np

__all__ = ["CELLS", "HEADS", "build_rnn", "count_rnn_parameters"]

CELLS = ("simple", "lstm", "gru")
HEADS = ("dense", "seq2seq")

_GATES = {"simple": 1, "lstm": 4, "gru": 3}


def _check_choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"`{name}`={value!r} is not supported; pass one of {list(choices)}.")


def _as_units(units):
    if isinstance(units, numbers.Integral) and not isinstance(units, bool):
        units = (units,)
    try:
        units = tuple(units)
    except TypeError:
        units = ()
    if not units or not all(
        isinstance(u, numbers.Integral) and not isinstance(u, bool) and u >= 1 for u in units
    ):
        raise ValueError(
            "`units` must be a positive int or a non-empty tuple of positive ints (one per "
            "stacked layer); pass e.g. `units=(64,)` or `units=(64, 32)`."
        )
    return tuple(int(u) for u in units)


def count_rnn_parameters(cell, input_size, units, *, bidirectional=False, reset_after=True):
    """Number of weights of a (stacked) recurrent encoder, without the output head.

    Parameters
    ----------
    cell : {"simple", "lstm", "gru"}
        Recurrent cell.
    input_size : int
        Number of features per time step fed to the first layer (``d``).
    units : int or tuple of int
        Units per layer (``h``); a tuple describes a stack, each layer reading the
        previous layer's output (``2*h`` features when bidirectional).
    bidirectional : bool, default=False
        Each layer reads the window both ways (two layers' worth of weights).
    reset_after : bool, default=True
        GRU only: Keras' default GRU variant with one extra bias vector per gate.

    Returns
    -------
    n_params : int

    Examples
    --------
    >>> from tsforecast.networks import count_rnn_parameters
    >>> count_rnn_parameters("lstm", 1, 64)
    16896
    >>> count_rnn_parameters("gru", 1, 64, reset_after=False)
    12672
    """
    _check_choice(cell, "cell", CELLS)
    units = _as_units(units)
    directions = 2 if bidirectional else 1
    total = 0
    d = int(input_size)
    for h in units:
        per_direction = _GATES[cell] * (d * h + h * h + h)
        if cell == "gru" and reset_after:
            per_direction += 3 * h
        total += directions * per_direction
        d = directions * h
    return total


# Recurrent initialisers that _draw_initial_weights reproduces on the host.
_HOST_DRAWN = ("orthogonal", "glorot_uniform", "zeros")

_HOST_ZEROS_CLASS = None


def _host_zeros():
    """A Keras initialiser that returns NumPy zeros, so building a layer runs no device op."""
    global _HOST_ZEROS_CLASS
    if _HOST_ZEROS_CLASS is None:
        import keras

        # registered because Bidirectional copies its layer through its configuration
        @keras.saving.register_keras_serializable(package="tsforecast")
        class HostZeros(keras.initializers.Initializer):
            def __call__(self, shape, dtype=None):
                return np.zeros(shape, dtype=keras.backend.standardize_dtype(dtype))

        _HOST_ZEROS_CLASS = HostZeros
    return _HOST_ZEROS_CLASS()


def _recurrent_layer(cell, units, *, return_sequences, dropout, recurrent_dropout,
                     recurrent_initializer, reset_after, seed, name, host_zeros):
    from keras import layers

    options = {
        "units": units,
        "return_sequences": return_sequences,
        "dropout": dropout,
        "recurrent_dropout": recurrent_dropout,
        "recurrent_initializer": recurrent_initializer,
        "seed": seed,
        "name": name,
    }
    if host_zeros:
        zeros = _host_zeros()
        options.update(
            kernel_initializer=zeros, recurrent_initializer=zeros, bias_initializer=zeros
        )
        if cell == "lstm":
            # the forget-gate bias is set by _draw_initial_weights; LSTMCell would build it
            # with device operations
            options["unit_forget_bias"] = False
    if cell == "simple":
        return layers.SimpleRNN(**options)
    if cell == "lstm":
        return layers.LSTM(**options)
    return layers.GRU(reset_after=reset_after, **options)


def _layers_with_weights(model):
    """The Dense layers and recurrent cells of ``model`` in a fixed order, wrapped ones included."""

    def walk(layer):
        if hasattr(layer, "forward_layer"):  # Bidirectional
            yield from walk(layer.forward_layer)
            yield from walk(layer.backward_layer)
        elif hasattr(layer, "cell"):  # SimpleRNN, LSTM, GRU
            yield layer.cell
        elif hasattr(layer, "layer"):  # TimeDistributed
            yield from walk(layer.layer)
        elif hasattr(layer, "kernel"):  # Dense
            yield layer

    for layer in model.layers:
        yield from walk(layer)


def _restore_stock_initializers(model, recurrent_initializer):
    """Name Keras' default initialisers in the configuration of a model built with host zeros."""
    from keras import initializers

    for layer in _layers_with_weights(model):
        layer.kernel_initializer = initializers.get("glorot_uniform")
        layer.bias_initializer = initializers.get("zeros")
        if hasattr(layer, "recurrent_kernel"):
            layer.recurrent_initializer = initializers.get(recurrent_initializer)
        if hasattr(layer, "unit_forget_bias"):
            layer.unit_forget_bias = True


def _glorot_uniform(rng, shape):
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


_BLAS_CONTROLLER = None


def _orthogonal(rng, shape):
    global _BLAS_CONTROLLER
    if _BLAS_CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _BLAS_CONTROLLER = ThreadpoolController()  # inspecting the loaded libraries is slow
    rows, cols = shape
    # single-threaded: a multi-threaded BLAS next to the backend's own thread pool made this
    # small QR decomposition take 0.4-0.8 s instead of 2 ms on a 2-core machine
    with _BLAS_CONTROLLER.limit(limits=1, user_api="blas"):
        q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    q *= np.sign(np.diag(r))
    return (q.T if rows < cols else q).astype(np.float32)


def _draw_initial_weights(model, recurrent_initializer, seed):
    """Keras' default initial weights drawn with NumPy (see the module docstring), and the
    states of the dropout seed generators, all from ``seed``: given a seed, no global random
    state is read, so models built in parallel threads are reproducible."""
    if seed is None:
        # the global NumPy generator, which keras.utils.set_random_seed seeds
        seed = np.random.randint(np.iinfo(np.int32).max)
    rng = np.random.default_rng(seed)
    for variable in model.non_trainable_variables:
        if variable.name == "seed_generator_state":
            state = [rng.integers(1, np.iinfo(np.int32).max), 0]
            variable.assign(np.asarray(state, dtype=variable.dtype))
    recurrent_draw = {"orthogonal": _orthogonal, "glorot_uniform": _glorot_uniform}
    for layer in _layers_with_weights(model):
        layer.kernel.assign(_glorot_uniform(rng, tuple(layer.kernel.shape)))
        if hasattr(layer, "recurrent_kernel") and recurrent_initializer in recurrent_draw:
            shape = tuple(layer.recurrent_kernel.shape)
            layer.recurrent_kernel.assign(recurrent_draw[recurrent_initializer](rng, shape))
        if getattr(layer, "unit_forget_bias", False):
            bias = np.zeros(tuple(layer.bias.shape), np.float32)
            bias[layer.units : 2 * layer.units] = 1.0
            layer.bias.assign(bias)


def make_optimizer(optimizer="adam", *, learning_rate=1e-3, clipnorm=1.0):
    """A Keras optimizer from its name, learning rate and gradient-clipping norm.

    Parameters
    ----------
    optimizer : str
        Keras optimizer name, e.g. ``"adam"``, ``"adamw"``, ``"rmsprop"``, ``"sgd"``.
    learning_rate : float, default=1e-3
    clipnorm : float or None, default=1.0
        Rescale each gradient to at most this L2 norm (the remedy for exploding gradients
        of recurrent networks); ``None`` switches clipping off.

    Returns
    -------
    optimizer : keras.optimizers.Optimizer
    """
    import keras

    config = {"learning_rate": float(learning_rate)}
    if clipnorm is not None:
        config["clipnorm"] = float(clipnorm)
    try:
        return keras.optimizers.get({"class_name": optimizer, "config": config})
    except ValueError as error:
        raise ValueError(
            f"`optimizer`={optimizer!r} is not a Keras optimizer; pass e.g. 'adam', 'adamw', "
            "'rmsprop' or 'sgd'."
        ) from error


def build_rnn(
    *,
    window,
    n_features=1,
    horizon=1,
    cell="lstm",
    units=(64,),
    bidirectional=False,
    dropout=0.0,
    recurrent_dropout=0.0,
    residual=False,
    head="dense",
    optimizer="adam",
    learning_rate=1e-3,
    clipnorm=1.0,
    loss="mse",
    recurrent_initializer="orthogonal",
    reset_after=True,
    seed=None,
    compile=True,
    initialize=True,
):
    """Build (and compile) a recurrent network from a window to ``horizon`` outputs.

    Input ``(batch, window, n_features)``, output ``(batch, horizon)``.

    Parameters
    ----------
    window : int
        Number of time steps in an input window.
    n_features : int, default=1
        Features per time step (the series plus exogenous variables).
    horizon : int, default=1
        Number of outputs: 1 for many-to-one, ``h`` for a direct multi-step forecast.
    cell : {"simple", "lstm", "gru"}, default="lstm"
        Recurrent cell.
    units : int or tuple of int, default=(64,)
        Units per recurrent layer; more than one entry stacks layers (all but the last
        return sequences).
    bidirectional : bool, default=False
        Wrap every recurrent layer in ``Bidirectional`` (concatenated directions). This is
        legitimate for forecasting because the whole window lies in the past; it roughly
        doubles parameters, training time and latency.
    dropout, recurrent_dropout : float, default=0.0
        Dropout rate of the inputs and of the recurrent state of every recurrent layer.
    residual : bool, default=False
        Add each stacked layer's input to its output (from the second layer on). When the
        widths differ the input is projected with a bias-free ``Dense`` layer; for the last
        layer of a stack the skip connection carries the input's last time step.
    head : {"dense", "seq2seq"}, default="dense"
        ``"dense"``: the encoder's final state feeds one ``Dense(horizon)`` layer (direct
        multi-output). ``"seq2seq"``: encoder-decoder; the final state is repeated
        ``horizon`` times (``RepeatVector``), a decoder recurrent layer of the same cell and
        width unrolls it, and a ``TimeDistributed(Dense(1))`` reads one value per step.
    optimizer : str, default="adam"
        Keras optimizer name.
    learning_rate : float, default=1e-3
    clipnorm : float or None, default=1.0
        Gradient clipping by norm, on by default; ``None`` switches it off.
    loss : str or keras.losses.Loss, default="mse"
    recurrent_initializer : str, default="orthogonal"
        Initialiser of the recurrent kernels (orthogonal keeps gradients well conditioned).
    reset_after : bool, default=True
        GRU variant (Keras default); ``False`` is the original GRU with fewer biases.
    seed : int, optional
        Seed of the initial weights and of the dropout masks; by default both come from
        NumPy's global generator (which ``keras.utils.set_random_seed`` seeds). The seed is
        not part of the model's configuration, so models that differ only in their seed
        share compiled functions.
    compile : bool, default=True
        Compile the model with the optimizer and loss.
    initialize : bool, default=True
        Draw initial weights; ``False`` fills every weight with zeros (for a model whose
        weights are about to be overwritten).

    Returns
    -------
    model : keras.Model
        Named ``"{cell}_rnn"``; ``model.count_params()`` is the total parameter count.

    See Also
    --------
    count_rnn_parameters : parameter count of the recurrent part.

    Examples
    --------
    >>> from tsforecast.networks import build_rnn
    >>> model = build_rnn(window=24, horizon=12, cell="gru", units=(16, 16))
    >>> model.output_shape
    (None, 12)
    """
    import keras
    from keras import layers

    _check_choice(cell, "cell", CELLS)
    _check_choice(head, "head", HEADS)
    units = _as_units(units)
    for name, value in (("window", window), ("n_features", n_features), ("horizon", horizon)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"`{name}`={value!r} must be a positive integer.")
    for name, value in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
        if not 0.0 <= float(value) < 1.0:
            raise ValueError(f"`{name}`={value!r} must be a rate in [0, 1); pass e.g. 0.1.")

    # Build with NumPy zeros, then draw the initial weights on the host (module docstring);
    # other recurrent initialisers than the ones drawn there use Keras' initialisers.
    host_zeros = not initialize or recurrent_initializer in _HOST_DRAWN
    # With host drawing the dropout generators' states are drawn with the weights, so the
    # layers get a fixed seed: no global random state is read and the configuration does not
    # depend on the seed.
    layer_seed = 0 if host_zeros else seed
    dense_init = {}
    if host_zeros:
        dense_init = {"kernel_initializer": _host_zeros(), "bias_initializer": _host_zeros()}
    inputs = keras.Input(shape=(int(window), int(n_features)), name="window")
    x = inputs
    width = int(n_features)
    for i, h in enumerate(units):
        last = i == len(units) - 1
        layer = _recurrent_layer(
            cell,
            h,
            return_sequences=not last,
            dropout=float(dropout),
            recurrent_dropout=float(recurrent_dropout),
            recurrent_initializer=recurrent_initializer,
            reset_after=reset_after,
            seed=layer_seed,
            name=f"{cell}_{i + 1}",
            host_zeros=host_zeros,
        )
        if bidirectional:
            layer = layers.Bidirectional(layer, name=f"bidirectional_{i + 1}")
        out_width = 2 * h if bidirectional else h
        y = layer(x)
        if residual and i > 0:
            skip = x
            if last:
                skip = layers.Cropping1D((int(window) - 1, 0), name=f"last_step_{i + 1}")(skip)
                skip = layers.Flatten(name=f"skip_flat_{i + 1}")(skip)
            if width != out_width:
                skip = layers.Dense(
                    out_width, use_bias=False, name=f"skip_proj_{i + 1}", **dense_init
                )(skip)
            y = layers.Add(name=f"residual_{i + 1}")([y, skip])
        x = y
        width = out_width

    if head == "dense":
        outputs = layers.Dense(int(horizon), name="head", **dense_init)(x)
    else:
        x = layers.RepeatVector(int(horizon), name="repeat")(x)
        decoder = _recurrent_layer(
            cell,
            units[-1],
            return_sequences=True,
            dropout=0.0,
            recurrent_dropout=0.0,
            recurrent_initializer=recurrent_initializer,
            reset_after=reset_after,
            seed=layer_seed,
            name=f"{cell}_decoder",
            host_zeros=host_zeros,
        )
        x = decoder(x)
        x = layers.TimeDistributed(layers.Dense(1, **dense_init), name="head")(x)
        outputs = layers.Flatten(name="forecast")(x)

    model = keras.Model(inputs, outputs, name=f"{cell}_rnn")
    if host_zeros:
        _restore_stock_initializers(model, recurrent_initializer)
        if initialize:
            _draw_initial_weights(model, recurrent_initializer, seed)
    if compile:
        model.compile(
            optimizer=make_optimizer(optimizer, learning_rate=learning_rate, clipnorm=clipnorm),
            loss=loss,
        )
    return model

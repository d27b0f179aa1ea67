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

Initial weights follow Keras' defaults but are drawn with NumPy on the host
(:mod:`~tsforecast.networks.initial_weights`). The defaults of every setting come from
:mod:`~tsforecast.networks.spec`.
"""

import functools
import numbers

from tsforecast.networks.initial_weights import (
    HOST_DRAWN,
    draw_initial_weights,
    host_zeros,
    restore_stock_initializers,
)
from tsforecast.networks.long_memory import (
    GATE_INITS,
    chrono_gate_biases,
    dilated,
    phases,
    relative_to_last_step,
)
from tsforecast.networks.spec import CELLS, HEADS, RNN_SETTINGS
from tsforecast.validation import InputValueError, check_choice, check_int, check_rate

__all__ = ["build_rnn", "count_rnn_parameters", "make_optimizer"]

_DEFAULT = {setting.name: setting.default for setting in RNN_SETTINGS}

_GATES = {"simple": 1, "lstm": 4, "gru": 3}


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
        raise InputValueError(
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
    check_choice(cell, "cell", CELLS)
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


def _check_dilations(dilations, units):
    if dilations is None:
        return None
    try:
        dilations = tuple(int(d) for d in dilations)
    except TypeError:
        dilations = ()
    if len(dilations) != len(units) or any(d < 1 for d in dilations):
        raise InputValueError(
            f"`dilations`={dilations!r} needs one positive integer per stacked layer "
            f"({len(units)} here); pass e.g. `units=(32, 32), dilations=(1, 12)`."
        )
    return dilations


def _recurrent_layer(cell, units, *, return_sequences, dropout, recurrent_dropout,
                     recurrent_initializer, reset_after, seed, name, on_host,
                     bidirectional=False):
    from keras import layers

    if bidirectional:
        inner = _recurrent_layer(
            cell, units, return_sequences=return_sequences, dropout=dropout,
            recurrent_dropout=recurrent_dropout, recurrent_initializer=recurrent_initializer,
            reset_after=reset_after, seed=seed, name=name, on_host=on_host,
        )
        return layers.Bidirectional(inner, name=f"bidirectional_{name}")

    options = {
        "units": units,
        "return_sequences": return_sequences,
        "dropout": dropout,
        "recurrent_dropout": recurrent_dropout,
        "recurrent_initializer": recurrent_initializer,
        "seed": seed,
        "name": name,
    }
    if on_host:
        zeros = host_zeros()
        options.update(
            kernel_initializer=zeros, recurrent_initializer=zeros, bias_initializer=zeros
        )
        if cell == "lstm":
            # the forget-gate bias is set by draw_initial_weights; LSTMCell would build it
            # with device operations
            options["unit_forget_bias"] = False
    if cell == "simple":
        return layers.SimpleRNN(**options)
    if cell == "lstm":
        return layers.LSTM(**options)
    return layers.GRU(reset_after=reset_after, **options)


def make_optimizer(optimizer=_DEFAULT["optimizer"], *, learning_rate=_DEFAULT["learning_rate"],
                   clipnorm=_DEFAULT["clipnorm"]):
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
        raise InputValueError(
            f"`optimizer`={optimizer!r} is not a Keras optimizer; pass e.g. 'adam', 'adamw', "
            "'rmsprop' or 'sgd'."
        ) from error


def build_rnn(
    *,
    window,
    n_features=1,
    horizon=1,
    cell="lstm",
    units=_DEFAULT["units"],
    bidirectional=_DEFAULT["bidirectional"],
    dropout=_DEFAULT["dropout"],
    recurrent_dropout=_DEFAULT["recurrent_dropout"],
    residual=_DEFAULT["residual"],
    head=_DEFAULT["head"],
    highway=_DEFAULT["highway"],
    gate_init=_DEFAULT["gate_init"],
    skip=_DEFAULT["skip"],
    dilations=_DEFAULT["dilations"],
    optimizer=_DEFAULT["optimizer"],
    learning_rate=_DEFAULT["learning_rate"],
    clipnorm=_DEFAULT["clipnorm"],
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
    units : int or tuple of int, default=(32,)
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
    highway : bool, default=True
        A linear path beside the network (LSTNet's autoregressive component): one
        ``Dense(horizon)`` on the flattened window, added to the network's output; the
        recurrent layers then read the window relative to its last step
        (:mod:`~tsforecast.networks.long_memory`).
    gate_init : {"keras", "chrono"}, default="keras"
        ``"chrono"``: chrono initialisation of the LSTM forget/input and GRU update gate
        biases for dependencies up to ``window`` steps back (no effect on SimpleRNN).
    skip : int, optional
        Period ``p`` of a recurrent skip connection (LSTNet): a recurrent layer of the last
        layer's width reads each phase of the cycle as its own sequence, and the final
        states of all phases join the encoder's state. Needs ``window >= p``.
    dilations : tuple of int, optional
        Dilation of each stacked layer (DilatedRNN), e.g. ``units=(32, 32),
        dilations=(1, 12)`` for monthly data; the last layer's final states of all its
        interleaved sequences form the encoder's state.
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

    check_choice(cell, "cell", CELLS)
    check_choice(head, "head", HEADS)
    units = _as_units(units)
    for name, value in (("window", window), ("n_features", n_features), ("horizon", horizon)):
        check_int(value, name)
    check_choice(gate_init, "gate_init", GATE_INITS)
    dilations = _check_dilations(dilations, units)
    if skip is not None:
        check_int(skip, "skip", example=12, meaning="the period of the skip connection")
        if skip > window:
            raise InputValueError(
                f"`skip`={skip} needs `window` >= {skip} (a value of every phase), got "
                f"`window`={window}; pass a longer window or a shorter period."
            )
    for name, value in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
        check_rate(value, name)

    # Build with NumPy zeros, then draw the initial weights on the host (module docstring);
    # other recurrent initialisers than the ones drawn there use Keras' initialisers.
    on_host = not initialize or recurrent_initializer in HOST_DRAWN
    # With host drawing the dropout generators' states are drawn with the weights, so the
    # layers get a fixed seed: no global random state is read and the configuration does not
    # depend on the seed.
    layer_seed = 0 if on_host else seed
    dense_init = {}
    if on_host:
        dense_init = {"kernel_initializer": host_zeros(), "bias_initializer": host_zeros()}
    inputs = keras.Input(shape=(int(window), int(n_features)), name="window")
    x = relative_to_last_step(inputs, int(window)) if highway else inputs
    encoder_input = x
    width = int(n_features)
    recurrent = functools.partial(
        _recurrent_layer, cell, dropout=float(dropout),
        recurrent_dropout=float(recurrent_dropout), recurrent_initializer=recurrent_initializer,
        reset_after=reset_after, seed=layer_seed, on_host=on_host, bidirectional=bidirectional,
    )
    for i, h in enumerate(units):
        last = i == len(units) - 1
        out_width = 2 * h if bidirectional else h
        d = dilations[i] if dilations else 1
        layer = recurrent(h, return_sequences=not last, name=f"{cell}_{i + 1}")
        y = dilated(x, layer, d, last, name=f"dilated_{i + 1}") if d > 1 else layer(x)
        same_steps = dilations is None or set(dilations[i - 1 : i + 1]) == {1}
        if residual and i > 0 and same_steps:
            shortcut = x
            if last:
                shortcut = layers.Cropping1D((int(window) - 1, 0),
                                             name=f"last_step_{i + 1}")(shortcut)
                shortcut = layers.Flatten(name=f"skip_flat_{i + 1}")(shortcut)
            if width != out_width:
                shortcut = layers.Dense(
                    out_width, use_bias=False, name=f"skip_proj_{i + 1}", **dense_init
                )(shortcut)
            y = layers.Add(name=f"residual_{i + 1}")([y, shortcut])
        x = y
        width = out_width
    if skip is not None:
        split = phases(encoder_input, int(skip), name="skip")
        states = layers.TimeDistributed(
            recurrent(units[-1], return_sequences=False, name=f"{cell}_skip"), name="skip"
        )(split)
        x = layers.Concatenate(name="encoder_and_skip")(
            [x, layers.Flatten(name="skip_states")(states)]
        )

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
            on_host=on_host,
        )
        x = decoder(x)
        x = layers.TimeDistributed(layers.Dense(1, **dense_init), name="head")(x)
        outputs = layers.Flatten(name="forecast")(x)
    if highway:
        flat = layers.Flatten(name="flat_window")(inputs)
        linear = layers.Dense(int(horizon), name="linear", **dense_init)(flat)
        outputs = layers.Add(name="highway")([outputs, linear])

    model = keras.Model(inputs, outputs, name=f"{cell}_rnn")
    if on_host:
        restore_stock_initializers(model, recurrent_initializer)
        if initialize:
            draw_initial_weights(model, recurrent_initializer, seed)
    if initialize and gate_init == "chrono":
        chrono_gate_biases(model, int(window), seed)
    if compile:
        model.compile(
            optimizer=make_optimizer(optimizer, learning_rate=learning_rate, clipnorm=clipnorm),
            loss=loss,
        )
    return model

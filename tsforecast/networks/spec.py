"""The recurrent-network settings, declared once.

Every setting of a recurrent network (its architecture and its training) is one
:class:`Setting` in :data:`RNN_SETTINGS`: name, default, scikit-learn parameter
constraints and documentation. Everything else is derived from this table:

* the parameters of the recurrent regressors (``LSTMRegressor(units=..., epochs=...)``) and
  of the recurrent forecasters (``LSTMForecaster(window=..., units=...)``), with the same
  names and defaults, their ``__init__`` signatures (:func:`estimator_init`), their
  parameter validation and the Parameters section of their docstrings (:func:`param_docs`);
* the arguments of :func:`~tsforecast.networks.build_rnn` (:func:`architecture`) and of the
  training loop (:func:`training_options`);
* the network options of the command line.

To add a setting, add it here and use it in the builder or the training loop.
"""

import inspect
import numbers
import textwrap
from dataclasses import dataclass

__all__ = [
    "CELLS",
    "HEADS",
    "RNN_SETTINGS",
    "Setting",
    "architecture",
    "estimator_init",
    "param_docs",
    "settings_of",
    "training_options",
]

CELLS = ("simple", "lstm", "gru")
HEADS = ("dense", "seq2seq")


@dataclass(frozen=True)
class Setting:
    """One setting of a recurrent network.

    Attributes
    ----------
    name : str
        Parameter name, the same in regressors, forecasters and the builder.
    default : object
        Default value (immutable).
    kind : str
        The kind of value, one of :data:`KINDS`: it gives the scikit-learn parameter
        constraints (:func:`constraints`) and the command line's option type.
    type_doc : str
        The type line of the numpydoc entry.
    doc : str
        What the setting does.
    part : {"architecture", "training"}
        Whether it shapes the network (and so keys its compiled programs) or its training.
    command_line : bool
        Whether the command line offers it as an option (``--batch-size`` for
        ``batch_size``).
    choices : tuple of str
        The accepted values of a ``"choice"`` setting.
    """

    name: str
    default: object
    kind: str
    type_doc: str
    doc: str
    part: str
    command_line: bool = True
    choices: tuple = ()


#: The kinds of values a setting can take.
KINDS = ("units", "boolean", "rate", "choice", "positive_int", "positive_real", "fraction",
         "name", "positive_real_or_none", "verbosity", "period", "dilations")


RNN_SETTINGS = (
    Setting("units", (32,), "units", "int or tuple of int",
            "Units per recurrent layer; more than one entry stacks layers (all but the last "
            "return sequences).", "architecture"),
    Setting("bidirectional", False, "boolean", "bool",
            "Read each window both ways (legitimate for forecasting: the whole window lies in "
            "the past); about twice the parameters and time.", "architecture"),
    Setting("dropout", 0.0, "rate", "float",
            "Dropout rate of the inputs of every recurrent layer.", "architecture"),
    Setting("recurrent_dropout", 0.0, "rate", "float",
            "Dropout rate of the recurrent state.", "architecture", command_line=False),
    Setting("residual", False, "boolean", "bool",
            "Residual connections between stacked layers.", "architecture"),
    Setting("head", "dense", "choice", '{"dense", "seq2seq"}',
            '``"dense"``: the final state feeds one dense layer with all outputs (direct '
            'multi-output); ``"seq2seq"``: encoder-decoder (see '
            ":func:`~tsforecast.networks.build_rnn`).", "architecture", choices=HEADS),
    Setting("highway", True, "boolean", "bool",
            "A linear path beside the network (LSTNet's autoregressive component), started "
            "at the ridge solution of the training windows, with the network's head at zero: "
            "training starts from the linear model and keeps it unless the network does "
            "better on the validation windows; the recurrent layers read the window relative "
            "to its last step. It lets recurrent networks learn seasonal and long lags as "
            "well as a linear model does. It is left out when there are fewer than 5 "
            "training windows per step of the input window (too few to estimate it).",
            "architecture"),
    Setting("gate_init", "keras", "choice", '{"keras", "chrono"}',
            '``"chrono"``: chrono initialisation of the LSTM forget/input and GRU update gate '
            "biases for dependencies up to a window back (Tallec and Ollivier 2018).",
            "architecture", choices=("keras", "chrono")),
    Setting("skip", None, "period", "int or None",
            "Period of a recurrent skip connection (LSTNet): a recurrent layer over each "
            "phase of the cycle, whose final states join the encoder's.", "architecture"),
    Setting("dilations", None, "dilations", "tuple of int or None",
            "Dilation of each stacked layer (DilatedRNN), one per entry of ``units``: "
            "``(1, 12)`` with two layers for monthly data.",
            "architecture"),
    Setting("epochs", 100, "positive_int", "int",
            "Maximum number of passes over the training windows.", "training"),
    Setting("batch_size", 32, "positive_int", "int",
            "Windows per gradient step.", "training"),
    Setting("learning_rate", 1e-3, "positive_real", "float",
            "Initial learning rate.", "training"),
    Setting("optimizer", "adam", "name", "str",
            'Keras optimizer name, e.g. ``"adam"``, ``"adamw"``, ``"rmsprop"``.',
            "training", command_line=False),
    Setting("clipnorm", 1.0, "positive_real_or_none", "float or None",
            "Gradient clipping by norm (on by default against exploding gradients); ``None`` "
            "switches it off.", "training", command_line=False),
    Setting("early_stopping", True, "boolean", "bool",
            "Hold out the last ``validation_fraction`` of the training windows (the most "
            "recent; rows must be in time order) and stop when their loss has not improved "
            "for ``patience`` epochs, restoring the best weights. With ``horizon`` targets "
            "per row, the ``horizon - 1`` rows before the hold-out are used for neither part "
            "(their targets overlap the first held-out targets). With too few rows for a "
            "hold-out the training loss is monitored instead.", "training"),
    Setting("validation_fraction", 0.1, "fraction", "float",
            "Share of the windows held out for early stopping and learning-rate reduction.",
            "training", command_line=False),
    Setting("train_on_all", True, "boolean", "bool",
            "Once early stopping has chosen the number of epochs on the held-out windows, "
            "train again from the same starting weights on all windows (the held-out ones, "
            "the newest, included) for that many epochs, with the same learning rates.",
            "training", command_line=False),
    Setting("patience", 10, "positive_int", "int",
            "Epochs without improvement before stopping.", "training"),
    Setting("reduce_lr", True, "boolean", "bool",
            "Halve the learning rate when the monitored loss stalls for "
            "``max(1, patience // 2)`` epochs.", "training", command_line=False),
    Setting("verbose", 0, "verbosity", "int",
            "0 silent, 1 Keras progress bar, 2 one line per epoch.", "training",
            command_line=False),
    Setting("track_gradients", False, "boolean", "bool",
            "Record per-epoch gradient diagnostics in ``history_`` (global gradient norm, "
            "share of gradients clipped by ``clipnorm``, first-to-last-step gradient ratio "
            "per recurrent layer; see :mod:`tsforecast.diagnostics`), computed on a fixed "
            "sample of training windows at the end of each epoch.", "training",
            command_line=False),
)

_BY_NAME = {setting.name: setting for setting in RNN_SETTINGS}


def settings_of(estimator):
    """The values of every RNN setting on ``estimator``, as a dict."""
    return {setting.name: getattr(estimator, setting.name) for setting in RNN_SETTINGS}


def _units_tuple(units):
    if isinstance(units, numbers.Integral):
        return (int(units),)
    return tuple(int(u) for u in units)


def architecture(values, *, cell, window, n_features, horizon):
    """The keyword arguments of :func:`~tsforecast.networks.build_rnn` for these settings.

    The result is plain data (ints, floats, strings, tuples): it keys the compiled programs
    shared by every model of one architecture.
    """
    network = {s.name: values[s.name] for s in RNN_SETTINGS if s.part == "architecture"}
    network["units"] = _units_tuple(network["units"])
    for name in ("bidirectional", "residual", "highway"):
        network[name] = bool(network[name])
    if network["skip"] is not None:
        network["skip"] = int(network["skip"])
    if network["dilations"] is not None:
        network["dilations"] = _units_tuple(network["dilations"])
    for name in ("dropout", "recurrent_dropout"):
        network[name] = float(network[name])
    return {"window": int(window), "n_features": int(n_features), "horizon": int(horizon),
            "cell": cell, **network}


def training_options(values):
    """The training settings among ``values`` (a dict of every setting)."""
    return {s.name: values[s.name] for s in RNN_SETTINGS if s.part == "training"}


def constraints():
    """scikit-learn ``_parameter_constraints`` entries of every setting."""
    from sklearn.utils._param_validation import Interval, StrOptions

    by_kind = {
        "units": [Interval(numbers.Integral, 1, None, closed="left"), "array-like"],
        "boolean": ["boolean"],
        "rate": [Interval(numbers.Real, 0, 1, closed="left")],
        "positive_int": [Interval(numbers.Integral, 1, None, closed="left")],
        "positive_real": [Interval(numbers.Real, 0, None, closed="neither")],
        "fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "name": [str],
        "positive_real_or_none": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "verbosity": ["verbose"],
        "period": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "dilations": ["array-like", None],
    }
    return {
        setting.name: ([StrOptions(set(setting.choices))] if setting.kind == "choice"
                       else by_kind[setting.kind])
        for setting in RNN_SETTINGS
    }


def param_docs(names=None):
    """The numpydoc Parameters entries of the settings (all, or those in ``names``)."""
    lines = []
    for setting in RNN_SETTINGS:
        if names is not None and setting.name not in names:
            continue
        lines.append(f"    {setting.name} : {setting.type_doc}, default={setting.default!r}")
        lines.append(textwrap.fill(setting.doc, 88, initial_indent=" " * 8,
                                   subsequent_indent=" " * 8))
    return "\n".join(lines)


def estimator_init(leading=(), trailing=(), *, first_positional=None):
    """An ``__init__`` whose parameters are ``leading``, the RNN settings, then ``trailing``.

    scikit-learn reads an estimator's parameters from its ``__init__`` signature, so the
    generated function carries a real signature (``__signature__``): ``get_params``,
    ``clone`` and ``help()`` see every parameter by name, and ``__init__`` only stores the
    values, as scikit-learn requires.

    Parameters
    ----------
    leading, trailing : sequence of (str, object)
        Names and defaults of the estimator's own parameters before and after the settings.
    first_positional : str, optional
        The one parameter that may be passed by position (the rest are keyword-only).

    Returns
    -------
    function
    """
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    entries = [*leading, *((s.name, s.default) for s in RNN_SETTINGS), *trailing]
    for name, default in entries:
        kind = (inspect.Parameter.POSITIONAL_OR_KEYWORD if name == first_positional
                else inspect.Parameter.KEYWORD_ONLY)
        parameters.append(inspect.Parameter(name, kind, default=default))
    if first_positional is not None:
        # a positional parameter must come first
        parameters.sort(key=lambda p: (p.name != "self", p.kind))
    signature = inspect.Signature(parameters)

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__

"""Forecasters by short name, as used by the command line (``--model``, ``--models``).

This module imports nothing heavy at import time: the forecaster classes (and with them
statsmodels or Keras) are imported only when :func:`make_forecaster` builds one.
"""

import difflib
import importlib

# name -> (module, class, one-line description)
FORECASTERS = {
    "naive": ("baselines", "Naive", "last value repeated"),
    "snaive": ("baselines", "SeasonalNaive", "value one season ago repeated"),
    "drift": ("baselines", "Drift", "line through the first and last values"),
    "mean": ("baselines", "Mean", "mean of the training values"),
    "naive2": ("baselines", "Naive2", "naive on the seasonally adjusted series (M4 benchmark)"),
    "arima": ("statistical", "ARIMA", "ARIMA(1,1,1), with a seasonal (0,1,1) part when seasonal"),
    "autoarima": ("statistical", "AutoARIMA", "ARIMA with orders chosen by stepwise AIC"),
    "ets": ("statistical", "ETS", "exponential smoothing (error, trend, season)"),
    "theta": ("statistical", "Theta", "Theta method (M3 winner)"),
    "auto": ("window_forecaster", "default_forecaster",
             "the default network: LSTM ensemble correcting a seasonal base, log scale"),
    "simple": ("window_forecaster", "SimpleRNNForecaster", "simple recurrent network"),
    "lstm": ("window_forecaster", "LSTMForecaster", "LSTM network"),
    "gru": ("window_forecaster", "GRUForecaster", "GRU network"),
    "global-simple": ("window_forecaster", "SimpleRNNForecaster",
                      "one simple RNN trained across all series"),
    "global-lstm": ("window_forecaster", "LSTMForecaster", "one LSTM trained across all series"),
    "global-gru": ("window_forecaster", "GRUForecaster", "one GRU trained across all series"),
}

#: Names of the recurrent-network forecasters (they take the network options).
NEURAL = ("auto", "simple", "lstm", "gru", "global-simple", "global-lstm", "global-gru")

_ALIASES = {
    "seasonal-naive": "snaive",
    "seasonalnaive": "snaive",
    "auto-arima": "autoarima",
    "rnn": "simple",
    "simplernn": "simple",
    "lstm-global": "global-lstm",
    "gru-global": "global-gru",
    "simple-global": "global-simple",
}

# Options every forecaster accepts; each uses only the ones that apply to it.
_CONTEXT = ("season_length", "horizon", "window", "n_obs", "random_state", "transforms")


def names():
    """Return the forecaster names accepted by :func:`make_forecaster`, in display order."""
    return list(FORECASTERS)


def resolve_name(name):
    """Return the canonical name for ``name`` (case, ``_`` and aliases are tolerated).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid names and the closest match.
    """
    if not isinstance(name, str):
        raise TypeError(f"The forecaster name must be a string such as 'lstm', got {name!r}.")
    key = name.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key in FORECASTERS:
        return key
    close = difflib.get_close_matches(key, list(FORECASTERS) + list(_ALIASES), n=1)
    hint = f"did you mean {_ALIASES.get(close[0], close[0])!r}? " if close else ""
    raise ValueError(
        f"Unknown forecaster {name!r}; {hint}choose one of: {', '.join(FORECASTERS)}."
    )


def make_forecaster(name, **options):
    """Build a forecaster from its short name.

    Parameters
    ----------
    name : str
        One of :func:`names` (``naive``, ``snaive``, ``drift``, ``mean``, ``naive2``,
        ``arima``, ``autoarima``, ``ets``, ``theta``, ``auto``, ``simple``, ``lstm``,
        ``gru`` and the global network variants ``global-simple``, ``global-lstm``,
        ``global-gru``). ``auto`` is the evidence-based default network of
        :func:`~tsforecast.window_forecaster.default_forecaster` (takes the extra option
        ``positive``, default True: model the log of a strictly positive series);
        ``simple``, ``lstm`` and ``gru`` are plain networks with the same default window.
        Case and ``_``/``-`` are ignored; ``seasonal-naive`` and ``auto-arima`` are aliases.
    **options
        Context options, used by the forecasters they apply to and ignored by the others:
        ``season_length``, ``horizon``, ``window`` (default :func:`~tsforecast.window_forecaster.default_window`),
        ``n_obs`` (length of the training series, to size the default window),
        ``random_state`` and ``transforms`` (e.g. ``"log,diff12"``: wraps the forecaster
        in a :class:`~tsforecast.transforms.TransformedForecaster`).
        Any other option must be a parameter of the forecaster (for the networks also a
        regressor parameter such as ``units``, ``epochs``, ``bidirectional``).

    Returns
    -------
    forecaster : BaseForecaster
        Unfitted.

    Raises
    ------
    ValueError
        For an unknown name or an option the forecaster does not accept; the message lists
        the valid choices.

    Examples
    --------
    >>> make_forecaster("snaive", season_length=12)
    SeasonalNaive(season_length=12)
    """
    key = resolve_name(name)
    module_name, class_name, _ = FORECASTERS[key]
    cls = getattr(importlib.import_module(f"tsforecast.{module_name}"), class_name)
    context = {k: options.pop(k) for k in _CONTEXT if k in options}
    if key == "auto":
        return _make_auto(cls, context, options)
    season_length = context.get("season_length")
    horizon = context.get("horizon")
    accepted = set(cls().get_params(deep=False)) if key not in NEURAL else None

    kwargs = {}
    if key in NEURAL:
        kwargs, accepted = _neural_kwargs(cls, key, context)
    elif key == "arima":
        seasonal = season_length is not None and season_length > 1
        kwargs = {
            "order": (1, 1, 1),
            "seasonal_order": (0, 1, 1, int(season_length)) if seasonal else (0, 0, 0, 0),
        }
    else:
        if "season_length" in accepted and season_length is not None:
            kwargs["season_length"] = int(season_length)
        if "horizon" in accepted and horizon is not None:
            kwargs["horizon"] = int(horizon)
        if "random_state" in accepted and context.get("random_state") is not None:
            kwargs["random_state"] = context["random_state"]

    for option, value in options.items():
        target = _option_target(option, accepted)
        if target is None:
            valid = sorted(p for p in accepted if "__" not in p)
            raise ValueError(
                f"{name!r} does not accept the option {option!r}; valid options are: "
                f"{', '.join(valid + list(_CONTEXT))}."
            )
        kwargs[target] = value
    forecaster = _instantiate(cls, kwargs, name)

    transforms = context.get("transforms")
    if transforms:
        from tsforecast.transforms import TransformedForecaster, parse_transforms

        if isinstance(transforms, str):
            transforms = parse_transforms(transforms)
        if transforms:
            forecaster = TransformedForecaster(transforms=list(transforms), forecaster=forecaster)
    return forecaster


def _neural_kwargs(cls, key, context):
    params = cls(window=1, horizon=1).get_params(deep=True)
    accepted = set(params)
    season_length = context.get("season_length")
    horizon = context.get("horizon") or max(int(season_length or 1), 1)
    from tsforecast.window_forecaster import default_window

    window = context.get("window") or default_window(season_length, horizon, context.get("n_obs"))
    kwargs = {"window": int(window), "horizon": int(horizon)}
    if "season_length" in accepted and season_length is not None:
        kwargs["season_length"] = int(season_length)
    if key.startswith("global-"):
        kwargs["global_model"] = True
    random_state = context.get("random_state")
    if random_state is not None:
        kwargs[_option_target("random_state", accepted) or "random_state"] = random_state
    return kwargs, accepted


def _make_auto(default_forecaster, context, options):
    transforms = context.get("transforms")
    if transforms:
        from tsforecast.transforms import parse_transforms

        if not isinstance(transforms, str) or parse_transforms(transforms):
            raise ValueError(
                f"'auto' chooses its own transforms (log for a positive series), so "
                f"`transforms`={transforms!r} is not accepted; pass positive=False to model "
                "the raw values, or use 'lstm' with `transforms`."
            )
    positive = options.pop("positive", True)
    if positive not in (True, False):
        raise TypeError(f"`positive`={positive!r} must be True or False.")
    season_length = max(int(context.get("season_length") or 1), 1)
    horizon = int(context.get("horizon") or season_length)
    n_obs = context.get("n_obs")
    random_state = context.get("random_state")
    forecaster = default_forecaster(
        season_length,
        horizon,
        n_obs,
        positive=bool(positive),
        random_state=0 if random_state is None else random_state,
    )
    accepted = set(forecaster.get_params(deep=True))
    if context.get("window"):
        options = {"window": int(context["window"]), **options}
    nested = {}
    for option, value in options.items():
        target = _option_target(option, accepted)
        if target is None:
            valid = sorted({p.rsplit("__", 1)[-1] for p in accepted if p.startswith("forecaster__")})
            raise ValueError(
                f"'auto' does not accept the option {option!r}; valid options are: "
                f"{', '.join(valid + ['positive'] + list(_CONTEXT))}."
            )
        nested[target] = value
    if nested:
        forecaster.set_params(**nested)
    return forecaster


def _option_target(option, accepted):
    for prefix in ("", "regressor__", "forecaster__", "forecaster__regressor__"):
        if prefix + option in accepted:
            return prefix + option
    return None


def _instantiate(cls, kwargs, name):
    flat = {k: v for k, v in kwargs.items() if "__" not in k}
    nested = {k: v for k, v in kwargs.items() if "__" in k}
    forecaster = cls(**flat)
    if nested:
        forecaster.set_params(**nested)
    return forecaster

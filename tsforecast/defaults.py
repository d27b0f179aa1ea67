"""Modelling defaults shared by the library and the command line.

One place decides what a user gets without choosing: the forecast horizon, the input window
of the networks, the ``auto`` forecaster, the default ARIMA orders, the baselines of a
holdout and the models of a comparison. :func:`make_forecaster` builds any registered
forecaster from its name with these defaults; the command line calls it and adds nothing
of its own.
"""

from tsforecast import registry
from tsforecast.validation import InputTypeError, InputValueError

__all__ = [
    "COMPARE_MODELS",
    "HOLDOUT_BASELINES",
    "arima_orders",
    "default_forecaster",
    "default_horizon",
    "default_window",
    "make_forecaster",
]

#: Reference models scored next to the chosen model on the holdout of ``tsforecast fit``.
HOLDOUT_BASELINES = ("snaive", "autoarima")
#: Models of ``tsforecast compare`` when none are named.
COMPARE_MODELS = ("naive", "snaive", "drift", "ets", "theta", "autoarima", "auto")

# Options every forecaster accepts; each uses only the ones that apply to it.
_CONTEXT = ("season_length", "horizon", "window", "n_obs", "random_state", "transforms")


def default_horizon(season_length, n_obs=None):
    """Forecast horizon when none is given.

    One season (13 weeks for weekly data, at most 48 steps for longer seasons, 6 steps
    without a season), shortened so that a series of ``n_obs`` values keeps at least 4/5
    of them for training.

    Examples
    --------
    >>> default_horizon(12), default_horizon(1), default_horizon(52), default_horizon(12, 40)
    (12, 6, 13, 8)
    """
    m = max(1, int(season_length or 1))
    if 1 < m <= 24:
        horizon = m
    elif m == 52:
        horizon = 13
    elif m > 24:
        horizon = min(m, 48)
    else:
        horizon = 6
    if n_obs is None:
        return horizon
    return max(1, min(horizon, int(n_obs) // 5))


def arima_orders(season_length):
    """``(order, seasonal_order)`` of the ``arima`` model: ARIMA(1,1,1), with a seasonal
    (0,1,1) part when the data are seasonal (the airline model's seasonal part).

    Examples
    --------
    >>> arima_orders(12)
    ((1, 1, 1), (0, 1, 1, 12))
    """
    m = int(season_length or 1)
    return (1, 1, 1), ((0, 1, 1, m) if m > 1 else (0, 0, 0, 0))


def default_window(season_length, horizon, n_obs=None):
    """Input window of the networks when none is given.

    Three seasons for seasonal data (at least 12 values), 12 values otherwise, shortened
    for a series of ``n_obs`` values so that enough training windows remain for the
    network and the calibration folds (``n_obs=None``: not shortened).

    Examples
    --------
    >>> default_window(12, 24), default_window(12, 24, n_obs=64), default_window(1, 10)
    (36, 20, 12)
    """
    m = max(1, int(season_length or 1))
    window = max(3 * m, 12) if m > 1 else 12
    if n_obs is None:
        return window
    return max(2, min(window, (int(n_obs) - int(horizon)) // 2))


def default_forecaster(season_length, horizon, n_obs, *, positive=True, random_state=0,
                       n_jobs=None):
    """The out-of-the-box forecaster of ``tsforecast fit``, chosen by backtest evidence.

    A small LSTM ensemble on the log scale that learns corrections to the seasonal naive
    forecast of each window, one network per seed predicting all ``horizon`` steps at
    once, with conformal intervals.

    Parameters
    ----------
    season_length : int
        Period of the seasonal cycle (1 for none).
    horizon : int
        Number of steps to forecast.
    n_obs : int or None
        Length of the training series (the window is shortened for short series).
    positive : bool, default=True
        Whether the series is strictly positive; only then is it modelled on the log
        scale.
    random_state : int, default=0
        Seed of the first ensemble member.
    n_jobs : int, optional
        Networks trained at the same time, in threads (see
        :class:`~tsforecast.forecasting.WindowForecaster`).

    Returns
    -------
    TransformedForecaster
        Log transform (when ``positive``) around an
        :class:`~tsforecast.forecasting.LSTMForecaster`.

    Notes
    -----
    Settings: window of three seasons (shorter for short series), ``normalize="seasonal"``
    (the network corrects a seasonal base forecast: the seasonal profile of the window at
    the level of its last season), multi-output head, ``units=(8,)``, learning rate
    0.003 with early stopping, 5 seeds combined by the median, 3 conformal calibration
    folds. No linear highway: on the seasonally normalised windows of short series the
    network learns the trend better without it (AirPassengers, last 24 months held out:
    MASE 0.39 without, 1.19 with).

    Chosen by holdout evidence on the shipped monthly series; the README's accuracy section
    has the numbers.
    """
    from tsforecast.forecasting import LogTransform, LSTMForecaster, TransformedForecaster

    m = max(1, int(season_length))
    horizon = int(horizon)
    window = default_window(m, horizon, n_obs)
    seasonal = m > 1 and window >= m
    forecaster = LSTMForecaster(
        window=window,
        horizon=horizon,
        normalize="seasonal" if seasonal else "last",
        season_length=m if seasonal else None,
        n_ensemble=5,
        random_state=random_state,
        n_jobs=n_jobs,
        units=(8,),
        highway=False,
        epochs=100,
        batch_size=32,
        learning_rate=3e-3,
        n_calibration=3,
    )
    return TransformedForecaster([LogTransform()] if positive else [], forecaster)


def make_forecaster(name, **options):
    """Build a forecaster from its short name, with the defaults of this module.

    Parameters
    ----------
    name : str
        One of :func:`tsforecast.registry.names` (``naive``, ``snaive``, ``drift``,
        ``mean``, ``naive2``, ``arima``, ``autoarima``, ``ets``, ``theta``, ``auto``,
        ``simple``, ``lstm``, ``gru`` and the global network variants ``global-simple``,
        ``global-lstm``, ``global-gru``). ``auto`` is :func:`default_forecaster` (it takes
        the extra option ``positive``, default True: model the log of a strictly positive
        series); ``simple``, ``lstm`` and ``gru`` are plain networks with the same default
        window. Case and ``_``/``-`` are ignored; ``seasonal-naive`` and ``auto-arima`` are
        aliases.
    **options
        Context options, used by the forecasters they apply to and ignored by the others:
        ``season_length``, ``horizon`` (default :func:`default_horizon`), ``window``
        (default :func:`default_window`), ``n_obs`` (length of the training series, to
        size the default window), ``random_state`` and ``transforms`` (e.g.
        ``"log,diff12"``: wraps the forecaster in a
        :class:`~tsforecast.forecasting.TransformedForecaster`). Any other option must be
        a parameter of the forecaster (for the networks, a network setting such as
        ``units``, ``epochs``, ``bidirectional``).

    Returns
    -------
    forecaster : BaseForecaster
        Unfitted.

    Raises
    ------
    InputValueError
        For an unknown name or an option the forecaster does not accept; the message lists
        the valid choices.

    Examples
    --------
    >>> make_forecaster("snaive", season_length=12)
    SeasonalNaive(season_length=12)
    """
    key = registry.resolve_name(name)
    context = {k: options.pop(k) for k in _CONTEXT if k in options}
    if key == "auto":
        return _make_auto(context, options)
    cls = registry.forecaster_class(key)
    accepted = set(cls().get_params(deep=False))
    season_length = context.get("season_length")
    if key in registry.NEURAL:
        kwargs = _network_kwargs(key, context)
    elif key == "arima":
        order, seasonal_order = arima_orders(season_length)
        kwargs = {"order": order, "seasonal_order": seasonal_order}
    else:
        kwargs = {k: context[k] for k in ("season_length", "horizon", "random_state")
                  if k in accepted and context.get(k) is not None}
    for option, value in options.items():
        if option not in accepted:
            raise InputValueError(
                f"{name!r} does not accept the option {option!r}; valid options are: "
                f"{', '.join(sorted(accepted) + list(_CONTEXT))}."
            )
        kwargs[option] = value
    forecaster = cls(**kwargs)

    transforms = context.get("transforms")
    if transforms:
        from tsforecast.forecasting import TransformedForecaster, parse_transforms

        if isinstance(transforms, str):
            transforms = parse_transforms(transforms)
        if transforms:
            forecaster = TransformedForecaster(transforms=list(transforms), forecaster=forecaster)
    return forecaster


def _network_kwargs(key, context):
    season_length = context.get("season_length")
    horizon = context.get("horizon") or default_horizon(season_length, context.get("n_obs"))
    window = context.get("window") or default_window(season_length, horizon, context.get("n_obs"))
    kwargs = {"window": int(window), "horizon": int(horizon)}
    if season_length is not None:
        kwargs["season_length"] = int(season_length)
    if key.startswith("global-"):
        kwargs["global_model"] = True
    if context.get("random_state") is not None:
        kwargs["random_state"] = context["random_state"]
    return kwargs


def _make_auto(context, options):
    transforms = context.get("transforms")
    if transforms:
        from tsforecast.forecasting import parse_transforms

        if not isinstance(transforms, str) or parse_transforms(transforms):
            raise InputValueError(
                f"'auto' chooses its own transforms (log for a positive series), so "
                f"`transforms`={transforms!r} is not accepted; pass positive=False to model "
                "the raw values, or use 'lstm' with `transforms`."
            )
    positive = options.pop("positive", True)
    if positive not in (True, False):
        raise InputTypeError(f"`positive`={positive!r} must be True or False.")
    season_length = max(int(context.get("season_length") or 1), 1)
    n_obs = context.get("n_obs")
    horizon = int(context.get("horizon") or default_horizon(season_length, n_obs))
    random_state = context.get("random_state")
    forecaster = default_forecaster(
        season_length,
        horizon,
        n_obs,
        positive=bool(positive),
        random_state=0 if random_state is None else random_state,
    )
    if context.get("window"):
        options = {"window": int(context["window"]), **options}
    inner = set(forecaster.forecaster.get_params(deep=False))
    for option in options:
        if option not in inner:
            raise InputValueError(
                f"'auto' does not accept the option {option!r}; valid options are: "
                f"{', '.join(sorted(inner) + ['positive'] + list(_CONTEXT))}."
            )
    if options:
        forecaster.forecaster.set_params(**options)
    return forecaster

"""What :func:`~tsforecast.diagnostics.explain` looks at: one trained network and its windows.

:func:`resolve_subject` finds the recurrent network inside the object given (a recurrent
regressor; a recurrent forecaster or any window forecaster over a recurrent regressor,
also inside a :class:`~tsforecast.forecasting.TransformedForecaster` or fitted column by
column on a wide frame) and the windows to evaluate it on, scaled exactly as the network
saw them in training:

* a regressor: the windows ``X`` (and targets ``y``) passed in; it keeps none;
* a forecaster given its series ``y``: the training windows of that series (transformed
  with the fitted transforms, standardised with the fitted per-series centre and scale,
  then normalised per window as in training), with their targets;
* a forecaster without ``y``: the last window of each series it keeps
  (``last_windows_``), without targets.

At most ``max_windows`` windows are used, evenly spaced over the rows, so a long series
costs no more than a short one.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tsforecast.forecasting.normalization import window_stats
from tsforecast.validation import InputTypeError, InputValueError
from tsforecast.windowing import make_windows

__all__ = ["Subject", "resolve_subject"]

_CELL_NAMES = {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


@dataclass
class Subject:
    """One trained network and the windows to explain it on.

    Attributes
    ----------
    regressor : recurrent regressor
        The fitted regressor holding the network (``model_``, ``history_``).
    X : numpy.ndarray of shape (n, window, n_features), float32
        Windows as the network reads them.
    Y : numpy.ndarray of shape (n, n_outputs) or None
        Their targets on the network's scale, when known.
    info : dict
        What was explained, for the summary: model class, cell, units, window, outputs,
        data source, normalisation, season length, ...
    """

    regressor: object
    X: np.ndarray
    Y: object
    info: dict = field(default_factory=dict)


def _is_recurrent_regressor(estimator):
    return getattr(estimator, "_cell", None) in _CELL_NAMES and hasattr(estimator, "model_")


def _sample(n, max_windows):
    if n <= max_windows:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_windows).round().astype(int))


def resolve_subject(model, X=None, y=None, *, member=0, max_windows=256):
    """The :class:`Subject` of ``model`` (see the module documentation)."""
    if _is_recurrent_regressor(model):
        subject = _regressor_subject(model, X, y)
    else:
        subject = _forecaster_subject(model, X, y, member)
    rows = _sample(subject.X.shape[0], int(max_windows))
    subject.X = np.ascontiguousarray(subject.X[rows], dtype=np.float32)
    if subject.Y is not None:
        subject.Y = np.ascontiguousarray(subject.Y[rows], dtype=np.float32)
    reg = subject.regressor
    subject.info.update(
        cell=reg._cell,
        cell_name=_CELL_NAMES[reg._cell],
        units=[int(u) for u in np.atleast_1d(reg.units)],
        bidirectional=bool(reg.bidirectional),
        head=reg.head,
        highway=bool(getattr(reg, "highway_", getattr(reg, "highway", False))),
        window=int(subject.X.shape[1]),
        n_features=int(subject.X.shape[2]),
        n_outputs=int(reg.n_outputs_),
        n_windows=int(subject.X.shape[0]),
        has_targets=subject.Y is not None,
        clipnorm=reg.clipnorm,
        batch_size=int(reg.batch_size),
    )
    return subject


def _regressor_subject(reg, X, y):
    name = type(reg).__name__
    if X is None:
        raise InputValueError(
            f"{name} keeps no training windows; pass them: explain(model, X, y) with the "
            "windows (and targets) it was fitted on."
        )
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 2:
        X = X[:, :, None]
    window = int(reg.model_.input_shape[1])
    if X.ndim != 3 or X.shape[1] != window or X.shape[2] != reg.n_channels_:
        raise InputValueError(
            f"`X` of shape {X.shape} does not fit {name}, fitted on windows of {window} "
            f"steps with {reg.n_channels_} feature(s); pass X shaped like its training data."
        )
    Y = None
    if y is not None:
        Y = np.asarray(y, dtype=np.float32)
        Y = Y[:, None] if Y.ndim == 1 else Y
        if Y.shape != (X.shape[0], reg.n_outputs_):
            raise InputValueError(
                f"`y` of shape {np.shape(y)} does not match X ({X.shape[0]} rows) and the "
                f"{reg.n_outputs_} output(s) of {name}."
            )
    info = {"model": name, "data": "windows X" + (" and targets y" if Y is not None else ""),
            "n_windows_available": int(X.shape[0])}
    return Subject(reg, X, Y, info)


def _forecaster_subject(model, X, y, member):
    name = type(model).__name__
    if X is not None:
        raise InputValueError(
            f"explain({name}, ...) takes the series as `y` (as fit does); `X` is for the "
            "windows of a regressor."
        )
    forecaster, transforms, series_name = model, None, None
    if hasattr(forecaster, "forecasters_"):  # a wide frame fitted column by column
        series_name, forecaster = next(iter(forecaster.forecasters_.items()))
        if isinstance(y, pd.DataFrame):
            y = y[series_name]
    if hasattr(forecaster, "forecaster_") and hasattr(forecaster, "transforms_"):
        transforms = forecaster.transforms_
        forecaster = forecaster.forecaster_
    estimators = getattr(forecaster, "estimators_", None)
    if not estimators or not _is_recurrent_regressor(estimators[0]):
        raise InputTypeError(
            f"explain needs a fitted recurrent regressor or forecaster (SimpleRNN, LSTM or "
            f"GRU); got {name}" + ("" if estimators is None else " over "
                                   f"{type(estimators[0]).__name__}") + "."
        )
    if getattr(forecaster, "last_covariates_", None) is not None:
        raise InputValueError(
            f"explain does not read the covariates of {name}; explain its regressor "
            "(`estimators_[0]`) with the windows it was trained on instead."
        )
    strategy = getattr(forecaster, "strategy_", forecaster.strategy)
    steps = 1 if strategy == "recursive" else int(forecaster.horizon)
    per_member = steps if strategy == "direct" else 1
    n_members = len(estimators) // per_member
    if not 0 <= int(member) < n_members:
        raise InputValueError(
            f"`member`={member!r} must be between 0 and {n_members - 1} (the ensemble has "
            f"{n_members} network(s))."
        )
    regressor = estimators[int(member) * per_member]
    normalize = (forecaster.normalize_, forecaster.season_length_)
    if y is None:
        inputs, targets = _last_windows(forecaster, steps, normalize)
        data = "last window of each series (no targets: gradients of the forecast)"
    else:
        inputs, targets = _training_windows(forecaster, transforms, y, steps, normalize)
        data = "training windows of the series y"
    if strategy == "direct":  # the network of the first step
        targets = targets[:, :1]
    info = {
        "model": name if series_name is None else f"{name}[{series_name!r}]",
        "data": data,
        "strategy": strategy,
        "normalize": forecaster.normalize_,
        "season_length": forecaster.season_length_,
        "member": int(member),
        "n_members": n_members,
        "n_windows_available": int(inputs.shape[0]),
    }
    if strategy == "direct":
        info["network"] = "the model of forecast step 1 (direct strategy)"
    return Subject(regressor, inputs[:, :, None], targets if y is not None else None, info)


def _last_windows(forecaster, steps, normalize):
    loc, scale = forecaster.series_loc_, forecaster.series_scale_
    windows = (np.asarray(forecaster.last_windows_, float) - loc[:, None]) / scale[:, None]
    in_loc, wscale, _ = window_stats(windows, steps, *normalize)
    return (windows - in_loc) / wscale, None


def _split(y):
    if isinstance(y, pd.DataFrame):
        return [y[name].dropna().to_numpy(dtype=float) for name in y.columns]
    return [np.asarray(y, dtype=float).ravel()]


def _training_windows(forecaster, transforms, y, steps, normalize):
    series = _split(y)
    if len(series) != len(forecaster.series_loc_):
        raise InputValueError(
            f"`y` has {len(series)} series but the forecaster was fitted on "
            f"{len(forecaster.series_loc_)}; pass the series it was fitted on."
        )
    window = int(forecaster.window)
    inputs, targets = [], []
    for j, values in enumerate(series):
        for transform in (transforms[j] if transforms is not None else []):
            values = transform.transform(values)
        values = (values - forecaster.series_loc_[j]) / forecaster.series_scale_[j]
        if len(values) < window + steps:
            continue
        Xw, Yw = make_windows(values, window, steps)
        inputs.append(Xw)
        targets.append(Yw)
    if not inputs:
        raise InputValueError(
            f"`y` is too short for one training window: the forecaster needs `window`="
            f"{window} + {steps} values; pass the series it was fitted on."
        )
    Xw, Yw = np.concatenate(inputs), np.concatenate(targets)
    in_loc, wscale, out_loc = window_stats(Xw, steps, *normalize)
    return (Xw - in_loc) / wscale, (Yw - out_loc) / wscale

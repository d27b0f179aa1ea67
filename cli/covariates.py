"""Covariates on the command line: which columns, past or future, and their future values.

``--covariates COL,...`` names columns of DATA read next to the target. A covariate is a
*past* covariate (known only up to the forecast origin, e.g. a related series) unless its
future values are given in the file of ``--future-covariates``, which makes it a *future*
covariate (known ahead: a weather forecast, a promotion plan). ``--calendar`` adds
calendar features of the timestamps, future covariates that need no file.

:class:`CovariatePlan` records the choice in the model file; what a model cannot use is
dropped with a warning, never silently. Like every command module, nothing heavy is
imported at import time.
"""

from dataclasses import dataclass, field

import click
from tsforecast.cli.common import find_param, format_stamp, set_matching_params
from tsforecast.cli.output import note

#: A parameter value no forecaster has (tells a missing parameter from a None one).
_ABSENT = object()


@dataclass
class CovariatePlan:
    """The covariates a model uses: column names and whether calendar features are added."""

    past: list = field(default_factory=list)
    future: list = field(default_factory=list)
    calendar: bool = False

    @property
    def columns(self):
        """The covariate columns read from the data: past ones first."""
        return [*self.past, *self.future]

    def __bool__(self):
        return bool(self.columns or self.calendar)

    def describe(self):
        """``Income (past), Temperature (future), calendar`` or ``none``."""
        parts = [f"{name} (past)" for name in self.past]
        parts += [f"{name} (future)" for name in self.future]
        if self.calendar:
            parts.append("calendar")
        return ", ".join(parts) or "none"

    def to_metadata(self):
        return {"past": list(self.past), "future": list(self.future),
                "calendar": bool(self.calendar)}

    @classmethod
    def from_metadata(cls, meta):
        """The plan stored by ``fit`` in the model file's metadata (none for older files)."""
        stored = ((meta or {}).get("settings") or {}).get("covariates") or {}
        return cls(list(stored.get("past", [])), list(stored.get("future", [])),
                   bool(stored.get("calendar", False)))


def requested_plan(covariates, future_columns, calendar):
    """The plan the user asked for: the ``--covariates`` columns and the columns of the
    ``--future-covariates`` file (those are future covariates; the rest are past ones)."""
    names = list(dict.fromkeys([*(covariates or []), *(future_columns or [])]))
    future = set(future_columns or [])
    return CovariatePlan([n for n in names if n not in future],
                         [n for n in names if n in future], bool(calendar))


def usable_plan(forecaster, plan, model_name):
    """The part of ``plan`` that ``forecaster`` can use; a warning for every part dropped.

    The window models and networks use past and future covariates and calendar features;
    ARIMA uses covariates as regressors, which need their values over the forecast
    horizon (future covariates only); the others use none.
    """
    windowed = find_param(forecaster, "future_covariates", _ABSENT) is not _ABSENT
    exogenous = forecaster.get_tag("capability:exogenous")
    past, future, calendar = list(plan.past), list(plan.future), plan.calendar
    if plan.columns and not exogenous:
        _warn(f"{model_name} does not use covariates: {_names(plan.columns)} ignored (the "
              "networks use them, and arima those of --future-covariates).")
        past, future = [], []
    elif past and not windowed:
        _warn(f"{model_name} uses covariates as regressors over the forecast horizon, so "
              f"only those of --future-covariates: {_names(past)} ignored (pass their "
              "future values, or use a network, which reads them over its input window).")
        past = []
    if calendar and not windowed:
        _warn(f"--calendar: {model_name} has no calendar features; ignored (the networks "
              "have them).")
        calendar = False
    return CovariatePlan(past, future, calendar)


def configure(forecaster, plan):
    """Set the covariate parameters of a window model or network to ``plan``."""
    if find_param(forecaster, "future_covariates", _ABSENT) is not _ABSENT:
        set_matching_params(forecaster, {"future_covariates": list(plan.future) or None,
                                         "calendar": bool(plan.calendar)})
    return forecaster


def covariate_table(X, plan):
    """The columns of ``plan`` in the covariates ``X`` read with the data (None without)."""
    if X is None or not plan.columns:
        return None
    if isinstance(X, dict):
        return {key: table[plan.columns] for key, table in X.items()}
    return X[plan.columns]


def read_future(path, *, time_col, id_col, sep, date_format, fill):
    """Read the file of ``--future-covariates`` and say what it holds."""
    from tsforecast.cli.errors import one_line
    from tsforecast.dataio.covariates import read_covariates

    data = read_covariates(path, time_col=time_col, id_col=id_col, sep=sep,
                           date_format=date_format, fill=fill)
    rows = len(data.X) if not isinstance(data.X, dict) else max(map(len, data.X.values()))
    note(f"Read future covariates {_names(data.columns)} from '{path.name}' ({rows} rows)")
    for line in data.notes:
        if line.startswith(("Filled", "Rows were", "Monthly")):
            note(f"  note: {one_line(line)}")
    return data


def join_covariates(history, future):
    """Covariates of the history followed by future ones (history rows win on overlap)."""
    if history is None or future is None:
        return future if history is None else history
    if isinstance(history, dict):
        return {key: join_covariates(table, future.get(key) if isinstance(future, dict)
                                     else future)
                for key, table in history.items()}
    if isinstance(future, dict):
        raise click.UsageError("the future covariates have a series column but the data "
                               "have none; pass one table of future values for the series.")
    return history.combine_first(future)


def check_future(future, plan, origins, freq, horizon, path, *, block=None):
    """Fail with one line unless ``future`` (the ``--future-covariates`` file, None when
    not given) holds every future covariate of ``plan`` for the ``horizon`` steps after
    each series' origin (``origins``: series name -> last timestamp). A model that
    forecasts ``block`` steps at a time needs them up to the end of its last block."""
    if not plan.future:
        if future is not None:
            _warn(f"the model uses no future covariates: '{path.name}' ignored.")
        return
    if future is None:
        raise click.UsageError(
            f"the model uses the future covariate(s) {_names(plan.future)}: pass their values "
            f"for the {horizon} forecast steps with --future-covariates FILE.csv."
        )
    missing = [name for name in plan.future if name not in future.columns]
    if missing:
        raise click.UsageError(
            f"'{path.name}' lacks the future covariate column(s) {_names(missing)} (it has "
            f"{_names(future.columns)}); add them."
        )
    steps = horizon if not block else -(-horizon // block) * block
    for series, origin in origins.items():
        table = future.X.get(series) if isinstance(future.X, dict) else future.X
        _check_steps(table, plan.future, origin, freq, steps, path, series,
                     shorter=steps == horizon)


def _check_steps(table, names, origin, freq, horizon, path, series, *, shorter=True):
    import numpy as np
    import pandas as pd

    which = "" if series is None else f" of series {series!r}"
    if table is None:
        raise click.UsageError(f"'{path.name}' has no rows{which}; add its future covariates.")
    if isinstance(origin, pd.Timestamp):
        stamps = pd.date_range(origin, periods=horizon + 1, freq=freq)[1:]
        values = table[names].reindex(stamps).to_numpy(dtype=float)
    elif table.index.isin(range(origin + 1, origin + horizon + 1)).any():
        stamps = pd.RangeIndex(origin + 1, origin + horizon + 1)
        values = table[names].reindex(stamps).to_numpy(dtype=float)
    else:  # a file without time column: its rows are the steps, in order
        stamps = pd.RangeIndex(origin + 1, origin + horizon + 1)
        values = np.full((horizon, len(names)), np.nan)
        part = table[names].to_numpy(dtype=float)[:horizon]
        values[: len(part)] = part
    holes = np.argwhere(~np.isfinite(values))
    if len(holes):
        step, column = holes[0]
        why = "" if shorter else ", as the model forecasts them a block at a time"
        fix = " or pass a shorter --horizon" if shorter else ""
        raise click.UsageError(
            f"the future covariates in '{path.name}' do not cover the forecast{which}: no "
            f"value of {names[column]!r} for {format_stamp(stamps[step], freq)} (step "
            f"{step + 1} of {horizon}{why}); add rows up to {format_stamp(stamps[-1], freq)}"
            f"{fix}."
        )


def forecast_block(forecaster):
    """The number of steps a window model forecasts at a time (None for other models)."""
    strategy = find_param(forecaster, "strategy", _ABSENT)
    if strategy is _ABSENT:
        return None
    return 1 if strategy == "recursive" else find_param(forecaster, "horizon")


def _names(names):
    return ", ".join(repr(str(name)) for name in names)


def _warn(text):
    note(f"  warning: {text}")

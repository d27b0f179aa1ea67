"""Panels of series: many series side by side in a wide frame, checked one by one.

The evaluation works on wide frames (one column per series, a shared time index). Series
may start and end at different times: leading and trailing NaN mark a later start or an
earlier end, while a gap inside a series is an error. Long data (``unique_id, ds, y``, or
any column names given by a :class:`~tsforecast.forecasting.layout.LongPanel`) is pivoted
to that shape by :func:`to_wide`.
"""

import warnings

import pandas as pd

from tsforecast.forecasting.checks import check_panel
from tsforecast.forecasting.layout import as_long_panel, to_wide

__all__ = ["as_panel", "check_panel", "series_label", "to_wide", "training_columns"]


def training_columns(y_train):
    """Columns of a panel's training part observed at its last row (started, not ended)."""
    return y_train.columns[y_train.iloc[-1].notna().to_numpy()]


def series_label(y):
    """The name of a series in result tables: its own, or ``"y"``."""
    return y.name if y.name is not None else "y"


def as_panel(data, *, name):
    """One series, a wide frame or long data as a checked wide frame (one column per series).

    ``name`` prefixes the error messages (the calling function, which uses no covariates:
    covariate columns of long data are ignored with a warning).
    """
    long = as_long_panel(data)
    if long is not None:
        if long.covariate_columns:
            warnings.warn(
                f"{name} uses no covariates: the column(s) {long.covariate_columns} of the "
                "long data are ignored.",
                UserWarning,
                stacklevel=3,
            )
        data = long.to_wide()
    panel = check_panel(data, name=name)
    if isinstance(panel, pd.Series):
        panel = panel.to_frame(name=series_label(panel))
    return panel

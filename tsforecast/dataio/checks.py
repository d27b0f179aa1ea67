"""The error raised for unusable input data, and the check that series are long enough."""

import numpy as np
import pandas as pd

from tsforecast.validation import InputValueError, check_int

__all__ = ["DataError", "check_length"]


class DataError(InputValueError):
    """The input data cannot be used as it is; the message says what is wrong and how to fix it.

    An :class:`~tsforecast.validation.InputValueError`, hence also a ``ValueError``.
    """


def check_length(y, window, horizon):
    """Check that every series is long enough for one training window plus a horizon.

    Parameters
    ----------
    y : pandas.Series, pandas.DataFrame or array-like
        The series (or wide frame); missing values do not count.
    window, horizon : int
        Input window and forecast horizon, both positive.

    Returns
    -------
    int
        Number of values of the shortest series.

    Raises
    ------
    DataError
        When ``window`` or ``horizon`` is not a positive integer, or a series has fewer than
        ``window + horizon`` values.

    Examples
    --------
    >>> check_length([1.0, 2.0, 3.0, 4.0], window=2, horizon=1)
    4
    >>> check_length([1.0, 2.0, 3.0], window=2, horizon=2)
    Traceback (most recent call last):
    ...
    tsforecast.dataio.checks.DataError: series has 3 values, needs at least window + horizon = 4; pass a smaller window or horizon, or use a longer series.
    """
    try:
        window = check_int(window, "window", meaning="the number of values in one input window")
        horizon = check_int(horizon, "horizon", meaning="the number of steps ahead")
    except InputValueError as error:
        raise DataError(str(error)) from None
    if isinstance(y, pd.DataFrame):
        frame = y
    else:
        frame = pd.DataFrame(
            {"y": y if isinstance(y, pd.Series) else np.asarray(y, dtype=float).ravel()}
        )
    if frame.shape[1] == 0:
        raise DataError("no series given (the frame has no columns); pass at least one series.")
    counts = frame.notna().sum(axis=0)
    shortest = counts.idxmin()
    n = int(counts.min())
    needed = window + horizon
    if n < needed:
        label = (
            f"series {shortest!r}"
            if isinstance(y, pd.DataFrame) and frame.shape[1] > 1
            else "series"
        )
        raise DataError(
            f"{label} has {n} values, needs at least window + horizon = {needed}; "
            "pass a smaller window or horizon, or use a longer series."
        )
    return n

"""Supervised windows over a time series, without copying the series.

``make_windows`` turns a series into ``(inputs, targets)`` pairs for a window regressor;
``covariate_windows`` cuts covariates into windows aligned with those pairs (the input
positions for past covariates, the input and target positions for covariates known in
advance); ``sample_windows`` picks a fixed budget of those rows from a long series, the
newest always among them; ``LagTransformer`` adds lagged copies of the columns of a table
for scikit-learn pipelines.

Alignment is the whole point of this module: row ``i`` of the inputs holds the ``window``
values that end just before the ``horizon`` values of row ``i`` of the targets, so the
off-by-one mistakes of hand-made shifts cannot happen::

    inputs[i]  = y[i*stride          : i*stride + window]
    targets[i] = y[i*stride + window : i*stride + window + horizon]
"""

import numbers

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from tsforecast.validation import InputTypeError, InputValueError, check_int

__all__ = [
    "LagTransformer",
    "covariate_windows",
    "make_windows",
    "sample_windows",
    "time_ordered_windows",
]


def _as_numeric_array(values, name):
    if isinstance(values, (pd.Series, pd.DataFrame)):
        frame = values.to_frame() if isinstance(values, pd.Series) else values
        for column in frame.columns:
            dtype = frame[column].dtype
            if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
                raise InputTypeError(
                    f"`{name}` column {column!r} has non-numeric dtype {dtype}; convert it "
                    "with pandas.to_numeric(...) first."
                )
        array = values.to_numpy()
    else:
        try:
            array = np.asarray(values)
        except ValueError:
            # numpy refuses nested sequences of unequal lengths
            raise InputValueError(
                f"`{name}` must be a rectangular array, got rows of unequal lengths; pass a "
                "1-D series or a 2-D array with the same number of columns in every row."
            ) from None
    # integers and floats only: booleans, complex numbers, datetimes and timedeltas (which
    # numpy counts as integers) are not values of a series
    if array.dtype.kind not in "iuf":
        raise InputTypeError(
            f"`{name}` must hold real numbers, got dtype {array.dtype}; convert it with "
            "numpy.asarray(..., dtype=float) first."
        )
    if array.ndim not in (1, 2):
        raise InputValueError(
            f"`{name}` must be 1-D (n_timepoints,) or 2-D (n_timepoints, n_columns), "
            f"got shape {array.shape}; pass one series per column, e.g. "
            f"{name}.reshape(len({name}), -1)."
        )
    if array.ndim == 2 and array.shape[1] == 0:
        raise InputValueError(
            f"`{name}` has no columns (shape {array.shape}); pass at least one column."
        )
    return array


def make_windows(y, window, horizon, *, X=None, stride=1):
    """Cut a series into aligned (input window, target horizon) pairs.

    The windows are read-only views on the series built with
    :func:`numpy.lib.stride_tricks.sliding_window_view`: no value is copied (pass the
    arrays to ``numpy.ascontiguousarray`` when a model needs a contiguous copy). With
    exogenous ``X`` the series and ``X`` are first stacked column-wise, one copy of length
    ``n_timepoints``, and the windows are views on that stack.

    Row ``i`` of the result is::

        Xw[i] = y[i*stride          : i*stride + window]
        Yw[i] = y[i*stride + window : i*stride + window + horizon]

    Parameters
    ----------
    y : array-like or pandas.Series/DataFrame of shape (n_timepoints,) or (n_timepoints, k)
        The series, oldest value first. Two-dimensional input is a multivariate series
        (one column per variable).
    window : int
        Number of past values in each input window (>= 1).
    horizon : int
        Number of future values in each target (>= 0). ``horizon=0`` returns every
        complete input window, including the last one, e.g. to forecast from the end of
        the series.
    X : array-like of shape (n_timepoints, p), optional
        Exogenous features aligned with ``y`` (row ``t`` of ``X`` belongs to ``y[t]``).
        They are appended as extra features at the positions of the input window, so
        ``Xw[i, j] = [y[i*stride + j], X[i*stride + j]]``. The stack is one copy of the
        series; :func:`covariate_windows` windows covariates as views of their own, also
        over the target positions for covariates known in advance.
    stride : int, default=1
        Step between the starts of consecutive windows.

    Returns
    -------
    Xw : numpy.ndarray
        ``(m, window)`` for a 1-D ``y`` without ``X``, else ``(m, window, n_features)``
        with ``n_features = k + p``.
    Yw : numpy.ndarray
        ``(m, horizon)`` for a 1-D ``y``, ``(m, horizon, k)`` for a 2-D ``y``.
        ``m = (n_timepoints - window - horizon) // stride + 1``.

    Raises
    ------
    ValueError
        If ``window + horizon`` exceeds the series length, or ``X`` has another length.

    See Also
    --------
    covariate_windows : windows of covariates aligned with these rows, as views.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast.windowing import make_windows
    >>> Xw, Yw = make_windows(np.arange(6.0), window=3, horizon=2)
    >>> Xw
    array([[0., 1., 2.],
           [1., 2., 3.]])
    >>> Yw
    array([[3., 4.],
           [4., 5.]])
    """
    window = check_int(window, "window")
    horizon = check_int(horizon, "horizon", minimum=0)
    stride = check_int(stride, "stride", example=1)
    values = _as_numeric_array(y, "y")
    n = values.shape[0]
    length = window + horizon
    if length > n:
        raise InputValueError(
            f"`window`={window} + `horizon`={horizon} must not exceed the series length {n}; "
            "pass a shorter window or horizon, or a longer series."
        )
    univariate = values.ndim == 1
    if X is not None:
        exog = _as_numeric_array(X, "X")
        if exog.shape[0] != n:
            raise InputValueError(
                f"`X` has {exog.shape[0]} rows but `y` has {n}; pass exogenous features "
                "with one row per time point of `y`."
            )
        if exog.ndim == 1:
            exog = exog[:, None]
        series = values[:, None] if univariate else values
        dtype = np.result_type(series.dtype, exog.dtype, np.float32)
        stacked = np.concatenate([series.astype(dtype, copy=False), exog.astype(dtype, copy=False)], axis=1)
        k = series.shape[1]
        views = sliding_window_view(stacked, length, axis=0)[::stride].swapaxes(1, 2)
        targets = views[:, window:, 0] if univariate else views[:, window:, :k]
        return views[:, :window, :], targets
    if univariate:
        views = sliding_window_view(values, length)[::stride]
        return views[:, :window], views[:, window:]
    views = sliding_window_view(values, length, axis=0)[::stride].swapaxes(1, 2)
    return views[:, :window, :], views[:, window:, :]


def covariate_windows(X, window, horizon, *, known_ahead=False, stride=1):
    """Windows of covariates aligned with the rows of ``make_windows(y, window, horizon)``.

    ``X`` holds one row per time point of ``y``. Past covariates (known only up to the
    forecast origin) are read at the positions of the input window; covariates known in
    advance (calendar features, planned promotions) also at the positions of the
    targets. Row ``i`` of the result is::

        known_ahead=False:  C[i] = X[i*stride : i*stride + window]
        known_ahead=True:   C[i] = X[i*stride : i*stride + window + horizon]

    The windows are read-only views on ``X`` (no value is copied).

    Parameters
    ----------
    X : array-like or pandas object of shape (n_timepoints,) or (n_timepoints, p)
        The covariates, oldest row first.
    window, horizon, stride : int
        As in :func:`make_windows` (the rows match those of ``make_windows`` with the
        same arguments on a series of ``n_timepoints`` values).
    known_ahead : bool, default=False
        Whether the values at the target positions are known when forecasting.

    Returns
    -------
    numpy.ndarray
        ``(m, window, p)``, or ``(m, window + horizon, p)`` with ``known_ahead=True``,
        where ``m = (n_timepoints - window - horizon) // stride + 1``.

    Examples
    --------
    >>> import numpy as np
    >>> price = np.arange(6.0) * 10
    >>> covariate_windows(price, window=3, horizon=2)[:, :, 0]
    array([[ 0., 10., 20.],
           [10., 20., 30.]])
    >>> covariate_windows(price, window=3, horizon=2, known_ahead=True)[1, :, 0]
    array([10., 20., 30., 40., 50.])
    """
    window = check_int(window, "window")
    horizon = check_int(horizon, "horizon", minimum=0)
    stride = check_int(stride, "stride", example=1)
    values = _as_numeric_array(X, "X")
    if values.ndim == 1:
        values = values[:, None]
    n = values.shape[0]
    length = window + horizon
    if length > n:
        raise InputValueError(
            f"`window`={window} + `horizon`={horizon} must not exceed the number of rows of "
            f"`X`, {n}; pass a shorter window or horizon, or more rows."
        )
    views = sliding_window_view(values, length, axis=0)[::stride].swapaxes(1, 2)
    return views if known_ahead else views[:, :window, :]


#: Share of a window budget given to the newest windows (the rest samples the older ones).
RECENT_SHARE = 0.25


def sample_windows(n_windows, max_windows, *, recent=RECENT_SHARE, random_state=None):
    """Rows of at most ``max_windows`` of ``n_windows`` time-ordered windows, newest always in.

    A network trained on every window of a long series costs time and memory in
    proportion to its length; trained on a fixed budget of windows it costs the same at
    any length. The budget keeps the newest ``ceil(recent * max_windows)`` windows (a
    contiguous block: the series as it is now, and the time-ordered tail that early
    stopping holds out) and samples the rest uniformly, without replacement, from all
    older windows, so that every part of the history can be seen.

    Parameters
    ----------
    n_windows : int
        Number of windows available, oldest first (the rows of :func:`make_windows`).
    max_windows : int or None
        The budget. None (or a budget of at least ``n_windows``) keeps every row.
    recent : float, default=0.25
        Share of the budget given to the newest windows, in ``(0, 1]``.
    random_state : int, numpy.random.Generator or None
        Seed of the sample of older windows.

    Returns
    -------
    numpy.ndarray of int
        Increasing row numbers: select them from the window views (``inputs[rows]``
        copies those rows only).

    Examples
    --------
    >>> rows = sample_windows(100_000, 1000, random_state=0)
    >>> len(rows), rows[-250:].tolist() == list(range(99_750, 100_000))
    (1000, True)
    >>> sample_windows(5, 1000).tolist()
    [0, 1, 2, 3, 4]
    """
    n_windows = check_int(n_windows, "n_windows", minimum=0)
    budget = check_int(max_windows, "max_windows", allow_none=True, example=10_000,
                       meaning="the number of training windows, or None for all")
    if budget is None or n_windows <= budget:
        return np.arange(n_windows)
    if not 0 < recent <= 1:
        raise InputValueError(f"`recent`={recent!r} must lie in (0, 1], e.g. 0.25.")
    n_recent = min(budget, int(np.ceil(recent * budget)))
    older = n_windows - n_recent
    rng = np.random.default_rng(random_state)
    sampled = np.sort(rng.choice(older, size=budget - n_recent, replace=False))
    return np.concatenate([sampled, np.arange(older, n_windows)])


class LagTransformer(TransformerMixin, BaseEstimator):
    """Add lagged copies of every column, one output row per input row.

    Row ``t`` of the output holds ``X[t - lag]`` for each requested lag, the largest lag
    first, so that for one input column the output row is a chronological window (oldest
    value first) that a window regressor can consume directly. Lags that reach before the
    first row are ``fill_value`` (NaN by default): rows are never dropped or added, so the
    output stays aligned with ``y`` inside a :class:`~sklearn.pipeline.Pipeline`.

    The transformer is stateless apart from the input width: ``transform`` treats the
    rows it receives as one contiguous, time-ordered stretch of the series.

    Parameters
    ----------
    lags : int or sequence of int, default=1
        An int ``L`` means lags ``1, ..., L``; a sequence gives the lags explicitly
        (``0`` is the current value). Lags must be distinct and >= 0.
    fill_value : float, default=numpy.nan
        Value of the lags that are not available in the first rows.

    Attributes
    ----------
    lags_ : numpy.ndarray of int
        The lags used, in output order (largest first).
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : numpy.ndarray of str
        Input column names, when fitted on a DataFrame with string column names.

    See Also
    --------
    make_windows : windows and targets from a series, as views.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast.windowing import LagTransformer
    >>> LagTransformer(lags=2).fit_transform(np.arange(4.0).reshape(-1, 1))
    array([[nan, nan],
           [nan,  0.],
           [ 0.,  1.],
           [ 1.,  2.]])
    """

    _parameter_constraints = {
        "lags": [Interval(numbers.Integral, 1, None, closed="left"), "array-like"],
        "fill_value": [numbers.Real],
    }

    def __init__(self, lags=1, *, fill_value=np.nan):
        self.lags = lags
        self.fill_value = fill_value

    def _resolve_lags(self):
        if isinstance(self.lags, numbers.Integral) and not isinstance(self.lags, bool):
            return np.arange(int(self.lags), 0, -1)
        lags = np.asarray(self.lags)
        if (
            lags.ndim != 1
            or lags.size == 0
            or not np.issubdtype(lags.dtype, np.integer)
            or (lags < 0).any()
            or np.unique(lags).size != lags.size
        ):
            raise InputValueError(
                f"`lags`={self.lags!r} must be a positive int or a non-empty sequence of "
                "distinct non-negative ints; pass e.g. `lags=12` or `lags=[1, 12]`."
            )
        return np.sort(lags)[::-1].astype(int)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the lags and record the input width.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Time-ordered rows.
        y : None
            Ignored.

        Returns
        -------
        self : LagTransformer
        """
        self.lags_ = self._resolve_lags()
        validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64)
        return self

    def transform(self, X):
        """Return the lagged columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Time-ordered rows.

        Returns
        -------
        Xt : numpy.ndarray of shape (n_samples, n_features * len(lags_))
            For each input column, its lags from the largest to the smallest.
        """
        check_is_fitted(self, "lags_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64)
        n, p = X.shape
        out = np.full((n, p, self.lags_.size), float(self.fill_value))
        for j, lag in enumerate(self.lags_):
            if lag < n:
                out[lag:, :, j] = X[: n - lag]
        return out.reshape(n, p * self.lags_.size)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, ``"<column>_lag<k>"``.

        Parameters
        ----------
        input_features : array-like of str, optional
            Input column names; defaults to ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        names : numpy.ndarray of str
        """
        from sklearn.utils.validation import _check_feature_names_in

        check_is_fitted(self, "lags_")
        names = _check_feature_names_in(self, input_features)
        return np.asarray([f"{name}_lag{lag}" for name in names for lag in self.lags_], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.requires_fit = True
        return tags


def time_ordered_windows(counts, rows):
    """Which series and window rows ``rows`` of several series' windows are, in time order.

    The windows of series ``j`` (``counts[j]`` of them, oldest first) all end at the same
    cutoff: window ``i`` is ``counts[j] - i`` steps old. Ordered from the oldest to the
    newest, and by series within the same age, row ``r`` of all the windows is window
    ``local[r]`` of series ``owner[r]``. Only the asked rows are computed: the windows of a
    large panel (tens of millions) are never enumerated.

    Parameters
    ----------
    counts : array-like of int
        Windows per series.
    rows : array-like of int
        Rows of the time order, each below ``sum(counts)``.

    Returns
    -------
    owner, local : numpy.ndarray of int
        Series and window (row of that series' windows) of each row.

    Examples
    --------
    >>> owner, local = time_ordered_windows([3, 1], [0, 1, 2, 3])
    >>> owner.tolist(), local.tolist()
    ([0, 0, 0, 1], [0, 1, 2, 0])
    """
    counts = np.asarray(counts, dtype=np.int64)
    rows = np.asarray(rows, dtype=np.int64)
    oldest = int(counts.max())
    # series with at least `age` windows, for every age; blocks of one age, oldest first
    with_age = np.bincount(counts, minlength=oldest + 1)[::-1].cumsum()[::-1]
    sizes = with_age[oldest:0:-1]
    ends = np.cumsum(sizes)
    block = np.searchsorted(ends, rows, side="right")
    age = oldest - block
    rank = rows - (ends[block] - sizes[block])
    owner = np.empty(len(rows), dtype=np.int64)
    for value in np.unique(age):
        asked = age == value
        owner[asked] = np.flatnonzero(counts >= value)[rank[asked]]
    return owner, counts[owner] - age

"""Rolling-origin evaluation: where to cut a series into past and future, and a backtest.

A rolling-origin (time-series) cross-validation never trains on the future: each fold
trains on the observations up to a *cutoff* and is scored on the ``horizon`` values that
follow it. :class:`RollingOriginSplit` yields the integer positions of both parts, and
:func:`backtest` refits a fresh clone of a forecaster on every fold and returns a tidy
table of actuals, forecasts and intervals.
"""

import numbers
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import indexable
from sklearn.utils.validation import _num_samples

from tsforecast.base import IntervalUnavailableError, check_series

__all__ = ["BACKTEST_COLUMNS", "IntervalUnavailableWarning", "RollingOriginSplit", "backtest"]


class IntervalUnavailableWarning(RuntimeWarning):
    """A fold was scored on point forecasts only: the model could not give an interval."""

#: Columns of the table returned by :func:`backtest`, in order.
BACKTEST_COLUMNS = (
    "series",
    "fold",
    "cutoff",
    "step",
    "actual",
    "forecast",
    "lower",
    "upper",
    "fit_seconds",
    "predict_ms",
)


def _check_int(value, name, minimum, *, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(
            f"`{name}`={value!r} must be an integer >= {minimum}"
            + (" or None" if allow_none else "")
            + f"; pass e.g. `{name}={max(minimum, 1) if name != 'gap' else 0}`."
        )
    return int(value)


class RollingOriginSplit(BaseCrossValidator):
    """Rolling-origin cross-validation: train on the past, test on the next ``horizon`` values.

    The folds are anchored at the end of the data: the test window of the last fold ends
    with the last observation, and each earlier fold moves the cutoff back by ``step``.
    With ``window="expanding"`` every fold trains on all observations before its cutoff;
    with ``window="sliding"`` it trains on the last ``initial`` of them only (by default
    the size of the first fold's training set, so every fold trains on the same amount
    of data).

    The splitter works on positions only, so it serves two purposes:

    * **on a series** (``split(y)``): ``train`` are the positions to fit a forecaster on,
      ``test`` the next ``horizon`` positions to forecast (used by :func:`backtest`);
    * **as a scikit-learn CV splitter over window rows** (``split(X)`` where ``X`` comes
      from :func:`tsforecast.windowing.make_windows`, e.g. ``cv=`` of ``GridSearchCV``):
      ``horizon`` is then the number of test *rows* per fold. Row ``i`` of windows made
      with ``horizon=h`` targets the values ``i + window ... i + window + h - 1``, so
      consecutive rows share ``h - 1`` target values. Pass ``gap=h - 1`` to drop the last
      ``h - 1`` training rows before each test block: the training targets then end
      before the first test target and no test value is seen in training.

    Parameters
    ----------
    n_folds : int or None, default=3
        Number of folds. ``None`` makes as many folds as fit while the first training
        set keeps at least ``initial`` observations (``initial`` is then required).
    horizon : int, default=12
        Number of test positions per fold (the forecast horizon).
    step : int or None, default=None
        Distance between consecutive cutoffs; ``None`` means ``horizon`` (test windows
        that touch but do not overlap).
    initial : int or None, default=None
        Expanding window: the smallest training set allowed for the first fold (an error
        is raised when the data are too short). Sliding window: the length of every
        training set. ``None``: no minimum (expanding) or the first fold's size (sliding).
    window : {"expanding", "sliding"}, default="expanding"
        Whether the training set grows with the cutoff or keeps a fixed length.
    gap : int, default=0
        Number of positions left out between the end of each training set and the start
        of its test set. On a series, :func:`backtest` then forecasts ``gap + horizon``
        steps and scores the last ``horizon``; over window rows, use ``gap=h - 1``.

    See Also
    --------
    backtest : Refit a forecaster on each fold and collect its forecasts.
    sklearn.model_selection.TimeSeriesSplit : The scikit-learn splitter this generalises.

    Examples
    --------
    >>> import numpy as np
    >>> cv = RollingOriginSplit(n_folds=2, horizon=3)
    >>> for train, test in cv.split(np.arange(10)):
    ...     print(train, test)
    [0 1 2 3] [4 5 6]
    [0 1 2 3 4 5 6] [7 8 9]
    >>> cv = RollingOriginSplit(n_folds=2, horizon=2, step=1, window="sliding", initial=3)
    >>> [(a.tolist(), b.tolist()) for a, b in cv.split(np.arange(7))]
    [([1, 2, 3], [4, 5]), ([2, 3, 4], [5, 6])]
    """

    def __init__(
        self, n_folds=3, *, horizon=12, step=None, initial=None, window="expanding", gap=0
    ):
        self.n_folds = n_folds
        self.horizon = horizon
        self.step = step
        self.initial = initial
        self.window = window
        self.gap = gap

    def _validated(self):
        n_folds = _check_int(self.n_folds, "n_folds", 1, allow_none=True)
        horizon = _check_int(self.horizon, "horizon", 1)
        step = _check_int(self.step, "step", 1, allow_none=True)
        initial = _check_int(self.initial, "initial", 1, allow_none=True)
        gap = _check_int(self.gap, "gap", 0)
        if self.window not in ("expanding", "sliding"):
            raise ValueError(
                f"`window`={self.window!r} must be 'expanding' (train on all the past) or "
                "'sliding' (train on the last `initial` values)."
            )
        if n_folds is None and initial is None:
            raise ValueError(
                "`n_folds=None` (as many folds as fit) needs `initial`, the smallest training "
                "set; pass e.g. `initial=36`, or a number of folds such as `n_folds=3`."
            )
        return n_folds, horizon, horizon if step is None else step, initial, gap

    def _train_ends(self, n_samples):
        """Positions where each fold's training set ends (exclusive), oldest fold first."""
        n_folds, horizon, step, initial, gap = self._validated()
        last_end = n_samples - horizon - gap
        minimum = initial or 1
        if n_folds is None:
            n_folds = (last_end - minimum) // step + 1 if last_end >= minimum else 0
            if n_folds < 1:
                raise ValueError(
                    f"{n_samples} observations are too few for one fold with "
                    f"initial={initial}, horizon={horizon}, gap={gap}; "
                    f"need at least {minimum + gap + horizon}. Pass a smaller `initial` or "
                    "`horizon`, or a longer series."
                )
        first_end = last_end - (n_folds - 1) * step
        if first_end < minimum:
            needed = minimum + gap + horizon + (n_folds - 1) * step
            raise ValueError(
                f"{n_samples} observations are too few for n_folds={n_folds}, "
                f"horizon={horizon}, step={step}, gap={gap}"
                + (f", initial={initial}" if initial else "")
                + f": need at least {needed}. Pass fewer folds, a shorter horizon or step, "
                "or a longer series."
            )
        return [first_end + k * step for k in range(n_folds)]

    def split(self, X, y=None, groups=None):
        """Generate the ``(train, test)`` integer positions of each fold, oldest first.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            The series (or the window rows); only its length is used.
        y, groups : ignored
            Present for scikit-learn compatibility.

        Yields
        ------
        train : numpy.ndarray of int
            Positions of the training observations (or rows).
        test : numpy.ndarray of int
            Positions of the ``horizon`` test observations (or rows).
        """
        X, y, groups = indexable(X, y, groups)
        n_samples = _num_samples(X)
        _, horizon, _, initial, gap = self._validated()
        ends = self._train_ends(n_samples)
        length = None
        if self.window == "sliding":
            length = initial if initial is not None else ends[0]
        for end in ends:
            start = 0 if length is None else end - length
            yield np.arange(start, end), np.arange(end + gap, end + gap + horizon)

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds (needs ``X`` only when ``n_folds=None``).

        Parameters
        ----------
        X : array-like, optional
            The data to split; required when the number of folds depends on its length.
        y, groups : ignored

        Returns
        -------
        int
        """
        if self.n_folds is not None:
            return _check_int(self.n_folds, "n_folds", 1)
        if X is None:
            raise ValueError(
                "With `n_folds=None` the number of folds depends on the data; pass it as "
                "`get_n_splits(X)`."
            )
        return len(self._train_ends(_num_samples(X)))


def _check_panel(y, *, name):
    """Validate one series or a wide panel whose series may start and end at different times.

    A single series goes through :func:`~tsforecast.base.check_series`. In a panel each
    series is checked on its own span (first to last observed value), so leading and
    trailing NaN mark later starts and earlier ends, while a gap inside a series is
    still an error; the shared index is checked once (sorted, unique, regular).

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Float data with the frequency of a datetime index set.
    """
    if not isinstance(y, pd.DataFrame) or y.shape[1] == 0:
        return check_series(y, name=name)
    y = y.set_axis(check_series(pd.Series(0.0, index=y.index), name=name).index, axis=0)
    for column in y.columns:
        values = y[column]
        observed = np.flatnonzero(values.notna().to_numpy())
        span = values if observed.size == 0 else values.iloc[observed[0] : observed[-1] + 1]
        check_series(span, name=f"{name}: series {column!r}", allow_dataframe=False)
    return y.astype(float)


def _training_columns(y_train):
    """Columns of a panel's training part observed at its last row (started, not ended)."""
    return y_train.columns[y_train.iloc[-1].notna().to_numpy()]


def _series_label(y):
    return y.name if y.name is not None else "y"


def _folds(cv, n_samples):
    for train, test in cv.split(np.arange(n_samples)):
        train = np.asarray(train, dtype=int)
        test = np.asarray(test, dtype=int)
        if train.size == 0 or test.size == 0:
            raise ValueError(f"The splitter {cv!r} produced an empty training or test set.")
        if test.min() <= train.max():
            raise ValueError(
                f"The splitter {cv!r} puts test positions at or before the end of the training "
                "set; a backtest needs every test position after the cutoff (use "
                "RollingOriginSplit or sklearn's TimeSeriesSplit)."
            )
        yield train, test


def forecast_fold(forecaster, y, train, test, *, coverage=0.9, X=None):
    """Fit a clone of ``forecaster`` on ``y[train]`` and forecast the ``test`` positions.

    Parameters
    ----------
    forecaster : BaseForecaster
        Left untouched; a clone is fitted.
    y : pandas.Series or pandas.DataFrame
        One series, or a wide frame for a global forecaster.
    train, test : numpy.ndarray of int
        Positions in ``y``; every test position comes after the last training position.
    coverage : float or None, default=0.9
        Coverage of the prediction interval; ``None`` skips intervals.
    X : pandas.DataFrame, optional
        Exogenous regressors aligned with ``y``.

    Returns
    -------
    point, lower, upper : numpy.ndarray
        Forecasts for the test positions, shape ``(len(test),)`` for a series or
        ``(len(test), n_series)`` for a frame (its columns observed at the cutoff, in
        order: a series that has not started or has already ended is left out of that
        fold); ``lower``/``upper`` are NaN without intervals, and also when the fitted
        model cannot give an interval for this training set (a forecaster too short to
        calibrate its conformal intervals, for instance): that case issues an
        :class:`IntervalUnavailableWarning`, any other error is raised.
    fit_seconds : float
    predict_ms : float
    """
    model = clone(forecaster)
    y_train = y.iloc[train]
    if isinstance(y_train, pd.DataFrame):
        y_train = y_train[_training_columns(y_train)]
    steps = test - train[-1]
    horizon = int(steps.max())
    X_train = None if X is None else X.iloc[train]
    X_future = None if X is None else X.iloc[train[-1] + 1 : train[-1] + 1 + horizon]
    started = time.perf_counter()
    model.fit(y_train, X_train)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with_interval = coverage is not None and _supports_intervals(model)
    if with_interval:
        try:
            frame = model.predict_interval(horizon, coverage, X_future)
        except NotImplementedError:
            with_interval = False
        except IntervalUnavailableError as exc:
            warnings.warn(
                f"No {coverage:.0%} interval for the fold with cutoff {y.index[train[-1]]!r} "
                f"({exc}); its point forecast is scored and its interval bounds are NaN.",
                IntervalUnavailableWarning,
                stacklevel=2,
            )
            with_interval = False
    if not with_interval:
        forecast = model.predict(horizon, X_future)
    predict_ms = 1000.0 * (time.perf_counter() - started)
    rows = steps - 1
    if with_interval:
        if isinstance(frame.columns, pd.MultiIndex):
            parts = [
                frame.xs(kind, axis=1, level=1).reindex(columns=y_train.columns).to_numpy()
                for kind in ("forecast", "lower", "upper")
            ]
        else:
            parts = [frame[kind].to_numpy() for kind in ("forecast", "lower", "upper")]
        point, lower, upper = (np.asarray(p, dtype=float)[rows] for p in parts)
    else:
        if isinstance(forecast, pd.DataFrame):
            forecast = forecast.reindex(columns=y_train.columns)
        point = np.asarray(forecast, dtype=float)[rows]
        lower = np.full_like(point, np.nan)
        upper = np.full_like(point, np.nan)
    if isinstance(y, pd.DataFrame) and point.ndim == 1:
        point, lower, upper = point[:, None], lower[:, None], upper[:, None]
    return point, lower, upper, fit_seconds, predict_ms


def _supports_intervals(forecaster):
    get_tag = getattr(forecaster, "get_tag", None)
    return bool(get_tag("capability:pred_int")) if get_tag is not None else False


def _fold_table(label, fold, y, train, test, point, lower, upper, fit_seconds, predict_ms):
    n = len(test)
    return pd.DataFrame(
        {
            "series": [label] * n,
            "fold": np.full(n, fold, dtype=int),
            "cutoff": [y.index[train[-1]]] * n,
            "step": (test - train[-1]).astype(int),
            "actual": y.to_numpy(dtype=float)[test],
            "forecast": point,
            "lower": lower,
            "upper": upper,
            "fit_seconds": np.full(n, fit_seconds),
            "predict_ms": np.full(n, predict_ms),
        }
    )


def backtest(forecaster, y, cv, *, coverage=0.9, X=None, n_jobs=None):
    """Rolling-origin backtest: refit a clone of ``forecaster`` on every fold of ``cv``.

    The whole forecaster is cloned and refitted on each training set, so everything it
    learns (target transforms, scalers, network weights) sees the training part only.

    Parameters
    ----------
    forecaster : BaseForecaster
        The forecaster to evaluate; it is not modified.
    y : pandas.Series or pandas.DataFrame
        One series, or a wide frame with one column per series. Series may start and
        end at different times (leading and trailing NaN). A local forecaster is
        backtested on each column separately (its own span, folds anchored at its own
        end); a global forecaster (tag ``"capability:global"``) is fitted on all columns
        at once, with folds cut on the shared time index (each fold trains on the series
        observed at its cutoff).
    cv : RollingOriginSplit or scikit-learn splitter
        Yields ``(train, test)`` positions with every test position after the training
        set, e.g. ``RollingOriginSplit(n_folds=3, horizon=12)``.
    coverage : float or None, default=0.9
        Coverage of the prediction intervals, computed when the forecaster supports them
        (tag ``"capability:pred_int"``); ``lower``/``upper`` are NaN otherwise. ``None``
        skips intervals.
    X : pandas.DataFrame, optional
        Exogenous regressors aligned with a single series ``y``.
    n_jobs : int, optional
        Folds fitted at the same time, in threads (joblib's ``prefer="threads"``; ``None``
        means 1, ``-1`` all cores). A network's compiled training runs outside Python's
        global interpreter lock, so the folds of a network backtest share the cores; models
        that compute in Python gain little (``compare(n_jobs=...)`` runs those in
        processes). The result is the same as with one job.

    Returns
    -------
    pandas.DataFrame
        One row per series, fold and horizon step with the columns
        ``series, fold, cutoff, step, actual, forecast, lower, upper, fit_seconds,
        predict_ms``. ``cutoff`` is the last training timestamp, ``step`` the lead time
        (1 = first value after the cutoff), ``fit_seconds``/``predict_ms`` the fold's
        fit and predict (or predict_interval) time, repeated on each row of the fold.

    Examples
    --------
    >>> import pandas as pd
    >>> from tsforecast.baselines import Naive
    >>> y = pd.Series(range(10), dtype=float)
    >>> table = backtest(Naive(), y, RollingOriginSplit(n_folds=2, horizon=2))
    >>> table[["fold", "step", "actual", "forecast"]].to_numpy().tolist()
    [[0.0, 1.0, 6.0, 5.0], [0.0, 2.0, 7.0, 5.0], [1.0, 1.0, 8.0, 7.0], [1.0, 2.0, 9.0, 7.0]]
    """
    y = _check_panel(y, name="backtest")
    if X is not None and isinstance(y, pd.DataFrame):
        raise ValueError(
            "`X` is supported for a single series only; backtest each column with its own "
            "regressors."
        )
    from joblib import Parallel, delayed

    if (
        isinstance(y, pd.DataFrame)
        and getattr(forecaster, "get_tag", None)
        and forecaster.get_tag("capability:global")
    ):
        folds = list(_folds(cv, len(y)))
        results = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(forecast_fold)(forecaster, y, train, test, coverage=coverage)
            for train, test in folds
        )
        tables = []
        for fold, ((train, test), (point, lower, upper, fit_s, pred_ms)) in enumerate(
            zip(folds, results)
        ):
            columns = list(_training_columns(y.iloc[train]))
            for j, name in enumerate(columns):
                series = y[name]
                keep = np.isfinite(series.to_numpy()[test])
                table = _fold_table(
                    name,
                    fold,
                    series,
                    train,
                    test,
                    point[:, j],
                    lower[:, j],
                    upper[:, j],
                    fit_s,
                    pred_ms,
                )
                tables.append(table[keep])
    else:
        columns = y.items() if isinstance(y, pd.DataFrame) else [(_series_label(y), y)]
        tasks = []
        for name, series in columns:
            series = series.dropna()
            X_series = None if X is None else X.loc[series.index]
            tasks += [(name, series, X_series, fold, train, test)
                      for fold, (train, test) in enumerate(_folds(cv, len(series)))]
        results = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(forecast_fold)(forecaster, series, train, test, coverage=coverage, X=X_series)
            for _, series, X_series, _, train, test in tasks
        )
        tables = [
            _fold_table(name, fold, series, train, test, *result)
            for (name, series, _, fold, train, test), result in zip(tasks, results)
        ]
    return pd.concat(tables, ignore_index=True)[list(BACKTEST_COLUMNS)]

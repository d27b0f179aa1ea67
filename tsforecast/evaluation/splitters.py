"""Where to cut a series into past and future: rolling-origin folds.

A rolling-origin (time-series) cross-validation never trains on the future: each fold
trains on the observations up to a *cutoff* and is scored on the ``horizon`` values that
follow it. :class:`RollingOriginSplit` yields the integer positions of both parts;
:func:`fold_positions` checks the folds of any splitter (none may look ahead) and
:class:`FoldPositions` computes them once per series length.
"""

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import indexable
from sklearn.utils.validation import _num_samples

from tsforecast.validation import InputValueError, check_int

__all__ = ["FoldPositions", "RollingOriginSplit", "fold_positions"]


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
      ``test`` the next ``horizon`` positions to forecast (used by
      :func:`~tsforecast.evaluation.backtest`);
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
        of its test set. On a series, :func:`~tsforecast.evaluation.backtest` then
        forecasts ``gap + horizon`` steps and scores the last ``horizon``; over window
        rows, use ``gap=h - 1``.

    See Also
    --------
    tsforecast.evaluation.backtest : Refit a forecaster on each fold and collect its forecasts.
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
        n_folds = check_int(self.n_folds, "n_folds", allow_none=True, example=3,
                            meaning="None: as many folds as fit")
        horizon = check_int(self.horizon, "horizon", meaning="test positions per fold")
        step = check_int(self.step, "step", allow_none=True,
                         meaning="positions between cutoffs; None: the horizon")
        initial = check_int(self.initial, "initial", allow_none=True, example=36,
                            meaning="the smallest training set")
        gap = check_int(self.gap, "gap", minimum=0, example=0,
                        meaning="positions left out between training and test")
        if self.window not in ("expanding", "sliding"):
            raise InputValueError(
                f"`window`={self.window!r} must be 'expanding' (train on all the past) or "
                "'sliding' (train on the last `initial` values)."
            )
        if n_folds is None and initial is None:
            raise InputValueError(
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
                raise InputValueError(
                    f"{n_samples} observations are too few for one fold with "
                    f"initial={initial}, horizon={horizon}, gap={gap}; "
                    f"need at least {minimum + gap + horizon}. Pass a smaller `initial` or "
                    "`horizon`, or a longer series."
                )
        first_end = last_end - (n_folds - 1) * step
        if first_end < minimum:
            needed = minimum + gap + horizon + (n_folds - 1) * step
            raise InputValueError(
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
            return check_int(self.n_folds, "n_folds", example=3)
        if X is None:
            raise InputValueError(
                "With `n_folds=None` the number of folds depends on the data; pass it as "
                "`get_n_splits(X)`."
            )
        return len(self._train_ends(_num_samples(X)))


def fold_positions(cv, n_samples):
    """The ``(train, test)`` positions of each fold of ``cv`` over ``n_samples`` values.

    Raises
    ------
    InputValueError
        When a fold is empty or tests a position at or before the end of its training set.
    """
    for train, test in cv.split(np.arange(n_samples)):
        train = np.asarray(train, dtype=int)
        test = np.asarray(test, dtype=int)
        if train.size == 0 or test.size == 0:
            raise InputValueError(f"The splitter {cv!r} produced an empty training or test set.")
        if test.min() <= train.max():
            raise InputValueError(
                f"The splitter {cv!r} puts test positions at or before the end of the training "
                "set; a backtest needs every test position after the cutoff (use "
                "RollingOriginSplit or sklearn's TimeSeriesSplit)."
            )
        yield train, test


class FoldPositions:
    """The folds of a splitter, computed once for each series length.

    Many series of a panel share their length, so their folds are computed (and, for
    parallel tasks, pickled) once.

    Parameters
    ----------
    cv : RollingOriginSplit or scikit-learn splitter

    Examples
    --------
    >>> folds = FoldPositions(RollingOriginSplit(n_folds=2, horizon=3))
    >>> [test.tolist() for _, test in folds(10)]
    [[4, 5, 6], [7, 8, 9]]
    """

    def __init__(self, cv):
        self.cv = cv
        self._by_length = {}

    def __call__(self, n_samples):
        """List of the ``(train, test)`` positions over ``n_samples`` values, oldest first."""
        if n_samples not in self._by_length:
            self._by_length[n_samples] = list(fold_positions(self.cv, n_samples))
        return self._by_length[n_samples]

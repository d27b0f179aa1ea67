"""Training budgets: a deadline and a stop request that the window forecasters obey.

A :class:`TrainingBudget` says when training must stop: at a deadline (a number of
seconds from its creation) or when something asks it to stop (the command line does on
the first Ctrl-C). Inside ``with training_budget(budget):`` every
:class:`~tsforecast.forecasting.WindowForecaster` fitted in this thread checks it before
it starts each model (an ensemble member, a calibration fold's model): once the budget is
exhausted, the models not yet started are not trained, the forecaster keeps the members
that finished (the first member of the final fit always trains, so the forecaster is
usable) and says so in ``training_stopped_``. A model in training is never cut short:
a budget can be overrun by the training time of the models running when it ran out.

Examples
--------
>>> import numpy as np
>>> from sklearn.linear_model import Ridge
>>> from tsforecast.forecasting import WindowForecaster
>>> budget = TrainingBudget(seconds=0)  # already exhausted
>>> with training_budget(budget):
...     model = WindowForecaster(Ridge(), window=4, horizon=2, n_ensemble=3,
...                              conformal=False).fit(np.arange(40.0))
>>> model.n_ensemble_, model.training_stopped_
(1, 'time budget')
"""

import contextlib
import contextvars
import threading
import time

from tsforecast.validation import InputValueError

__all__ = ["TrainingBudget", "current_budget", "training_budget"]

_CURRENT = contextvars.ContextVar("tsforecast_training_budget", default=None)


class TrainingBudget:
    """When training must stop: after ``seconds`` (None: no deadline) or on request.

    Parameters
    ----------
    seconds : float, optional
        Time from now after which no new model starts training.

    Attributes
    ----------
    deadline : float or None
        ``time.monotonic()`` value of the deadline.
    """

    def __init__(self, seconds=None):
        if seconds is not None and not seconds >= 0:
            raise InputValueError(
                f"TrainingBudget: `seconds`={seconds!r} must be a number of seconds >= 0, "
                "or None for no deadline."
            )
        self.deadline = None if seconds is None else time.monotonic() + float(seconds)
        self._stop = threading.Event()

    def request_stop(self):
        """Stop training: no model starts after this call (thread-safe, e.g. from a
        signal handler)."""
        self._stop.set()

    def stop_requested(self):
        """Whether :meth:`request_stop` was called."""
        return self._stop.is_set()

    def remaining(self):
        """Seconds left before the deadline (``inf`` without one, 0 once past it)."""
        if self.deadline is None:
            return float("inf")
        return max(0.0, self.deadline - time.monotonic())

    def exhausted(self):
        """Whether no model should start now (stop requested, or past the deadline)."""
        return self.stop_requested() or self.remaining() == 0.0

    def reason(self):
        """Why the budget is exhausted: ``"interrupted"``, ``"time budget"``, or None."""
        if self.stop_requested():
            return "interrupted"
        return "time budget" if self.exhausted() else None


@contextlib.contextmanager
def training_budget(budget):
    """Make ``budget`` (a :class:`TrainingBudget`, or None for none) the training budget
    of the fits in this block."""
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def current_budget():
    """The :class:`TrainingBudget` of the enclosing :func:`training_budget` block, or None."""
    return _CURRENT.get()

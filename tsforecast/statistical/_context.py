"""The conditions every statsmodels call of this package runs under.

Quiet: statsmodels warns about its own internals while fitting, and the user can do nothing
about them: non-invertible starting parameters (``EstimationWarning``), an optimiser that
stopped early (``ConvergenceWarning``; the convergence fallback deals with it and reports
what it did as a ``ConvergenceFallbackWarning``), an index without a frequency
(``ValueWarning``), a p-value clipped to its table (``InterpolationWarning``), its own
deprecations, and overflow inside its optimisers. :func:`quiet_statsmodels` ignores exactly
those, whatever filters the user set, and lets every other warning through.

``warnings.catch_warnings`` cannot do this in threads: it swaps the process-wide filter list
and puts the saved one back on exit, so a fit that ends in one thread takes the filters away
from a fit still running in another (and can leave a stray filter behind for the user).
Instead, entering a block puts the ignore filters at the front of the list (ahead of any
filter the user set) and leaves them there; they match only in a thread that is inside a
``quiet_statsmodels`` block, and nothing elsewhere. Worker processes run the same code, so
they are quiet in the same way.

One thread: the state-space matrices are tiny (tens of rows), a multi-threaded BLAS only
adds synchronisation, and on a busy machine its spinning threads slow a fit down many
times. :func:`single_threaded_blas` limits BLAS to one thread; :func:`statsmodels_context`
applies both (also as a method decorator).
"""

import contextlib
import re
import threading
import warnings

__all__ = ["quiet_statsmodels", "single_threaded_blas", "statsmodels_context"]

_PACKAGE = __name__.rpartition(".")[0]
_thread = threading.local()
_lock = threading.Lock()
_filters = []  # built on first use: the warning classes come from statsmodels


class _InsideQuietBlock:
    """Module matcher of a warnings filter: ``pattern``, only in a thread inside the block.

    The warnings machinery calls ``match(module)`` on a filter's module entry, as it would
    on a compiled regular expression.
    """

    def __init__(self, pattern):
        self.pattern = re.compile(pattern)

    def match(self, module):
        return getattr(_thread, "depth", 0) > 0 and self.pattern.match(module) is not None

    def __repr__(self):
        return f"<{self.pattern.pattern!r} inside tsforecast's quiet_statsmodels()>"


def _quiet_filters():
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        EstimationWarning,
        InterpolationWarning,
        ValueWarning,
    )

    anywhere = _InsideQuietBlock("")
    # statsmodels issues its deprecations with stacklevel=2, which names the line of this
    # package that called it as their origin
    deprecations = _InsideQuietBlock(rf"(statsmodels|{re.escape(_PACKAGE)})(\.|$)")
    optimisers = _InsideQuietBlock(r"(statsmodels|scipy|numpy)(\.|$)")
    rules = (
        (EstimationWarning, anywhere),
        (ConvergenceWarning, anywhere),
        (ValueWarning, anywhere),
        (InterpolationWarning, anywhere),
        (FutureWarning, deprecations),
        (DeprecationWarning, deprecations),
        (RuntimeWarning, optimisers),
    )
    return [("ignore", None, category, module, 0) for category, module in rules]


def _put_filters_first():
    with _lock:
        if not _filters:
            _filters.extend(_quiet_filters())
        current = warnings.filters
        if current[: len(_filters)] != _filters:
            current[:] = _filters + [item for item in current if item not in _filters]


@contextlib.contextmanager
def quiet_statsmodels():
    """Context in which the statsmodels warnings a user cannot act on are ignored.

    Ignored in the current thread only, whatever filters are set: statsmodels'
    ``EstimationWarning``, ``ConvergenceWarning``, ``ValueWarning`` and
    ``InterpolationWarning``; ``FutureWarning`` and ``DeprecationWarning`` issued by
    statsmodels; ``RuntimeWarning`` issued inside statsmodels, SciPy or NumPy (the
    optimisers' overflows). Any other warning passes, ``ConvergenceFallbackWarning`` included.
    """
    _put_filters_first()
    _thread.depth = getattr(_thread, "depth", 0) + 1
    try:
        yield
    finally:
        _thread.depth -= 1


def single_threaded_blas():
    """Context limiting BLAS to one thread (threadpoolctl ships with scikit-learn)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn always installs it
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


@contextlib.contextmanager
def statsmodels_context():
    """Quiet statsmodels on one BLAS thread; usable as ``with`` or as a method decorator."""
    with single_threaded_blas(), quiet_statsmodels():
        yield

"""Progress of a long evaluation, reported through a callback.

:func:`~tsforecast.evaluation.compare` and :func:`~tsforecast.evaluation.tune` call
``progress(done, total)`` once before the first task (``done=0``) and after each finished
task, so that an application draws progress its own way (the command line with a Click
progress bar). ``progress=True`` asks for :class:`TextProgressBar`, a plain bar on
standard error.
"""

import sys
import time

from tsforecast.validation import InputTypeError

__all__ = ["TextProgressBar", "progress_callback"]


class TextProgressBar:
    """A dependency-free ``progress(done, total)`` callback drawing a bar on standard error.

    On a terminal it redraws one line (at most ten times a second) and ends the line when
    the work is done; in a log file it writes one line per tenth of the work.

    Parameters
    ----------
    label : str, default="Backtesting"
    stream : file-like, optional
        Where to draw; standard error by default.
    width : int, default=30
        Characters of the bar.
    """

    def __init__(self, label="Backtesting", stream=None, width=30):
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.started = time.perf_counter()
        self.last_draw = 0.0
        self.last_decile = -1
        isatty = getattr(self.stream, "isatty", None)
        self.interactive = bool(isatty and isatty())

    def _line(self, done, total):
        filled = int(self.width * done / total)
        elapsed = int(time.perf_counter() - self.started)
        return (
            f"{self.label}  [{'#' * filled}{'-' * (self.width - filled)}]  "
            f"{done}/{total} tasks  {elapsed // 60:02d}:{elapsed % 60:02d}"
        )

    def __call__(self, done, total):
        total = max(int(total), 1)
        now = time.perf_counter()
        if self.interactive:
            finished = done >= total
            if now - self.last_draw >= 0.1 or finished:
                self.stream.write("\r" + self._line(done, total) + ("\n" if finished else ""))
                self.stream.flush()
                self.last_draw = now
        else:
            decile = 10 * done // total
            if decile > self.last_decile:
                self.stream.write(self._line(done, total) + "\n")
                self.stream.flush()
                self.last_decile = decile


def progress_callback(progress):
    """The callback that a ``progress=`` argument asks for, or None for no progress.

    ``None`` or ``False``: none; ``True``: a new :class:`TextProgressBar`; a callable:
    itself.
    """
    if progress is None or progress is False:
        return None
    if progress is True:
        return TextProgressBar()
    if not callable(progress):
        raise InputTypeError(
            f"`progress`={progress!r} must be a function progress(done, total), True for a "
            "progress bar on standard error, or None."
        )
    return progress

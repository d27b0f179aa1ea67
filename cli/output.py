"""What the commands print: human messages, aligned tables and ``--json`` documents.

Results (tables, forecasts, JSON) go to standard output; progress and notes go to standard
error so that ``tsforecast predict model.tsf > forecast.csv`` stays clean.
"""

import contextlib
import json
import math
import sys
import threading
import time

import click


class Settings:
    """Output settings shared by the group and every command (``--json/--quiet/--verbose``,
    ``--progress``: None = when standard error is a terminal)."""

    def __init__(self, json=False, quiet=False, verbose=False, progress=None):
        self.json = json
        self.quiet = quiet
        self.verbose = verbose
        self.progress = progress


def settings():
    """The :class:`Settings` of the running command (defaults outside a command)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return Settings()
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def note(message):
    """Print a progress or information line on standard error (not with --quiet/--json)."""
    current = settings()
    if not (current.quiet or current.json):
        click.echo(message, err=True)


def result(message=""):
    """Print a human-readable result line on standard output (not with --json)."""
    if not settings().json:
        click.echo(message)


def emit_json(document):
    """Print ``document`` as JSON on standard output (only with --json)."""
    if settings().json:
        click.echo(json.dumps(to_jsonable(document), indent=2, allow_nan=False))


def to_jsonable(value):
    """Convert numpy/pandas scalars and containers to plain JSON values (NaN -> None)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return None if not math.isfinite(value) else float(value)
    if hasattr(value, "item") and not hasattr(value, "__len__"):
        return to_jsonable(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def format_table(rows, headers, *, align=None, indent=""):
    """Return ``rows`` (lists of cells, already formatted as text) as an aligned text table.

    ``align`` is a string of ``"<"``/``">"`` per column (default: first column left, the
    others right). The layout is :func:`tsforecast.evaluation.format_table`'s plain style,
    imported when a table is printed (``--help`` imports no numerical library).
    """
    from tsforecast.evaluation.tables import format_table as layout

    return layout(rows, headers, style="plain", align=align, indent=indent)


def format_number(value, digits=3):
    """Format a float for a table: ``digits`` significant decimals, ``-`` for NaN/None."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}f}"


def format_percent(value, digits=1):
    """Format a fraction as a percentage (``0.031`` -> ``3.1%``), ``-`` for NaN/None."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{100 * value:.{digits}f}%"


def progress(items, *, label, length=None):
    """A click progress bar on standard error, silent with --quiet/--json."""
    current = settings()
    hidden = current.quiet or current.json
    return click.progressbar(
        items,
        length=length,
        label=label,
        file=sys.stderr,
        show_pos=True,
        show_eta=False,
        hidden=hidden,
    )


@contextlib.contextmanager
def click_progress(label):
    """A ``progress(done, total)`` callback for the library, drawn as a click progress bar.

    The bar (on standard error, hidden with --quiet/--json) appears at the first call,
    which tells its length, and is closed when the block ends.
    """
    with contextlib.ExitStack() as stack:
        bars = []

        def report(done, total):
            if not bars:
                bars.append(stack.enter_context(progress(None, label=label, length=total)))
            bars[0].update(done - bars[0].pos)

        yield report


def run_steps(steps, *, label):
    """Run ``(name, function)`` steps in order, one line per step on standard error, e.g.
    ``Training [2/3]: holdout score of ets``.

    With ``--progress`` (the default when standard error is a terminal) the epochs of the
    networks trained in this process appear under the running step (:class:`EpochDisplay`).
    Silent with --quiet/--json.
    """
    steps = list(steps)
    current = settings()
    if current.quiet or current.json:
        for _, function in steps:
            function()
        return
    show_epochs = sys.stderr.isatty() if current.progress is None else current.progress
    for i, (name, function) in enumerate(steps, 1):
        click.echo(f"{label} [{i}/{len(steps)}]: {name}", err=True)
        if not show_epochs:
            function()
            continue
        from tsforecast.backend.training import epoch_callback

        display = EpochDisplay(interactive=sys.stderr.isatty())
        try:
            with epoch_callback(display):
                function()
        finally:
            display.close()


class EpochDisplay:
    """An epoch callback (:func:`tsforecast.backend.training.epoch_callback`) that shows
    ``  network 3, epoch 14/100`` on standard error.

    Networks are numbered in the order their first epoch ends; several may train at once
    in threads, each thread training one network at a time. On a terminal the line is
    redrawn in place at most ten times a second and erased by :meth:`close`; elsewhere
    (``--progress`` into a file) one line is written at most every second.
    """

    def __init__(self, interactive):
        self.interactive = interactive
        self._interval = 0.1 if interactive else 1.0
        self._lock = threading.Lock()
        self._network_of_thread = {}
        self._networks = 0
        self._drawn_at = None
        self._width = 0

    def __call__(self, epoch, epochs, logs):
        with self._lock:
            thread = threading.get_ident()
            if epoch == 1 or thread not in self._network_of_thread:
                self._networks += 1
                self._network_of_thread[thread] = self._networks
            now = time.monotonic()
            if self._drawn_at is not None and now - self._drawn_at < self._interval:
                return
            self._drawn_at = now
            text = f"  network {self._network_of_thread[thread]}, epoch {epoch}/{epochs}"
            if self.interactive:
                self._width = max(self._width, len(text))
                click.echo("\r" + text.ljust(self._width), err=True, nl=False)
            else:
                click.echo(text, err=True)

    def close(self):
        """Erase the line on a terminal (the step is over)."""
        with self._lock:
            if self.interactive and self._width:
                click.echo("\r" + " " * self._width + "\r", err=True, nl=False)
                self._width = 0

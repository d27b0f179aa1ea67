"""What the commands print: human messages, aligned tables and ``--json`` documents.

Results (tables, forecasts, JSON) go to standard output; progress and notes go to standard
error so that ``tsforecast predict model.tsf > forecast.csv`` stays clean.
"""

import contextlib
import json
import math
import sys

import click


class Settings:
    """Output settings shared by the group and every command (``--json/--quiet/--verbose``)."""

    def __init__(self, json=False, quiet=False, verbose=False):
        self.json = json
        self.quiet = quiet
        self.verbose = verbose


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


def progress(items, *, label, length=None, item_show_func=None):
    """A click progress bar on standard error, silent with --quiet/--json."""
    current = settings()
    hidden = current.quiet or current.json
    return click.progressbar(
        items,
        length=length,
        label=label,
        file=sys.stderr,
        item_show_func=item_show_func,
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
    """Run ``(name, function)`` steps in order, showing the name of the running one.

    On a terminal: a progress bar whose line ends with the running step's name; otherwise
    (a log file, a pipe) one line per step, e.g. ``Training [2/3]: holdout score of ets``.
    Silent with --quiet/--json.
    """
    steps = list(steps)
    current = settings()
    if current.quiet or current.json or not steps:
        for _, function in steps:
            function()
        return
    if not sys.stderr.isatty():
        for i, (name, function) in enumerate(steps, 1):
            click.echo(f"{label} [{i}/{len(steps)}]: {name}", err=True)
            function()
        return
    with progress(steps, label=label, item_show_func=lambda step: step and step[0]) as bar:
        for _, function in bar:
            function()

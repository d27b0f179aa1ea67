"""``-`` as DATA: the CSV read from standard input.

The CSV reader samples a file before it reads it whole, so standard input is first copied
to a temporary file, named ``standard input`` so that the messages about the data say
where it came from, and removed when the command ends.
"""

import atexit
import functools
import shutil
import sys
import tempfile
from pathlib import Path

import click
from tsforecast.cli.output import note

#: ``ctx.meta`` key of the temporary copy of the CSV read from standard input.
STDIN_META = "tsforecast.stdin"
#: File name of that copy, which the messages about the data show.
STDIN_NAME = "standard input"


def stdin_copy(ctx):
    """Standard input copied to a temporary file (the CSV reader samples a file, then
    reads it whole), removed when the command ends."""
    if sys.stdin is None:
        raise click.BadParameter("'-' reads the CSV from standard input, which is closed.")
    if sys.stdin.isatty():
        note("Reading CSV from standard input (end it with Ctrl-D)")
    directory = Path(tempfile.mkdtemp(prefix="tsforecast-stdin-"))
    remove = functools.partial(shutil.rmtree, directory, ignore_errors=True)
    # a later option that fails to parse ends the program without closing the context
    atexit.register(remove)
    path = directory / STDIN_NAME
    with open(path, "wb") as handle:
        shutil.copyfileobj(sys.stdin.buffer, handle)
    if ctx is not None:
        ctx.meta[STDIN_META] = path
        ctx.call_on_close(remove)
    return path


def is_stdin(path, ctx=None):
    """Whether ``path`` is the copy of standard input made for ``DATA`` = ``-``."""
    ctx = ctx or click.get_current_context(silent=True)
    return ctx is not None and path is not None and ctx.meta.get(STDIN_META) == path

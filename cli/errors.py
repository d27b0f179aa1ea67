"""Turn failures into one-line messages at the command boundary.

User mistakes in options are ``click.BadParameter``/``click.UsageError`` (exit code 2).
What the library reports as the user's to fix (:class:`tsforecast.validation.InputError`:
bad data, unreadable model files, out-of-range parameters) and files that cannot be read or
written become a :class:`CommandError` (exit code 1) whose one-line message names the
problem and the fix. Any other exception is a bug: its message says so and how to see the
traceback (``--verbose``, which prints it).
"""

import errno
import traceback

import click


class CommandError(click.ClickException):
    """A command failed for a reason the user can act on (exit code 1)."""

    exit_code = 1


def one_line(text):
    """Collapse a message to one line (the CLI contract: one line per error)."""
    return " ".join(str(text).split())


def _is_user_error(exc):
    from tsforecast.validation import InputError

    if isinstance(exc, InputError):
        return True
    # scikit-learn's own parameter validation, e.g. of a regressor inside a forecaster
    return type(exc).__name__ == "InvalidParameterError" and type(exc).__module__.startswith(
        "sklearn."
    )


def friendly_error(exc):
    """Return the :class:`CommandError` describing ``exc`` for a command-line user."""
    if isinstance(exc, OSError) and getattr(exc, "errno", None) is not None:
        return CommandError(_os_message(exc))
    if _is_user_error(exc):
        return CommandError(one_line(exc) or type(exc).__name__)
    if isinstance(exc, MemoryError):
        return CommandError(
            "out of memory; use a smaller model (--units, --window, --ensemble) or fewer series."
        )
    if isinstance(exc, ImportError):
        missing = getattr(exc, "name", None)
        fix = (f"install it with `python -m pip install {missing}`" if missing else
               "reinstall tsforecast's dependencies with `python -m pip install -e .` in "
               "its source directory")
        return CommandError(f"a required package is missing ({one_line(exc)}); {fix}.")
    return CommandError(
        f"unexpected {type(exc).__name__}: {one_line(exc)}; rerun with --verbose for the "
        "traceback and report it."
    )


def _os_message(exc):
    name = getattr(exc, "filename", None)
    where = f" '{name}'" if name else ""
    if exc.errno == errno.ENOSPC:
        return f"no space left on the device while writing{where}; free some space or pass --output elsewhere."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"permission denied for{where}; choose a writable location (e.g. --output ~/model.tsf)."
    if exc.errno == errno.ENOENT:
        return f"no such file or directory{where}; check the path."
    if exc.errno == errno.EISDIR:
        return f"{where.strip() or 'path'} is a directory; pass a file name."
    reason = exc.strerror or one_line(exc)
    return f"cannot access{where}: {reason}; check the path and permissions."


def print_traceback():
    """Print the traceback of the exception being handled to standard error."""
    click.echo(traceback.format_exc().rstrip(), err=True)

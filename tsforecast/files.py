"""Files written whole or not at all.

:func:`atomic_path` is the one way the library and the command line write files (model
files, exports, plots, forecasts, stored programs): the content goes to a temporary file in
the destination's directory, which is flushed to disk and then renamed over the
destination. An error, a full disk or Ctrl-C in between removes the temporary file and
leaves the destination as it was.
"""

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_path"]


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_file(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path, *, durable=True):
    """Yield a temporary path next to ``path``, renamed onto ``path`` when the block ends.

    Parameters
    ----------
    path : str or path-like
        The destination.
    durable : bool, default=True
        Flush the file and its directory to disk before and after the rename, so that a
        power cut leaves either the old or the new file. ``False`` for caches.

    Yields
    ------
    str
        The temporary file's name. It keeps the suffix of ``path`` (writers such as
        matplotlib choose the format from it) and gets the permissions a new file would.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as temporary:
    ...     _ = pathlib.Path(temporary).write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".part{path.suffix}",
                                     dir=directory)
    os.close(fd)
    # mkstemp creates the file with mode 0600; give it the usual umask-derived mode
    os.chmod(temporary, 0o666 & ~_umask())
    try:
        yield temporary
        if durable:
            _fsync_file(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if durable:
        _fsync_directory(directory)

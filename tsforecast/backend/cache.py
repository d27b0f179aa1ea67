"""JAX's persistent compilation cache, switched on by applications that want it.

Compiling a new recurrent network costs about a second on a small CPU, which dominates the
fit of a short series; with the cache, a later process loads the compiled programs instead.
Only the JAX backend has such a cache; with another backend nothing happens.
"""

import os
import sys

__all__ = ["PROGRAMS_SUBDIRECTORY", "default_cache_directory", "enable_compilation_cache"]

#: JAX flags that make every compiled program go to the persistent cache (JAX's defaults
#: skip programs that compile in under a second, i.e. all the small networks).
_CACHE_FLAGS = {
    "jax_persistent_cache_min_compile_time_secs": 0.0,
    "jax_persistent_cache_min_entry_size_bytes": 0,
}

#: Subdirectory of the compilation cache that holds the traced programs of stored_jit.
PROGRAMS_SUBDIRECTORY = "tsforecast-programs"


def default_cache_directory():
    """Where compiled programs are kept when no directory is given.

    ``$TSFORECAST_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/tsforecast/jax``, else
    ``~/.cache/tsforecast/jax``.

    Returns
    -------
    str
    """
    explicit = os.environ.get("TSFORECAST_CACHE_DIR")
    if explicit:
        return os.path.expanduser(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tsforecast", "jax")


def enable_compilation_cache(directory=None):
    """Keep compiled XLA programs on disk so that later processes skip compilation.

    Only the JAX backend has such a cache; with another backend nothing happens. This
    changes a process-wide JAX setting, so the library never calls it by itself:
    applications (the command-line interface) opt in.

    When JAX is not imported yet, the settings are passed through JAX's environment
    variables (``JAX_COMPILATION_CACHE_DIR``, ...), which JAX reads when it is imported:
    the call stays cheap and worker processes started later inherit the cache.

    Parameters
    ----------
    directory : str or path-like, optional
        Cache directory, created if missing; defaults to :func:`default_cache_directory`.

    Returns
    -------
    enabled : bool
        Whether a cache was configured (``False`` on backends other than JAX).

    Raises
    ------
    OSError
        If the directory cannot be created.

    Examples
    --------
    >>> import tempfile
    >>> from tsforecast.backend import enable_compilation_cache
    >>> enable_compilation_cache(tempfile.mkdtemp())  # doctest: +SKIP
    True
    """
    from tsforecast.backend import active_backend

    if active_backend() != "jax":
        return False
    directory = os.fspath(directory) if directory is not None else default_cache_directory()
    os.makedirs(directory, exist_ok=True)
    flags = {"jax_compilation_cache_dir": directory, **_CACHE_FLAGS}
    jax = sys.modules.get("jax")
    if jax is None:
        for name, value in flags.items():
            os.environ[name.upper()] = str(value)
    else:
        for name, value in flags.items():
            jax.config.update(name, value)
    return True

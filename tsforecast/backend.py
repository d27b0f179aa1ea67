"""Settings of the numerical backend behind Keras: the one module that configures it.

The networks are built with ``keras`` only. What cannot be said through Keras, such as
JAX's persistent compilation cache, is set here, and only when an application asks for it:
the command-line interface opts in, the library never changes a process-wide setting by
itself. :func:`stored_jit` compiles the library's JAX-only fast paths (training loop,
forecasts; other backends go through Keras) so that they use that cache.

Importing this module imports neither Keras nor JAX.
"""

import hashlib
import importlib
import os
import sys
import tempfile
import threading

__all__ = ["default_cache_directory", "enable_compilation_cache", "stored_jit"]

#: JAX flags that make every compiled program go to the persistent cache (JAX's defaults
#: skip programs that compile in under a second, i.e. all the small networks).
_CACHE_FLAGS = {
    "jax_persistent_cache_min_compile_time_secs": 0.0,
    "jax_persistent_cache_min_entry_size_bytes": 0,
}


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


def _keras_backend():
    keras = sys.modules.get("keras")
    if keras is not None:
        return keras.backend.backend()
    # before Keras is imported its backend is the environment variable, which importing
    # tsforecast sets (to "jax" unless the user chose another): no need to import Keras
    backend = os.environ.get("KERAS_BACKEND")
    if backend:
        return backend
    import keras

    return keras.backend.backend()


def enable_compilation_cache(directory=None):
    """Keep compiled XLA programs on disk so that later processes skip compilation.

    Only the JAX backend has such a cache; with another backend nothing happens. Compiling
    a new recurrent network costs about a second on a small CPU, which dominates the fit of
    a short series; with the cache a second process fitting the same architecture loads the
    compiled programs instead (measured: AirPassengers LSTM(64) fit 1.3 s -> 0.4 s, first
    forecast 140 ms -> 25 ms). This changes a process-wide JAX setting, so the library never
    calls it by itself: applications (the command-line interface) opt in.

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
    if _keras_backend() != "jax":
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


# Subdirectory of the compilation cache for the traced programs of stored_jit.
_PROGRAMS = "tsforecast-programs"


def _programs_directory(jax):
    directory = jax.config.jax_compilation_cache_dir
    return os.path.join(directory, _PROGRAMS) if directory else None


class _StoredFunction:
    """``jax.jit(function)`` that also keeps its traced programs on disk (see stored_jit)."""

    def __init__(self, function, key, directory):
        self._function = function
        self._key = key
        self._directory = directory
        self._device = sys.modules["jax"].devices()[0]
        self._lock = threading.Lock()
        self._compiled = {}

    def __call__(self, *args):
        jax = sys.modules["jax"]
        leaves, tree = jax.tree.flatten(args)
        signature = (tree, *((x.shape, x.dtype) for x in leaves))
        compiled = self._compiled.get(signature)
        if compiled is None:
            with self._lock:  # threads wait for one trace instead of tracing in parallel
                compiled = self._compiled.get(signature)
                if compiled is None:
                    compiled = self._compiled[signature] = self._load_or_trace(
                        jax, signature, args
                    )
        # The results of a deserialised program are committed to the device; committing
        # the arguments too gives every call the same signature (uncommitted NumPy inputs
        # followed by committed results would compile the program a second time).
        return compiled(*jax.device_put(args, self._device))

    def _load_or_trace(self, jax, signature, args):
        import keras

        from . import __version__

        tree, *shapes = signature
        shapes = [(tuple(shape), str(dtype)) for shape, dtype in shapes]
        identity = repr((self._key, str(tree), shapes, jax.__version__, keras.__version__,
                         __version__, jax.default_backend()))
        name = hashlib.sha256(identity.encode()).hexdigest() + ".jaxexport"
        path = os.path.join(self._directory, name)
        try:
            with open(path, "rb") as file:
                return jax.jit(jax.export.deserialize(bytearray(file.read())).call)
        except Exception:  # missing, unreadable or from another version: trace again
            pass
        exported = jax.export.export(jax.jit(self._function))(*args)
        temporary = None
        try:
            os.makedirs(self._directory, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self._directory, suffix=".tmp",
                                             delete=False) as file:
                temporary = file.name
                file.write(exported.serialize())
            os.replace(temporary, path)
        except OSError:  # a read-only or full cache only costs the next process a trace
            if temporary is not None and os.path.exists(temporary):
                os.unlink(temporary)
        return jax.jit(exported.call)


def stored_jit(function, key):
    """``jax.jit(function)``, with its traced programs kept next to the compilation cache.

    Tracing a Keras model into a JAX program takes a tenth of a second or more, and JAX's
    persistent compilation cache still traces before it can look a program up. When that
    cache is enabled (:func:`enable_compilation_cache`), the traced program of every input
    signature is serialised with ``jax.export`` into the cache directory, and a later process
    deserialises it instead of tracing.

    Parameters
    ----------
    function : callable
        A pure function of arrays (pytrees of NumPy or JAX arrays, NumPy scalars).
    key : str
        Identifies ``function`` across processes: two functions with the same key must
        compute the same thing (e.g. the model's JSON configuration and the options).

    Returns
    -------
    callable
        Called with the same arguments as ``function``; plain ``jax.jit(function)`` when
        the cache is not enabled at the time of this call.
    """
    jax = importlib.import_module("jax")
    directory = _programs_directory(jax)
    if directory is None:
        return jax.jit(function)
    return _StoredFunction(function, key, directory)

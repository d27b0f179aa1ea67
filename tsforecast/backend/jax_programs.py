"""``jax.jit`` whose traced programs are kept on disk next to the compilation cache.

Tracing a Keras model into a JAX program takes a tenth of a second or more, and JAX's
persistent compilation cache still traces before it can look a program up. When that cache
is enabled (:func:`tsforecast.backend.enable_compilation_cache`), :func:`stored_jit` also
serialises the traced program of every input signature with ``jax.export``, and a later
process deserialises it instead of tracing.
"""

import hashlib
import importlib
import os
import sys
import threading

from tsforecast.backend.cache import PROGRAMS_SUBDIRECTORY
from tsforecast.files import atomic_path

__all__ = ["stored_jit"]


def _programs_directory(jax):
    directory = jax.config.jax_compilation_cache_dir
    return os.path.join(directory, PROGRAMS_SUBDIRECTORY) if directory else None


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

        from tsforecast import __version__

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
        try:
            os.makedirs(self._directory, exist_ok=True)
            with atomic_path(path, durable=False) as temporary, open(temporary, "wb") as file:
                file.write(exported.serialize())
        except OSError:  # a read-only or full cache only costs the next process a trace
            pass
        return jax.jit(exported.call)


def stored_jit(function, key):
    """``jax.jit(function)``, with its traced programs kept next to the compilation cache.

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

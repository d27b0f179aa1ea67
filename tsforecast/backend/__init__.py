"""The numerical backend behind Keras: the seam between the networks and JAX.

The networks are built and run with ``keras`` and ``keras.ops`` only, so any Keras backend
works. Two things are faster when Keras runs on JAX (the default), and they live here, in
the only modules of tsforecast that import JAX:

* training: one compiled function runs a chunk of optimiser steps, shared by every model of
  an architecture (:mod:`~tsforecast.backend.jax_training`); other backends train with
  Keras' ``Model.fit`` (:mod:`~tsforecast.backend.keras_training`);
* single forecasts: one jitted forward function per architecture
  (:mod:`~tsforecast.backend.jax_forward`); other backends call ``Model.predict_on_batch``;

plus JAX's persistent compilation cache and the traced programs stored next to it
(:mod:`~tsforecast.backend.cache`, :mod:`~tsforecast.backend.jax_programs`), which an
application turns on (the command line does; the library never changes a process-wide
setting by itself).

:func:`active_backend` is the one place that asks which backend is active. Importing this
package imports neither Keras nor JAX.
"""

import os
import sys

from tsforecast.backend.cache import default_cache_directory, enable_compilation_cache

__all__ = [
    "active_backend",
    "default_cache_directory",
    "enable_compilation_cache",
    "forward_function",
    "stored_jit",
    "train_network",
]


def active_backend():
    """Name of the Keras backend in use: ``"jax"``, ``"tensorflow"``, ``"torch"``, ...

    Before Keras is imported its backend is the ``KERAS_BACKEND`` environment variable,
    which importing tsforecast sets (to ``"jax"`` unless the user chose another), so the
    answer costs no import of Keras.
    """
    keras = sys.modules.get("keras")
    if keras is not None:
        return keras.backend.backend()
    backend = os.environ.get("KERAS_BACKEND")
    if backend:
        return backend
    import keras

    return keras.backend.backend()


def train_network(model, training, validation=None, **options):
    """Train ``model`` in place and return its loss history (see
    :func:`tsforecast.backend.training.train_network`)."""
    from tsforecast.backend.training import train_network as train

    return train(model, training, validation, **options)


def forward_function(model, key=None):
    """A fast ``x -> model(x)`` for small inputs (see
    :func:`tsforecast.backend.forward.forward_function`)."""
    from tsforecast.backend.forward import forward_function as forward

    return forward(model, key)


def stored_jit(function, key):
    """``jax.jit(function)`` with its traced programs kept next to the compilation cache (see
    :func:`tsforecast.backend.jax_programs.stored_jit`)."""
    from tsforecast.backend.jax_programs import stored_jit as jit

    return jit(function, key)

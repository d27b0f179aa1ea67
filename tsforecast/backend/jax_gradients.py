"""Gradients of an unrolled recurrent network on JAX: ``jax.vjp`` and ``jax.value_and_grad``
under ``jax.jit``, one compiled function per architecture and input shape (see
:mod:`~tsforecast.backend.gradients`)."""

import collections
import importlib
import threading

from tsforecast.backend.gradients import summarize_loss_gradients

__all__ = ["loss_probe_function", "pullback_function"]

_FUNCTIONS = collections.OrderedDict()
_FUNCTIONS_LOCK = threading.Lock()
_FUNCTIONS_MAX = 32


def _cached(key, make):
    with _FUNCTIONS_LOCK:
        function = _FUNCTIONS.get(key)
        if function is None:
            function = _FUNCTIONS[key] = make()
            while len(_FUNCTIONS) > _FUNCTIONS_MAX:
                _FUNCTIONS.popitem(last=False)
        _FUNCTIONS.move_to_end(key)
    return function


def pullback_function(network):
    """Jitted ``(weights, x, cotangents) -> (output, gates, d_x, d_eps)``."""

    def make():
        jax = importlib.import_module("jax")

        def pullback(weights, x, cotangents):
            eps = network.zero_perturbations(x.shape[0])
            output, vjp, gates = jax.vjp(lambda x, eps: network.forward(weights, x, eps),
                                         x, eps, has_aux=True)
            return (output, gates, *jax.vmap(vjp)(cotangents))

        return jax.jit(pullback)

    return _cached(("pullback", network), make)


def loss_probe_function(network):
    """Jitted ``(weights, x, y) -> (loss, variable_norms, flow)``."""

    def make():
        jax = importlib.import_module("jax")
        jnp = importlib.import_module("jax.numpy")

        def probe(weights, x, y):
            def loss(weights, eps):
                return jnp.mean(jnp.square(network.forward(weights, x, eps)[0] - y))

            eps = network.zero_perturbations(x.shape[0])
            value, (d_weights, d_eps) = jax.value_and_grad(loss, argnums=(0, 1))(weights, eps)
            return (value, *summarize_loss_gradients(d_weights, d_eps, x.shape[0]))

        return jax.jit(probe)

    return _cached(("loss_probe", network), make)

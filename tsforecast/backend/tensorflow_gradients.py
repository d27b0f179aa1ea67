"""Gradients of an unrolled recurrent network on TensorFlow: a ``GradientTape`` inside a
``tf.function``, traced once per architecture and input shape (see
:mod:`~tsforecast.backend.gradients`)."""

import functools
import importlib

from tsforecast.backend.gradients import summarize_loss_gradients

__all__ = ["loss_probe_function", "pullback_function"]


@functools.lru_cache(maxsize=32)
def pullback_function(network):
    """Traced ``(weights, x, cotangents) -> (output, gates, d_x, d_eps)``."""
    tf = importlib.import_module("tensorflow")

    @tf.function(reduce_retracing=True)
    def pullback(weights, x, cotangents):
        eps = network.zero_perturbations(x.shape[0])
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            tape.watch(list(eps.values()))
            output, gates = network.forward(weights, x, eps)
            weighted = [tf.reduce_sum(output * c) for c in tf.unstack(cotangents)]
        rows = [tape.gradient(w, [x, eps]) for w in weighted]
        d_x = tf.stack([row[0] for row in rows])
        d_eps = {k: tf.stack([row[1][k] for row in rows]) for k in eps}
        return output, gates, d_x, d_eps

    return pullback


@functools.lru_cache(maxsize=32)
def loss_probe_function(network):
    """Traced ``(weights, x, y) -> (loss, variable_norms, flow)``."""
    tf = importlib.import_module("tensorflow")

    @tf.function(reduce_retracing=True)
    def probe(weights, x, y):
        weights = [tf.convert_to_tensor(w) for w in weights]
        eps = network.zero_perturbations(x.shape[0])
        with tf.GradientTape() as tape:
            tape.watch(weights)
            tape.watch(list(eps.values()))
            loss = tf.reduce_mean(tf.square(network.forward(weights, x, eps)[0] - y))
        d_weights, d_eps = tape.gradient(loss, [weights, eps])
        return (loss, *summarize_loss_gradients(d_weights, d_eps, x.shape[0]))

    return probe

"""Gradients of an unrolled recurrent network, on any Keras backend.

Two compiled functions per :class:`~tsforecast.backend.unrolled_network.UnrolledNetwork`,
cached by the network's structure (so every model of an architecture shares them):

* :func:`pullback_function`: vector-Jacobian products of the output with respect to the
  input windows and to the hidden-state perturbations ``eps`` (at ``eps = 0``), for a stack
  of output weightings: the derivative of the loss (weights ``dLoss/dyhat``) or of one
  forecast step (a one-hot weighting) with respect to every ``h_t`` and ``x_t``;
* :func:`loss_probe_function`: the mean squared error of a batch, the L2 norm of its gradient
  for every weight variable (what Keras' ``clipnorm`` compares, variable by variable), and
  the mean norm of ``dLoss_i/dh_t`` per step and encoder direction (per window ``i``).

On JAX they are ``jax.vjp``/``jax.value_and_grad`` under ``jax.jit``
(:mod:`~tsforecast.backend.jax_gradients`); on TensorFlow a ``GradientTape`` in a
``tf.function`` (:mod:`~tsforecast.backend.tensorflow_gradients`). Other backends get the
pullback by central finite differences (exact to about 1e-4, slow for large windows) and no
loss probe.
"""

import numpy as np

from tsforecast.backend import active_backend

__all__ = ["loss_probe_function", "pullback_function", "summarize_loss_gradients"]

#: Step of the central finite differences (inputs and states are of order one).
FINITE_DIFFERENCE_STEP = 3e-3
#: Most windows (perturbed copies included) in one forward pass of the finite differences.
FINITE_DIFFERENCE_ROWS = 4096


def pullback_function(network):
    """``f(weights, x, cotangents) -> (output, gates, d_x, d_eps)`` for ``network``.

    Parameters of ``f``
    -------------------
    weights : list of arrays
        In the order of ``model.trainable_variables``.
    x : numpy.ndarray of shape (n, window, n_features), float32
    cotangents : numpy.ndarray of shape (k, n, horizon), float32
        ``k`` weightings of the outputs.

    Returns of ``f``
    ----------------
    output : numpy.ndarray of shape (n, horizon)
        The network's output.
    gates : dict of str to numpy.ndarray of shape (n, window)
        The per-step gate means of :meth:`UnrolledNetwork.forward`.
    d_x : numpy.ndarray of shape (k, n, window, n_features)
        ``sum_j cotangents[k, i, j] * d output[i, j] / d x[i, t, f]``.
    d_eps : dict of str to numpy.ndarray of shape (k, n * phases, steps, units)
        The same with respect to the hidden states of every recurrent direction.
    """
    backend = active_backend()
    if backend == "jax":
        from tsforecast.backend.jax_gradients import pullback_function as make
    elif backend == "tensorflow":
        from tsforecast.backend.tensorflow_gradients import pullback_function as make
    else:
        make = _finite_difference_pullback
    compiled = make(network)

    def pullback(weights, x, cotangents):
        output, gates, d_x, d_eps = compiled(list(weights), np.asarray(x, np.float32),
                                             np.asarray(cotangents, np.float32))
        return (np.asarray(output), {k: np.asarray(v) for k, v in gates.items()},
                np.asarray(d_x), {k: np.asarray(v) for k, v in d_eps.items()})

    return pullback


def loss_probe_function(network):
    """``g(weights, x, y) -> (loss, variable_norms, flow)``, or ``None`` on backends without
    automatic differentiation here.

    ``loss`` is the batch's mean squared error (the training loss), ``variable_norms`` the
    L2 norm of its gradient for each weight variable, ``flow`` a dict of one array of
    shape ``(steps,)`` per direction label: the mean over the windows ``i`` (and phases) of
    ``||dLoss_i/dh_t||``, with ``Loss_i`` the window's own mean squared error.
    """
    backend = active_backend()
    if backend == "jax":
        from tsforecast.backend.jax_gradients import loss_probe_function as make
    elif backend == "tensorflow":
        from tsforecast.backend.tensorflow_gradients import loss_probe_function as make
    else:
        return None
    compiled = make(network)

    def probe(weights, x, y):
        loss, norms, flow = compiled(list(weights), np.asarray(x, np.float32),
                                     np.asarray(y, np.float32))
        return float(loss), np.asarray(norms), {k: np.asarray(v) for k, v in flow.items()}

    return probe


def summarize_loss_gradients(weight_gradients, eps_gradients, n):
    """Per-variable gradient norms and per-step flow from the gradients of a batch's mean
    loss (``keras.ops``, inside the compiled functions)."""
    from keras import ops

    norms = ops.stack([ops.sqrt(ops.sum(ops.square(g))) for g in weight_gradients])
    # the batch loss is the mean of the windows' losses: n * dLoss/deps_i = dLoss_i/dh_i
    flow = {label: ops.mean(ops.sqrt(ops.sum(ops.square(g * n), axis=-1)), axis=0)
            for label, g in eps_gradients.items()}
    return norms, flow


def _finite_difference_pullback(network):
    """The pullback by central differences.

    Each window's output depends on its own inputs only, so every perturbation of every
    window is a copy of the batch in one larger batch: one forward pass per
    :data:`FINITE_DIFFERENCE_ROWS` rows instead of two per perturbed value.
    """
    from keras import ops

    step = FINITE_DIFFERENCE_STEP

    def pullback(weights, x, cotangents):
        n = x.shape[0]
        labels = [d.label for d in network.directions]
        eps = {d.label: np.zeros((n * d.phases, d.steps, d.units), np.float32)
               for d in network.directions}
        base, gates = network.forward(weights, x, eps)
        arrays = [x, *eps.values()]
        # rows i * phases + p of an array belong to window i
        moves = [(a, p, t, c) for a, array in enumerate(arrays)
                 for p in range(array.shape[0] // n)
                 for t in range(array.shape[1]) for c in range(array.shape[2])]
        gradients = [np.zeros((cotangents.shape[0],) + a.shape, np.float32) for a in arrays]
        per_call = max(1, FINITE_DIFFERENCE_ROWS // (2 * n))
        for first in range(0, len(moves), per_call):
            group = moves[first : first + per_call]
            # copy 2 * g moves value g up by a step, copy 2 * g + 1 down
            copies = [np.tile(array, (2 * len(group), 1, 1)) for array in arrays]
            for g, (a, p, t, c) in enumerate(group):
                rows = arrays[a].shape[0]
                phases = rows // n
                for copy, sign in ((2 * g, 1.0), (2 * g + 1, -1.0)):
                    copies[a][copy * rows + p : (copy + 1) * rows : phases, t, c] += sign * step
            out, _ = network.forward(weights, copies[0], dict(zip(labels, copies[1:])))
            out = ops.convert_to_numpy(out).astype(np.float64).reshape(len(group), 2, n, -1)
            slopes = (out[:, 0] - out[:, 1]) / (2 * step)
            for (a, p, t, c), slope in zip(group, slopes):
                phases = arrays[a].shape[0] // n
                gradients[a][:, p::phases, t, c] = np.einsum("knh,nh->kn", cotangents, slope)
        return (ops.convert_to_numpy(base), {k: ops.convert_to_numpy(v) for k, v in gates.items()},
                gradients[0], dict(zip(labels, gradients[1:])))

    return pullback

"""Gradient diagnostics recorded during training (the ``track_gradients`` setting).

:func:`gradient_tracker` makes a Keras callback that, at the end of every epoch, evaluates
the loss gradient at the current weights on a fixed sample of training windows (at most
:data:`PROBE_BATCHES` batches of ``batch_size`` rows, evenly spaced over the training rows,
chosen once) with one compiled function per architecture
(:func:`~tsforecast.backend.gradients.loss_probe_function`), and adds to the epoch's logs,
which the loss history keeps:

``gradient_norm``
    The global L2 norm of the loss gradient (all variables), mean over the sample batches.
``clip_fraction``
    With ``clipnorm``: the share of (sample batch, weight variable) pairs whose gradient
    norm exceeds ``clipnorm``, i.e. the share of variables Keras' ``clipnorm`` would rescale
    in a step on such a batch (Keras clips each variable's gradient on its own).
``clip_steps``
    With ``clipnorm``: the share of sample batches on which at least one variable would be
    clipped.
``gradient_ratio/<direction>``
    Per recurrent layer and direction (``lstm_1``, ``lstm_1/backward``): the mean norm of
    ``dLoss_i/dh_t`` at the direction's first step divided by that at its last step
    (vanishing gradients: near 0; exploding: far above 1).

These describe the weights at the end of each epoch, on the sample batches, without
dropout; they are not a count over the optimiser's actual steps, which run inside the
compiled training loop.
"""

import numpy as np

from tsforecast.backend.gradients import loss_probe_function
from tsforecast.backend.unrolled_network import unrolled_network
from tsforecast.validation import InputValueError

__all__ = ["PROBE_BATCHES", "flow_ratio", "gradient_tracker"]

#: Most sample batches evaluated at the end of every epoch.
PROBE_BATCHES = 2


def flow_ratio(flow, direction):
    """First-step over last-step gradient norm of one direction's flow (input time order)."""
    first, last = (flow[0], flow[-1]) if direction == "forward" else (flow[-1], flow[0])
    return float(first / last) if last > 0 else float("nan")


def probe_sample(n_rows, batch_size, n_batches=PROBE_BATCHES):
    """Rows of the fixed sample, evenly spaced: ``n_batches`` (at most) groups of ``batch_size``
    rows (fewer rows when there are fewer)."""
    size = min(int(batch_size), n_rows)
    count = max(1, min(n_batches, n_rows // size))
    rows = np.linspace(0, n_rows - 1, count * size).round().astype(int)
    return rows.reshape(count, size)


def gradient_tracker(model, training, *, batch_size, clipnorm):
    """A Keras callback that adds the gradient diagnostics of the module documentation to the
    logs of every epoch.

    Parameters
    ----------
    model : keras.Model
        The network being trained (its structure; the callback reads the current weights
        from the training state it is given, ``get_weights()``).
    training : tuple of numpy.ndarray
        The training ``(X, Y)``.
    batch_size : int
    clipnorm : float or None

    Returns
    -------
    keras.callbacks.Callback
    """
    import keras

    network = unrolled_network(model)
    probe = loss_probe_function(network)
    if probe is None:
        raise InputValueError(
            "`track_gradients=True` needs the jax or tensorflow Keras backend; "
            "tsforecast.diagnostics.explain works on every backend after training."
        )
    X, Y = training
    batches = [(X[rows], Y[rows]) for rows in probe_sample(X.shape[0], batch_size)]
    n_weights = network.n_weights

    class GradientTracker(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs is None:
                return
            # the trainable weights come first, in the order of model.trainable_variables
            weights = self.model.get_weights()[:n_weights]
            norms, flows = [], []
            for x, y in batches:
                _, variable_norms, flow = probe(weights, x, y)
                norms.append(variable_norms)
                flows.append(flow)
            norms = np.stack(norms)
            logs["gradient_norm"] = float(np.mean(np.sqrt(np.sum(norms**2, axis=1))))
            if clipnorm is not None:
                clipped = norms > clipnorm
                logs["clip_fraction"] = float(np.mean(clipped))
                logs["clip_steps"] = float(np.mean(np.any(clipped, axis=1)))
            for d in network.directions:
                flow = np.mean([f[d.label] for f in flows], axis=0)
                logs[f"gradient_ratio/{d.label}"] = flow_ratio(flow, d.direction)

    return GradientTracker()

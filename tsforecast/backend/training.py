"""Training loops of the recurrent regressors.

:func:`train_network` trains a Keras model on windows with mini-batch gradient descent:
rows shuffled every epoch, mean squared error, optional validation rows, early stopping on
the monitored loss with the best weights restored, learning rate halved on plateaus (Keras'
own ``EarlyStopping`` and ``ReduceLROnPlateau`` callbacks) and a stop at the first epoch
whose loss is not finite. On JAX it runs the compiled loop of
:mod:`~tsforecast.backend.jax_training`; on other backends Keras' ``Model.fit``
(:mod:`~tsforecast.backend.keras_training`).

:func:`epoch_callback` lets an application watch the epochs go by (the command line draws
them under its current step) without changing what is trained.
"""

import contextlib
import contextvars
import threading

from tsforecast.backend import active_backend
from tsforecast.backend.early_stopping import early_stopping_from_start

__all__ = ["current_epoch_callback", "epoch_callback", "train_network"]

_UNSET = object()
#: The callback of the innermost :func:`epoch_callback` block of this context.
_CONTEXT_CALLBACK = contextvars.ContextVar("tsforecast_epoch_callback", default=_UNSET)
# Every open block, innermost last: joblib's worker threads (where ensembles and
# calibration models train) do not inherit context variables, so a thread without a block
# of its own falls back on the innermost block of the process.
_OPEN_BLOCKS = []
_OPEN_BLOCKS_LOCK = threading.Lock()


@contextlib.contextmanager
def epoch_callback(callback):
    """Call ``callback(epoch, epochs, logs)`` after every epoch of the networks trained in
    the block.

    ``epoch`` counts from 1 to at most ``epochs`` (early stopping ends sooner); ``logs`` is
    a copy of the epoch's losses (``loss``, and ``val_loss`` when monitored). The callback
    only observes: the weights and losses are those of a training without it.

    Networks trained in this thread use the callback, and so do networks trained in threads
    that entered no block of their own (such as joblib's worker threads, which do not
    inherit context variables): they use the innermost block open in the process. The
    callback may therefore be called from several threads at once. ``epoch_callback(None)``
    silences the networks of this thread.

    Examples
    --------
    >>> seen = []
    >>> with epoch_callback(lambda epoch, epochs, logs: seen.append((epoch, epochs))):
    ...     pass  # fit forecasters or regressors here
    """
    entry = (object(), callback)
    token = _CONTEXT_CALLBACK.set(callback)
    with _OPEN_BLOCKS_LOCK:
        _OPEN_BLOCKS.append(entry)
    try:
        yield callback
    finally:
        with _OPEN_BLOCKS_LOCK:
            _OPEN_BLOCKS.remove(entry)
        _CONTEXT_CALLBACK.reset(token)


def current_epoch_callback():
    """The callback that :func:`train_network` calls in this thread, or None."""
    callback = _CONTEXT_CALLBACK.get()
    if callback is _UNSET:
        with _OPEN_BLOCKS_LOCK:
            callback = _OPEN_BLOCKS[-1][1] if _OPEN_BLOCKS else None
    return callback


def _epoch_report(callback, epochs):
    """A Keras callback passing each finished epoch to ``callback``."""
    import keras

    class EpochReport(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            callback(epoch + 1, epochs, dict(logs or {}))

    return EpochReport()


def _replay_learning_rates(rates):
    """A Keras callback that sets the learning rate of each next epoch from ``rates``."""
    import keras

    class ReplayLearningRates(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 < len(rates):
                self.model.optimizer.learning_rate = float(rates[epoch + 1])

    return ReplayLearningRates()


def _callbacks(*, monitor, early_stopping, patience, reduce_lr):
    import keras

    callbacks = []
    if early_stopping:
        callbacks.append(early_stopping_from_start(monitor=monitor, patience=patience))
    if reduce_lr:
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor=monitor, factor=0.5, patience=max(1, patience // 2), min_lr=1e-6
            )
        )
    return callbacks


def train_network(
    model,
    training,
    validation=None,
    *,
    model_json=None,
    optimizer="adam",
    learning_rate=1e-3,
    clipnorm=None,
    batch_size,
    epochs,
    early_stopping,
    patience,
    reduce_lr,
    seed,
    verbose=0,
    track_gradients=False,
    learning_rates=None,
    summary=None,
):
    """Train ``model`` in place; return the loss history.

    Parameters
    ----------
    model : keras.Model
        Initialised, not compiled.
    training : tuple of numpy.ndarray
        ``(X, Y)`` as float32, X of shape ``(n, window, n_features)``, Y ``(n, horizon)``.
    validation : tuple of numpy.ndarray, optional
        ``(X, Y)`` rows to monitor; without them the training loss is monitored.
    model_json : str, optional
        ``model.to_json()``, when the caller knows it (it keys the compiled loops).
    optimizer : str, default="adam"
        Keras optimizer name.
    learning_rate : float, default=1e-3
    clipnorm : float, optional
        Gradient clipping by norm.
    batch_size, epochs : int
    early_stopping : bool
        Stop after ``patience`` epochs without improvement and restore the best weights;
        with ``validation`` rows, the starting weights are a candidate too.
    patience : int
    reduce_lr : bool
        Halve the learning rate after ``max(1, patience // 2)`` epochs without improvement.
    seed : int
        Seed of the shuffling (dropout masks follow Keras' global seed).
    verbose : int, default=0
        0 silent, 1 progress bar, 2 one line per epoch.
    track_gradients : bool, default=False
        Add per-epoch gradient diagnostics to the history (see
        :mod:`~tsforecast.backend.gradient_tracking`).
    learning_rates : sequence of float, optional
        The learning rate of every epoch (``learning_rate`` is the first), to replay the
        schedule of an earlier training.
    summary : dict, optional
        Filled with ``best_epoch``: the epochs of the weights kept by early stopping (0 for
        the starting weights), or None without early stopping.

    Returns
    -------
    history : dict of str to list of float
        ``"loss"`` per epoch, and ``"val_loss"`` and ``"learning_rate"`` when monitored.

    See Also
    --------
    epoch_callback : watch the epochs of the networks trained in a block.
    """
    callbacks = _callbacks(
        monitor="val_loss" if validation is not None else "loss",
        early_stopping=early_stopping,
        patience=patience,
        reduce_lr=reduce_lr,
    )
    if track_gradients:
        from tsforecast.backend.gradient_tracking import gradient_tracker

        callbacks.append(gradient_tracker(model, training, batch_size=batch_size,
                                          clipnorm=clipnorm))
    if learning_rates is not None:
        callbacks.append(_replay_learning_rates(learning_rates))
    report = current_epoch_callback()
    if report is not None:
        # last, so that it sees the logs as the other callbacks leave them
        callbacks.append(_epoch_report(report, epochs))
    options = {"learning_rate": learning_rate, "batch_size": batch_size, "epochs": epochs,
               "seed": seed, "verbose": verbose}
    optimizer = (optimizer, clipnorm)
    model_json = model_json or model.to_json()
    if active_backend() == "jax":
        from tsforecast.backend.jax_training import train_compiled as train
    else:
        from tsforecast.backend.keras_training import train_keras_fit as train
    history = train(model, model_json, optimizer, training, validation, callbacks, **options)
    if summary is not None:
        stopper = next((c for c in callbacks if hasattr(c, "best_epoch")), None)
        summary["best_epoch"] = None if stopper is None else int(stopper.best_epoch) + 1
    return {k: [float(v) for v in values] for k, values in history.items()}

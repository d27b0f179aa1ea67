"""Training with Keras' own ``Model.fit``, for backends other than JAX.

The compiled Keras models are kept in a small pool keyed by architecture and batch shape,
so that refits (backtest folds, ensemble members, grid searches) do not compile again.
"""

import collections
import threading

import numpy as np

from tsforecast.backend import active_backend
from tsforecast.backend.early_stopping import set_validation_loss
from tsforecast.networks.builders import make_optimizer

__all__ = ["train_keras_fit"]

class _TrainerPool:
    """Compiled Keras models waiting to be reused, keyed by architecture and batch shape.

    A trainer is taken out while it trains (so threads never share one) and put back
    afterwards; the least recently used keys are dropped beyond ``max_size`` trainers.
    """

    def __init__(self, max_size=16):
        self.max_size = max_size
        self._lock = threading.Lock()
        self._free = collections.OrderedDict()

    def acquire(self, key):
        with self._lock:
            trainers = self._free.get(key)
            if trainers:
                self._free.move_to_end(key)
                return trainers.pop()
        return None

    def release(self, key, trainer):
        with self._lock:
            self._free.setdefault(key, []).append(trainer)
            self._free.move_to_end(key)
            while sum(len(v) for v in self._free.values()) > self.max_size:
                oldest = next(iter(self._free))
                self._free[oldest].pop(0)
                if not self._free[oldest]:
                    del self._free[oldest]


_TRAINERS = _TrainerPool()


def _pad_to_batches(X, Y, batch_size):
    """Pad ``(X, Y)`` to a multiple of ``batch_size`` rows with zero-weight rows: one batch
    shape means one compiled train step."""
    n = X.shape[0]
    n_pad = -n % batch_size
    weights = np.ones(n + n_pad, dtype=np.float32)
    if n_pad:
        weights[n:] = 0.0
        X = np.concatenate([X, np.zeros((n_pad,) + X.shape[1:], dtype=X.dtype)])
        Y = np.concatenate([Y, np.zeros((n_pad,) + Y.shape[1:], dtype=Y.dtype)])
    return X, Y, weights


def _stop_on_nonfinite_loss():
    """A callback that stops training at the end of an epoch whose loss is NaN or inf (a
    per-batch check would cost a transfer to the host after every step)."""
    import keras

    class StopOnNonFiniteLoss(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if any(not np.isfinite(v) for k, v in (logs or {}).items() if k.endswith("loss")):
                self.model.stop_training = True

    return StopOnNonFiniteLoss()


def _weighted_mse(model, X, Y, weights):
    """The loss ``Model.fit`` reports for the rows ``X, Y`` (zero-weight rows are padding)."""
    import keras

    out = np.asarray(keras.ops.convert_to_numpy(model(X, training=False)), dtype=np.float64)
    per_row = np.mean(np.square(out - Y), axis=-1)
    return float(np.sum(per_row * weights) / max(np.sum(weights), 1.0))


def train_keras_fit(model, model_json, optimizer, training, validation, callbacks, *,
                     learning_rate, batch_size, epochs, seed, verbose):
    import keras

    X, Y, w = _pad_to_batches(*training, batch_size)
    if validation is not None:
        validation = _pad_to_batches(*validation, batch_size)
    key = (active_backend(), model_json, optimizer, batch_size, validation is not None)
    trainer = _TRAINERS.acquire(key)
    if trainer is None:
        trainer = keras.models.clone_model(model)
        name, clipnorm = optimizer
        trainer.compile(
            optimizer=make_optimizer(name, learning_rate=learning_rate, clipnorm=clipnorm),
            loss=keras.losses.MeanSquaredError(reduction="mean_with_sample_weight"),
        )
    else:
        for variable in trainer.optimizer.variables:
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
        trainer.optimizer.learning_rate = learning_rate
    for source, target in zip(model.variables, trainer.variables):
        target.assign(source.value)
    if validation is not None:
        set_validation_loss(callbacks, lambda: _weighted_mse(trainer, *validation))
    keras.utils.set_random_seed(seed)
    try:
        history = trainer.fit(
            X, Y, sample_weight=w, batch_size=batch_size, epochs=epochs, shuffle=True,
            validation_data=validation,
            # one validation batch: val_loss is then the exact mean over the held-out rows
            validation_batch_size=None if validation is None else len(validation[0]),
            callbacks=[_stop_on_nonfinite_loss(), *callbacks], verbose=verbose,
        )
        for source, target in zip(trainer.variables, model.variables):
            target.assign(source.value)
    finally:
        _TRAINERS.release(key, trainer)
    return history.history

"""Training loops of the recurrent regressors.

:func:`train_network` trains a Keras model on windows with mini-batch gradient descent:
rows shuffled every epoch, mean squared error, optional validation rows, early stopping on
the monitored loss with the best weights restored, learning rate halved on plateaus (Keras'
own ``EarlyStopping`` and ``ReduceLROnPlateau`` callbacks) and a stop at the first epoch
whose loss is not finite.

On JAX the loop is compiled (why: a small recurrent network spends more time in Keras'
per-batch loop and in compiling its train step than in arithmetic):

* one jitted function runs up to ``CHUNK_BATCHES`` optimiser steps (``lax.fori_loop`` over
  batches of a chunk of shuffled rows, the number of steps a runtime argument), with the
  weights and optimiser state passed in and out (``Model.stateless_call`` and
  ``Optimizer.stateless_apply``), so an epoch costs one call per chunk and one transfer of
  the epoch loss to the host (none until the end when no callback reads it);
* its shapes depend on the architecture, the optimiser and the batch size only, never on the
  number of rows, so it is compiled once per process and reused by every model of that
  architecture: refits in a backtest, a grid search, series of other lengths;
* with the compilation cache enabled (``tsforecast.backend``), a new process loads the traced
  and compiled loop from disk instead of tracing and compiling it again.

Other backends use ``Model.fit`` on a compiled Keras model kept in a small pool keyed by
architecture and batch shape, so that refits do not compile again either.
"""

import collections
import importlib
import threading

import numpy as np

from .backend import stored_jit
from .networks import make_optimizer

__all__ = ["CHUNK_BATCHES", "train_network"]

#: Batches per call of the compiled JAX loop.
CHUNK_BATCHES = 16


def _callbacks(*, monitor, early_stopping, patience, reduce_lr):
    import keras

    callbacks = []
    if early_stopping:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=monitor, patience=patience, restore_best_weights=True
            )
        )
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
        Stop after ``patience`` epochs without improvement and restore the best weights.
    patience : int
    reduce_lr : bool
        Halve the learning rate after ``max(1, patience // 2)`` epochs without improvement.
    seed : int
        Seed of the shuffling (dropout masks follow Keras' global seed).
    verbose : int, default=0
        0 silent, 1 progress bar, 2 one line per epoch.

    Returns
    -------
    history : dict of str to list of float
        ``"loss"`` per epoch, and ``"val_loss"`` and ``"learning_rate"`` when monitored.
    """
    import keras

    callbacks = _callbacks(
        monitor="val_loss" if validation is not None else "loss",
        early_stopping=early_stopping,
        patience=patience,
        reduce_lr=reduce_lr,
    )
    options = {"learning_rate": learning_rate, "batch_size": batch_size, "epochs": epochs,
               "seed": seed, "verbose": verbose}
    optimizer = (optimizer, clipnorm)
    model_json = model_json or model.to_json()
    if keras.backend.backend() == "jax":
        history = _train_compiled(model, model_json, optimizer, training, validation, callbacks,
                                  **options)
    else:
        history = _train_keras_fit(model, model_json, optimizer, training, validation, callbacks,
                                   **options)
    return {k: [float(v) for v in values] for k, values in history.items()}


# ---------------------------------------------------------------------- JAX loop
_LOOPS = collections.OrderedDict()
_LOOPS_LOCK = threading.Lock()
_LOOPS_MAX = 16


class _CompiledLoop:
    """Jitted training steps and loss evaluation for one architecture, optimiser and batch size.

    The model and optimizer given at construction serve as templates only: every call takes
    the weights and optimiser state as arguments.
    """

    def __init__(self, model, optimizer, batch_size, key):
        jax = importlib.import_module("jax")
        jnp = importlib.import_module("jax.numpy")
        name, clipnorm = optimizer
        optimizer = make_optimizer(name, clipnorm=clipnorm)
        optimizer.build(model.trainable_variables)
        self.initial_optimizer_state = [np.asarray(v.value) for v in optimizer.variables]
        self.learning_rate_index = next(
            i for i, v in enumerate(optimizer.variables) if v.name == "learning_rate"
        )
        self.batch_size = batch_size
        self.chunk_rows = CHUNK_BATCHES * batch_size

        def batch(arrays, i):
            return [jax.lax.dynamic_slice_in_dim(a, i * batch_size, batch_size) for a in arrays]

        def weighted_loss(trainable, non_trainable, x, y, w, training):
            out, non_trainable = model.stateless_call(
                trainable, non_trainable, x, training=training
            )
            per_row = jnp.mean(jnp.square(out - y), axis=-1)
            return jnp.sum(per_row * w), non_trainable

        def batch_loss(trainable, non_trainable, x, y, w):
            total, non_trainable = weighted_loss(trainable, non_trainable, x, y, w, True)
            return total / jnp.maximum(jnp.sum(w), 1.0), (total, non_trainable)

        gradient = jax.value_and_grad(batch_loss, has_aux=True)

        def train_steps(state, x, y, w, n_batches):
            def step(i, carry):
                trainable, non_trainable, optimizer_state, loss_sum = carry
                xb, yb, wb = batch((x, y, w), i)
                (_, (total, non_trainable)), grads = gradient(trainable, non_trainable, xb, yb, wb)
                trainable, optimizer_state = optimizer.stateless_apply(
                    optimizer_state, grads, trainable
                )
                return trainable, non_trainable, optimizer_state, loss_sum + total

            return jax.lax.fori_loop(0, n_batches, step, state)

        def evaluate(trainable, non_trainable, x, y, w, n_batches):
            def step(i, loss_sum):
                xb, yb, wb = batch((x, y, w), i)
                return loss_sum + weighted_loss(trainable, non_trainable, xb, yb, wb, False)[0]

            return jax.lax.fori_loop(0, n_batches, step, jnp.zeros((), jnp.float32))

        self.train_steps = stored_jit(train_steps, repr(("train_steps", key)))
        self.evaluate = stored_jit(evaluate, repr(("evaluate", key)))

    def chunks(self, X, Y, order=None):
        """``(x, y, w, n_batches)`` per chunk of rows (in ``order``), padded with weight 0."""
        n = X.shape[0]
        for start in range(0, n, self.chunk_rows):
            rows = slice(start, min(start + self.chunk_rows, n))
            index = order[rows] if order is not None else rows
            x, y = X[index], Y[index]
            m = x.shape[0]
            w = np.ones(self.chunk_rows, np.float32)
            if m < self.chunk_rows:
                w[m:] = 0.0
                x = np.concatenate([x, np.zeros((self.chunk_rows - m,) + x.shape[1:], x.dtype)])
                y = np.concatenate([y, np.zeros((self.chunk_rows - m,) + y.shape[1:], y.dtype)])
            yield x, y, w, np.int32(-(-m // self.batch_size))


def _compiled_loop(model, model_json, optimizer, batch_size):
    """The compiled loop of this architecture, ``(optimizer name, clipnorm)`` and batch size
    (the learning rate is part of the state passed in)."""
    key = (model_json, optimizer, batch_size)
    with _LOOPS_LOCK:  # one loop per key, also when threads ask at the same time
        loop = _LOOPS.get(key)
        if loop is None:
            loop = _LOOPS[key] = _CompiledLoop(model, optimizer, batch_size, key)
            while len(_LOOPS) > _LOOPS_MAX:
                _LOOPS.popitem(last=False)
        _LOOPS.move_to_end(key)
    return loop


class _LoopState:
    """Weights and optimiser state of the compiled loop, seen through the attributes that
    Keras' callbacks use on a model: ``get_weights``, ``set_weights``, ``stop_training`` and
    ``optimizer.learning_rate``."""

    def __init__(self, trainable, non_trainable, optimizer_state, learning_rate_index):
        self.trainable = list(trainable)
        self.non_trainable = list(non_trainable)
        self.optimizer_state = list(optimizer_state)
        self._learning_rate_index = learning_rate_index
        self.stop_training = False
        self.optimizer = self

    def get_weights(self):
        return [np.asarray(v) for v in self.trainable + self.non_trainable]

    def set_weights(self, weights):
        n = len(self.trainable)
        self.trainable, self.non_trainable = list(weights[:n]), list(weights[n:])

    @property
    def learning_rate(self):
        return self.optimizer_state[self._learning_rate_index]

    @learning_rate.setter
    def learning_rate(self, value):
        self.optimizer_state[self._learning_rate_index] = np.float32(value)


def _train_compiled(model, model_json, optimizer, training, validation, callbacks, *,
                    learning_rate, batch_size, epochs, seed, verbose):
    import keras

    loop = _compiled_loop(model, model_json, optimizer, batch_size)
    optimizer_state = list(loop.initial_optimizer_state)
    optimizer_state[loop.learning_rate_index] = np.float32(learning_rate)
    state = _LoopState(
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        optimizer_state,
        loop.learning_rate_index,
    )
    X, Y = training
    n_batches = -(-X.shape[0] // batch_size)
    callback_list = keras.callbacks.CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, model=state,
        verbose=verbose, epochs=epochs, steps=n_batches,
    )
    validation_chunks = list(loop.chunks(*validation)) if validation is not None else []
    # Without callbacks or progress output nothing needs an epoch's loss before the next
    # epoch starts: the epochs are queued without waiting (the host shuffles the next
    # epoch while the last one computes) and their losses are read at the end.
    wait_each_epoch = bool(callbacks) or verbose != 0 or validation is not None
    queued = []
    rng = np.random.default_rng(seed)
    zero = np.float32(0.0)
    callback_list.on_train_begin()
    for epoch in range(epochs):
        carry = (state.trainable, state.non_trainable, state.optimizer_state, zero)
        for x, y, w, n in loop.chunks(X, Y, rng.permutation(X.shape[0])):
            carry = loop.train_steps(carry, x, y, w, n)
        state.trainable, state.non_trainable, state.optimizer_state = map(list, carry[:3])
        queued.append(carry[3])
        if not wait_each_epoch and epoch < epochs - 1:
            continue
        for done, loss in enumerate(queued, start=epoch + 1 - len(queued)):
            callback_list.on_epoch_begin(done)
            logs = {"loss": float(loss) / X.shape[0]}
            if validation is not None:
                total = sum(
                    float(loop.evaluate(state.trainable, state.non_trainable, x, y, w, n))
                    for x, y, w, n in validation_chunks
                )
                logs["val_loss"] = total / validation[0].shape[0]
            callback_list.on_epoch_end(done, logs)
        queued = []
        if not all(np.isfinite(v) for k, v in logs.items() if k.endswith("loss")):
            break
        if state.stop_training:
            break
    callback_list.on_train_end()
    for variable, value in zip(model.trainable_variables, state.trainable):
        variable.assign(value)
    for variable, value in zip(model.non_trainable_variables, state.non_trainable):
        variable.assign(value)
    return state.history.history


# --------------------------------------------------------------- Keras fit loop
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


def _train_keras_fit(model, model_json, optimizer, training, validation, callbacks, *,
                     learning_rate, batch_size, epochs, seed, verbose):
    import keras

    X, Y, w = _pad_to_batches(*training, batch_size)
    if validation is not None:
        validation = _pad_to_batches(*validation, batch_size)
    key = (keras.backend.backend(), model_json, optimizer, batch_size, validation is not None)
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

"""The compiled training loop of the JAX backend.

A small recurrent network spends more time in Keras' per-batch loop and in compiling its
train step than in arithmetic, so on JAX:

* one jitted function runs up to ``CHUNK_BATCHES`` optimiser steps (``lax.fori_loop`` over
  batches of a chunk of shuffled rows, the number of steps a runtime argument), with the
  weights and optimiser state passed in and out (``Model.stateless_call`` and
  ``Optimizer.stateless_apply``), so an epoch costs one call per chunk and one transfer of
  the epoch loss to the host (none until the end when no callback reads it);
* its shapes depend on the architecture, the optimiser and the batch size only, never on the
  number of rows, so it is compiled once per process and reused by every model of that
  architecture: refits in a backtest, a grid search, series of other lengths;
* with the compilation cache enabled, a new process loads the traced and compiled loop
  from disk instead of tracing and compiling it again (:mod:`~tsforecast.backend.jax_programs`).
"""

import collections
import importlib
import threading

import numpy as np

from tsforecast.backend.early_stopping import set_validation_loss
from tsforecast.backend.jax_programs import stored_jit
from tsforecast.networks.builders import make_optimizer

__all__ = ["CHUNK_BATCHES", "train_compiled"]

#: Batches per call of the compiled loop.
CHUNK_BATCHES = 16

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


def train_compiled(model, model_json, optimizer, training, validation, callbacks, *,
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

    def validation_loss():
        total = sum(float(loop.evaluate(state.trainable, state.non_trainable, x, y, w, n))
                    for x, y, w, n in validation_chunks)
        return total / validation[0].shape[0]

    if validation is not None:
        set_validation_loss(callbacks, validation_loss)
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
                logs["val_loss"] = validation_loss()
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

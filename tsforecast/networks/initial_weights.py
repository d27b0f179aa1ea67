"""Initial weights of the networks, drawn with NumPy on the host.

The weights follow Keras' defaults (Glorot-uniform kernels, orthogonal recurrent kernels,
zero biases, LSTM forget-gate bias 1) but are drawn with NumPy: on JAX, Keras' initialisers
are device operations compiled on their first use with each shape, which costs more than a
second for a new LSTM in a new process, longer than the whole training of a short series.
A network is built with :func:`host_zeros` initialisers (no device operation), then
:func:`draw_initial_weights` fills it; its saved configuration names the stock initialisers
(:func:`restore_stock_initializers`), so a saved model needs nothing from tsforecast.
"""

import numpy as np

__all__ = ["HOST_DRAWN", "draw_initial_weights", "host_zeros", "restore_stock_initializers"]

#: Recurrent initialisers that draw_initial_weights reproduces on the host.
HOST_DRAWN = ("orthogonal", "glorot_uniform", "zeros")

_HOST_ZEROS_CLASS = None


def host_zeros():
    """A Keras initialiser that returns NumPy zeros, so building a layer runs no device op."""
    global _HOST_ZEROS_CLASS
    if _HOST_ZEROS_CLASS is None:
        import keras

        # registered because Bidirectional copies its layer through its configuration
        @keras.saving.register_keras_serializable(package="tsforecast")
        class HostZeros(keras.initializers.Initializer):
            def __call__(self, shape, dtype=None):
                return np.zeros(shape, dtype=keras.backend.standardize_dtype(dtype))

        _HOST_ZEROS_CLASS = HostZeros
    return _HOST_ZEROS_CLASS()


def _layers_with_weights(model):
    """The Dense layers and recurrent cells of ``model`` in a fixed order, wrapped ones included."""

    def walk(layer):
        if hasattr(layer, "forward_layer"):  # Bidirectional
            yield from walk(layer.forward_layer)
            yield from walk(layer.backward_layer)
        elif hasattr(layer, "cell"):  # SimpleRNN, LSTM, GRU
            yield layer.cell
        elif hasattr(layer, "layer"):  # TimeDistributed
            yield from walk(layer.layer)
        elif hasattr(layer, "kernel"):  # Dense
            yield layer

    for layer in model.layers:
        yield from walk(layer)


def restore_stock_initializers(model, recurrent_initializer):
    """Name Keras' default initialisers in the configuration of a model built with host zeros."""
    from keras import initializers

    for layer in _layers_with_weights(model):
        layer.kernel_initializer = initializers.get("glorot_uniform")
        layer.bias_initializer = initializers.get("zeros")
        if hasattr(layer, "recurrent_kernel"):
            layer.recurrent_initializer = initializers.get(recurrent_initializer)
        if hasattr(layer, "unit_forget_bias"):
            layer.unit_forget_bias = True


def _glorot_uniform(rng, shape):
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


_BLAS_CONTROLLER = None


def _orthogonal(rng, shape):
    global _BLAS_CONTROLLER
    if _BLAS_CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _BLAS_CONTROLLER = ThreadpoolController()  # inspecting the loaded libraries is slow
    rows, cols = shape
    # single-threaded: a multi-threaded BLAS next to the backend's own thread pool made this
    # small QR decomposition hundreds of times slower on a 2-core machine
    with _BLAS_CONTROLLER.limit(limits=1, user_api="blas"):
        q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    q *= np.sign(np.diag(r))
    return (q.T if rows < cols else q).astype(np.float32)


def draw_initial_weights(model, recurrent_initializer, seed):
    """Keras' default initial weights drawn with NumPy (see the module docstring), and the
    states of the dropout seed generators, all from ``seed``: given a seed, no global random
    state is read, so models built in parallel threads are reproducible."""
    if seed is None:
        # the global NumPy generator, which keras.utils.set_random_seed seeds
        seed = np.random.randint(np.iinfo(np.int32).max)
    rng = np.random.default_rng(seed)
    for variable in model.non_trainable_variables:
        if variable.name == "seed_generator_state":
            state = [rng.integers(1, np.iinfo(np.int32).max), 0]
            variable.assign(np.asarray(state, dtype=variable.dtype))
    recurrent_draw = {"orthogonal": _orthogonal, "glorot_uniform": _glorot_uniform}
    for layer in _layers_with_weights(model):
        layer.kernel.assign(_glorot_uniform(rng, tuple(layer.kernel.shape)))
        if hasattr(layer, "recurrent_kernel") and recurrent_initializer in recurrent_draw:
            shape = tuple(layer.recurrent_kernel.shape)
            layer.recurrent_kernel.assign(recurrent_draw[recurrent_initializer](rng, shape))
        if getattr(layer, "unit_forget_bias", False):
            bias = np.zeros(tuple(layer.bias.shape), np.float32)
            bias[layer.units : 2 * layer.units] = 1.0
            layer.bias.assign(bias)

"""The network of the pretrained recurrent forecaster, and its training loss.

The network reads windows of any length, so one set of weights serves series of any
length; see :mod:`tsforecast.forecasting.pretrained` for the inputs and
:mod:`tsforecast.pretraining` for how it is trained.
"""

__all__ = ["build_zero_shot_network", "masked_mae"]


def build_zero_shot_network(*, n_features, horizon, cell="gru", units=(64, 64), seed=0):
    """The network of the pretrained forecaster.

    Stacked recurrent layers read a window of any length (``(None, n_features)`` inputs); a
    dense head reads their final state and the base forecast, and its ``horizon`` outputs
    are added to the base forecast. The head starts at zero, so an untrained
    network forecasts the base (seasonal naive on the scaled values).
    """
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    layer = {"gru": layers.GRU, "lstm": layers.LSTM}[cell]
    window = keras.Input(shape=(None, n_features), name="window")
    base = keras.Input(shape=(horizon,), name="base")
    x = window
    for i, h in enumerate(units):
        x = layer(h, return_sequences=i < len(units) - 1, name=f"{cell}_{i + 1}")(x)
    x = layers.Concatenate(name="state_and_base")([x, base])
    correction = layers.Dense(horizon, kernel_initializer="zeros", name="head")(x)
    outputs = layers.Add(name="forecast")([base, correction])
    return keras.Model([window, base], outputs, name="pretrained_rnn")


def masked_mae(y_true, y_pred):
    """Mean absolute error over the targets that are not NaN."""
    from keras import ops

    observed = ops.logical_not(ops.isnan(y_true))
    errors = ops.where(observed, ops.abs(ops.where(observed, y_true, 0.0) - y_pred), 0.0)
    return ops.sum(errors) / ops.maximum(ops.sum(ops.cast(observed, "float32")), 1.0)

"""Training loops of the recurrent regressors.

:func:`train_network` trains a Keras model on windows with mini-batch gradient descent:
rows shuffled every epoch, mean squared error, optional validation rows, early stopping on
the monitored loss with the best weights restored, learning rate halved on plateaus (Keras'
own ``EarlyStopping`` and ``ReduceLROnPlateau`` callbacks) and a stop at the first epoch
whose loss is not finite. On JAX it runs the compiled loop of
:mod:`~tsforecast.backend.jax_training`; on other backends Keras' ``Model.fit``
(:mod:`~tsforecast.backend.keras_training`).
"""

from tsforecast.backend import active_backend

__all__ = ["train_network"]


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
    if active_backend() == "jax":
        from tsforecast.backend.jax_training import train_compiled as train
    else:
        from tsforecast.backend.keras_training import train_keras_fit as train
    history = train(model, model_json, optimizer, training, validation, callbacks, **options)
    return {k: [float(v) for v in values] for k, values in history.items()}

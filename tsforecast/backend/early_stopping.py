"""Early stopping that counts the starting weights as a candidate.

Keras' ``EarlyStopping`` keeps the best weights seen at the end of an epoch. A network
started at a good solution, such as the linear model of its highway
(:func:`~tsforecast.networks.long_memory.start_at_linear_model`), can get worse in its first
epochs while the recurrent part finds its feet; when no later epoch beats the start on the
validation rows, the starting weights are the ones to keep.
"""

import numpy as np

__all__ = ["early_stopping_from_start", "set_validation_loss"]


def early_stopping_from_start(*, monitor, patience):
    """Keras ``EarlyStopping`` (best weights restored) whose ``validation_loss`` attribute,
    when a training loop sets it to a function of no arguments returning the validation
    loss of the current weights, makes the weights at the start of training a candidate."""
    import keras

    class EarlyStoppingFromStart(keras.callbacks.EarlyStopping):
        validation_loss = None

        def on_train_begin(self, logs=None):
            super().on_train_begin(logs)
            if self.validation_loss is not None:
                loss = float(self.validation_loss())
                if np.isfinite(loss):
                    self.best = loss
                    self.best_weights = self.model.get_weights()
                    self.best_epoch = -1

    return EarlyStoppingFromStart(monitor=monitor, patience=patience, restore_best_weights=True)


def set_validation_loss(callbacks, validation_loss):
    """Give every early-stopping callback among ``callbacks`` the ``validation_loss``
    function of the training loop."""
    for callback in callbacks:
        if hasattr(callback, "validation_loss"):
            callback.validation_loss = validation_loss

"""Fast forward passes for small inputs, such as the one window of a single forecast.

``Model.predict`` has a per-call overhead that dominates small forecasts. On JAX,
:func:`forward_function` returns one jitted ``stateless_call`` per architecture, shared by
every fitted model of that architecture (:mod:`~tsforecast.backend.jax_forward`); other
backends call ``Model.predict_on_batch``.
"""

from tsforecast.backend import active_backend

__all__ = ["forward_function"]


def forward_function(model, key=None):
    """A fast ``x -> model(x)`` for small inputs.

    Parameters
    ----------
    model : keras.Model
    key : str, optional
        The model's JSON configuration, when the caller knows it (serialising a model
        costs over a millisecond).

    Returns
    -------
    callable
        Takes a float32 array ``(rows, window, n_features)``, returns ``(rows, outputs)``.
    """
    if active_backend() != "jax":
        return model.predict_on_batch
    from tsforecast.backend.jax_forward import jitted_forward

    return jitted_forward(model, key)

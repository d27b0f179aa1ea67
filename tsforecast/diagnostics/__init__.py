"""Why a recurrent network forecasts what it does, and whether it trained well.

:func:`explain` takes a fitted recurrent regressor or forecaster and returns an
:class:`Explanation` with

* gradient flow through time: the norm of ``dLoss/dh_t`` at every step of the window, per
  layer and direction, and its first-to-last-step ratio (vanishing: near 0; exploding: far
  above 1) (:mod:`~tsforecast.diagnostics.gradient_flow`);
* effective memory: the sensitivity ``|d yhat_j / d x_lag|`` per forecast step and lag, the
  lag holding 95% of it and a recommended window (:mod:`~tsforecast.diagnostics.memory`);
* gates: the mean activation of the LSTM's input, forget and output gates and the GRU's
  update and reset gates per step;
* training health: loss curves, learning-rate changes, how often gradient clipping fires,
  the first non-finite epoch (:mod:`~tsforecast.diagnostics.training_health`);
* a verdict line and findings (:mod:`~tsforecast.diagnostics.verdict`);

as numbers (``to_frame``), a JSON-ready ``summary`` and figures (``plot``;
:func:`plot_comparison` puts several networks side by side). The hidden states come from
the network unrolled with its own weights (:mod:`tsforecast.backend.unrolled_network`),
differentiated by the backend's automatic differentiation.

Networks fitted with ``track_gradients=True`` also carry per-epoch gradient diagnostics in
``history_``, which the training figures show.
"""

__all__ = ["Explanation", "explain", "plot_comparison"]


def __getattr__(name):
    if name in ("Explanation", "explain"):
        from tsforecast.diagnostics import explanation

        return getattr(explanation, name)
    if name == "plot_comparison":
        from tsforecast.diagnostics.plots import plot_comparison

        return plot_comparison
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Gradient flow through time: how much of the loss gradient reaches each hidden state.

For every recurrent layer and direction the input is the mean over the windows (and the
phases of a layer inside ``TimeDistributed``) of ``||dLoss_i/dh_t||`` at every step ``t``
of the sequence the layer reads (input time order), where ``Loss_i`` is the squared error
of window ``i``; without targets, of the forecast itself: the Frobenius norm
``||d yhat_i/dh_t||`` over the outputs. A step of a layer with ``stride`` s (a dilated
layer, a skip connection) spans s steps of the window; a decoder's steps are forecast
steps. From it:

``ratio``
    The norm at the direction's first step divided by that at its last step (the last step
    of a backward direction is the oldest input). A plain RNN whose gradients vanish gives
    a ratio near 0; exploding gradients give a ratio far above 1.
``vanish_lag``
    How many window steps back from the direction's last step the norm first falls below
    :data:`VANISH_LEVEL` of its value at the last step (steps of the layer times its
    stride); ``None`` when it never does inside the sequence. Beyond it, training hardly
    changes how the state uses older inputs.
``reaches``
    Whether any gradient reaches the direction's states: false when the forecast does not
    depend on them at all (for instance a network whose recurrent head is zero, the start
    of a ``highway`` network that training kept); its ``ratio`` is then NaN.
"""

import numpy as np

from tsforecast.backend.gradient_tracking import flow_ratio

__all__ = ["EXPLODE_RATIO", "VANISH_LEVEL", "describe_flow", "input_layer", "lags", "steps_back",
           "vanish_lag"]

#: Share of the last step's gradient norm below which the gradient counts as vanished.
VANISH_LEVEL = 0.01
#: First-to-last-step ratio above which the gradient counts as exploding.
EXPLODE_RATIO = 100.0


def steps_back(norms, direction):
    """The norms ordered by distance from the direction's last step (0 = the last step)."""
    norms = np.asarray(norms, dtype=float)
    return norms[::-1] if direction == "forward" else norms


def vanish_lag(norms, direction, stride=1):
    """Window steps back at which the norm first falls below ``VANISH_LEVEL`` of the last
    step's."""
    back = steps_back(norms, direction)
    if not back[0] > 0:
        return None
    below = np.nonzero(back / back[0] < VANISH_LEVEL)[0]
    return int(below[0]) * int(stride) if below.size else None


def describe_flow(directions, norms):
    """Per direction: layer, direction, ratio, vanish lag, whether it reaches, the norms.

    Parameters
    ----------
    directions : sequence of Direction
        The recurrent directions of the network.
    norms : sequence of numpy.ndarray of shape (steps,)
        Mean gradient norm per step (input time order), one per direction.

    Returns
    -------
    dict of str to dict
        Keyed by the direction's label.
    """
    flow = {}
    for d, values in zip(directions, norms):
        flow[d.label] = {
            "layer": d.layer,
            "role": d.role,
            "direction": d.direction,
            "units": d.units,
            "stride": d.stride,
            "ratio": flow_ratio(np.asarray(values, dtype=float), d.direction),
            "vanish_lag": vanish_lag(values, d.direction, d.stride),
            "reaches": bool(np.any(np.asarray(values, dtype=float) > 0)),
            "norms": [float(v) for v in values],
        }
    return flow


def lags(flow_entry, n_steps):
    """The lag of each step of a direction (input time order): window steps before the
    forecast origin for an encoder, steps before the last forecast step for a decoder."""
    return flow_entry.get("stride", 1) * (n_steps - np.arange(n_steps))


def input_layer(flow):
    """The directions of the first layer that reads the window step by step (stride 1), or
    of the first encoder layer."""
    encoders = [f for f in flow.values() if f["role"] == "encoder"]
    plain = [f for f in encoders if f.get("stride", 1) == 1] or encoders
    return [f for f in encoders if f["layer"] == plain[0]["layer"]]

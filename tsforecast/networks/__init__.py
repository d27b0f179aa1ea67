"""Recurrent networks: the settings, the model builders and their initial weights.

* :mod:`~tsforecast.networks.spec`: every setting of a network, declared once;
* :mod:`~tsforecast.networks.builders`: :func:`build_rnn` and :func:`count_rnn_parameters`;
* :mod:`~tsforecast.networks.initial_weights`: Keras' default initial weights drawn on the host.

Only ``keras`` is used here (never a backend directly). The builders are imported on first
use, so that reading the settings (as the command line does for its options) stays cheap.
"""

from tsforecast.networks.spec import CELLS, HEADS, RNN_SETTINGS

__all__ = ["CELLS", "HEADS", "RNN_SETTINGS", "build_rnn", "count_rnn_parameters",
           "make_optimizer"]


def __getattr__(name):
    if name in ("build_rnn", "count_rnn_parameters", "make_optimizer"):
        from tsforecast.networks import builders

        return getattr(builders, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""One jitted forward function per architecture, on the JAX backend.

The jitted ``stateless_call`` takes the weights as arguments, so a refitted or cloned model
of the same architecture reuses the compiled code; the functions are kept in a small cache
keyed by the model's JSON configuration (least recently used dropped beyond the limit).
"""

import collections
import threading

from tsforecast.backend.jax_programs import stored_jit

__all__ = ["jitted_forward"]

_FORWARD_FUNCTIONS = collections.OrderedDict()
_FORWARD_LOCK = threading.Lock()
_FORWARD_MAX = 32


def jitted_forward(model, key=None):
    """``x -> model(x)`` through the shared jitted function of the model's architecture."""
    key = key or model.to_json()
    with _FORWARD_LOCK:
        forward = _FORWARD_FUNCTIONS.get(key)
        if forward is not None:
            _FORWARD_FUNCTIONS.move_to_end(key)
    if forward is None:
        template = model

        def stateless_forward(trainable, non_trainable, x):
            return template.stateless_call(trainable, non_trainable, x, training=False)[0]

        forward = stored_jit(stateless_forward, repr(("forward", key)))
        with _FORWARD_LOCK:
            forward = _FORWARD_FUNCTIONS.setdefault(key, forward)
            while len(_FORWARD_FUNCTIONS) > _FORWARD_MAX:
                _FORWARD_FUNCTIONS.popitem(last=False)
    trainable, non_trainable = model.trainable_variables, model.non_trainable_variables

    def predict(x):
        return forward([v.value for v in trainable], [v.value for v in non_trainable], x)

    return predict

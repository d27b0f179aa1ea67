"""A trained recurrent network run step by step with ``keras.ops``, its hidden states exposed.

Keras' recurrent layers keep their hidden states ``h_t`` inside the layer, so no gradient
with respect to them can be asked for. :class:`UnrolledNetwork` runs a network built by
:func:`~tsforecast.networks.build_rnn` (or any functional Keras model of stock layers) from
a list of weight arrays: every recurrent layer (``SimpleRNN``, ``LSTM``, ``GRU`` with
``reset_after`` true or false; alone, inside ``Bidirectional`` or inside
``TimeDistributed``) is recomputed with its cell's own equations (those of Keras'
``SimpleRNNCell``, ``LSTMCell`` and ``GRUCell``), adding a perturbation ``eps_t`` to the
hidden state of every step; every other layer runs as itself through
``Layer.stateless_call`` on the given weights. With ``eps = 0`` the output is the network's
output; the derivative of any function of the output with respect to ``eps_t`` is its
derivative with respect to ``h_t`` (:mod:`~tsforecast.backend.gradients`). The forward pass
also returns the mean activation of the gates per step.

The weights are arguments, never read from the model: one traced function serves every
model of an architecture. Only ``keras`` and ``keras.ops`` are used, so the forward pass
runs (and is differentiated) on any Keras backend. Dropout is inactive, as in prediction.
The graph is walked with ``Functional._run_through_graph``, the walk Keras' own ``call``
uses (no public equivalent takes a replacement per layer).
"""

from dataclasses import dataclass

from tsforecast.validation import InputValueError

__all__ = ["GATES", "Direction", "UnrolledNetwork", "unrolled_network"]

#: The gates whose mean activation the forward pass reports, per cell. For the GRU the
#: update gate ``z`` keeps the previous state (``h = z * h_prev + (1 - z) * candidate``).
GATES = {"simple": (), "lstm": ("input", "forget", "output"), "gru": ("update", "reset")}

_CELLS = {"SimpleRNNCell": "simple", "LSTMCell": "lstm", "GRUCell": "gru"}


@dataclass(frozen=True)
class Direction:
    """One recurrent layer reading its sequence in one direction.

    Attributes
    ----------
    label : str
        Name of the recurrent layer (``"lstm_1"``), with ``"/forward"`` or ``"/backward"``
        for the two directions of a bidirectional layer.
    layer : str
        Name of the model's layer holding it (``"bidirectional_lstm_1"``, ``"skip"``).
    role : {"encoder", "decoder"}
        A decoder (named ``*_decoder``) reads the repeated final state, not the window.
    direction : {"forward", "backward"}
    cell : {"simple", "lstm", "gru"}
    units : int
    steps : int
        Length of the sequences it reads.
    phases : int
        Sequences per window (more than 1 inside ``TimeDistributed``: the phases of a
        dilated layer or of a skip connection).
    stride : int
        Window steps between two steps of its sequences (the number of phases; 1 for a
        decoder).
    reset_after : bool
        GRU variant.
    activation, recurrent_activation : str
        Names of the cell's activations.
    weights : tuple of int
        Positions of the kernel, recurrent kernel and bias in the weight list.
    """

    label: str
    layer: str
    role: str
    direction: str
    cell: str
    units: int
    steps: int
    phases: int
    stride: int
    reset_after: bool
    activation: str
    recurrent_activation: str
    weights: tuple


class UnrolledNetwork:
    """A functional Keras model whose recurrent layers run step by step, on given weights.

    Equal (and hashed) by its architecture key, so that it keys the compiled gradient
    functions shared by every model of that architecture. Weights are passed as a list in
    the order of ``model.trainable_variables`` (also the order of ``model.get_weights()``
    for these networks, whose weights are all trainable).

    Attributes
    ----------
    key : str
        The architecture (``model.to_json()`` unless given).
    directions : tuple of Direction
        Every recurrent direction, in the order of the model's layers.
    window, n_features, horizon, n_weights : int
    """

    def __init__(self, model, key=None):
        from keras import layers

        if not hasattr(model, "_run_through_graph"):
            raise InputValueError(
                f"the network {model.name!r} is not a functional Keras model; only networks "
                "built by tsforecast.networks.build_rnn can be explained."
            )
        self.key = key or model.to_json()
        self._model = model
        self._position = {id(v): i for i, v in enumerate(model.trainable_variables)}
        _, window, n_features = model.input_shape
        self.window, self.n_features = int(window), int(n_features)
        self.horizon = int(model.output_shape[-1])
        self.n_weights = len(model.trainable_variables)
        self._directions = {}  # outer layer -> its directions
        self._by_rnn = {}  # recurrent layer -> its direction
        for layer in model.layers:
            if _is_recurrent(layer, layers):
                shape = tuple(layer.input.shape[1:])
                self._directions[id(layer)] = self._describe(layer, layer.name, shape, layers)
        self.directions = tuple(d for parts in self._directions.values() for d in parts)
        if not any(d.role == "encoder" for d in self.directions):
            raise InputValueError(
                f"the network {model.name!r} has no recurrent layer to explain."
            )

    def __hash__(self):
        return hash(self.key)

    def __eq__(self, other):
        return isinstance(other, UnrolledNetwork) and other.key == self.key

    def _describe(self, layer, outer, shape, layers, phases=1):
        if isinstance(layer, layers.TimeDistributed):
            return self._describe(layer.layer, outer, shape[1:], layers, phases * shape[0])
        if isinstance(layer, layers.Bidirectional):
            if layer.merge_mode != "concat":
                raise InputValueError(
                    f"layer {layer.name!r} merges its directions with "
                    f"{layer.merge_mode!r}; only 'concat' (build_rnn's) is supported."
                )
            base = layer.forward_layer.name.removeprefix("forward_")
            return (self._direction(layer.forward_layer, f"{base}/forward", outer, shape, phases),
                    self._direction(layer.backward_layer, f"{base}/backward", outer, shape,
                                    phases))
        return (self._direction(layer, layer.name, outer, shape, phases),)

    def _direction(self, rnn, label, outer, shape, phases):
        cell = rnn.cell
        kind = _CELLS.get(type(cell).__name__)
        if kind is None or not cell.use_bias:
            raise InputValueError(
                f"layer {rnn.name!r} ({type(rnn).__name__}) is not a recurrent layer of "
                "tsforecast.networks.build_rnn; only its networks can be explained."
            )
        config = cell.get_config()
        steps = int(shape[0])
        decoder = rnn.name.endswith("_decoder")
        direction = self._by_rnn[id(rnn)] = Direction(
            label=label, layer=outer, role="decoder" if decoder else "encoder",
            direction="backward" if rnn.go_backwards else "forward", cell=kind,
            units=int(cell.units), steps=steps, phases=int(phases),
            stride=1 if decoder else int(phases),
            reset_after=bool(config.get("reset_after", False)),
            activation=config["activation"],
            recurrent_activation=config.get("recurrent_activation", ""),
            weights=tuple(self._position[id(w)]
                          for w in (cell.kernel, cell.recurrent_kernel, cell.bias)),
        )
        return direction

    def zero_perturbations(self, n):
        """``eps = 0``: ``{label: (n * phases, steps, units)}`` for every direction."""
        from keras import ops

        return {d.label: ops.zeros((n * d.phases, d.steps, d.units)) for d in self.directions}

    def forward(self, weights, x, eps=None):
        """The network's output for windows ``x``, with hidden states perturbed by ``eps``.

        Parameters
        ----------
        weights : list of arrays
            In the order of ``model.trainable_variables``.
        x : array of shape (n, window, n_features)
        eps : dict of str to array, optional
            Per direction label, shape ``(n * phases, steps, units)`` (row ``i * phases +
            p`` is phase ``p`` of window ``i``), in the time order of the layer's input: for
            a backward direction ``eps[:, t]`` is added after it has read step ``t``.

        Returns
        -------
        output : array of shape (n, horizon)
        gates : dict of str to array of shape (n * phases, steps)
            ``"<label>/<gate>"``: each sequence's mean activation of the gate over the
            units, per step.
        """
        from keras import layers

        if eps is None:
            from keras import ops

            eps = self.zero_perturbations(ops.shape(x)[0])
        gates = {}

        def operation(op):
            if id(op) in self._directions:
                return lambda inputs, **_: self._recurrent(op, weights, inputs, eps, gates, layers)
            trainable = [weights[self._position[id(v)]] for v in op.trainable_variables]
            fixed = [v.value for v in op.non_trainable_variables]
            return lambda *args, **kwargs: op.stateless_call(trainable, fixed, *args,
                                                             **kwargs)[0]

        return self._model._run_through_graph(x, operation), gates

    def _recurrent(self, layer, weights, inputs, eps, gates, layers):
        from keras import ops

        if isinstance(layer, layers.TimeDistributed):
            shape = ops.shape(inputs)
            flat = ops.reshape(inputs, (shape[0] * shape[1], *shape[2:]))
            out = self._recurrent(layer.layer, weights, flat, eps, gates, layers)
            return ops.reshape(out, (shape[0], shape[1], *ops.shape(out)[1:]))
        if isinstance(layer, layers.Bidirectional):
            forward = self._recurrent(layer.forward_layer, weights, inputs, eps, gates, layers)
            backward = self._recurrent(layer.backward_layer, weights, inputs, eps, gates, layers)
            if layer.return_sequences:  # Keras puts the backward states back in time order
                backward = ops.flip(backward, axis=1)
            return ops.concatenate([forward, backward], axis=-1)
        d = self._by_rnn[id(layer)]
        states, means = _run(d, weights, inputs, eps[d.label])
        gates.update({f"{d.label}/{name}": mean for name, mean in means.items()})
        if not layer.return_sequences:  # the state after the last step read
            return states[:, 0] if d.direction == "backward" else states[:, -1]
        # a backward layer returns its states in the order it read them
        return ops.flip(states, axis=1) if d.direction == "backward" else states


def _is_recurrent(layer, layers):
    inner = layer.layer if isinstance(layer, layers.TimeDistributed) else layer
    return isinstance(inner, (layers.RNN, layers.Bidirectional))


def _run(d, weights, x, eps):
    """Hidden states ``(n, T, units)`` of direction ``d`` over ``x`` (input time order) and the
    per-step gate means ``{gate: (n, T)}``."""
    import keras
    from keras import ops

    kernel, recurrent, bias = (weights[i] for i in d.weights)
    activation = keras.activations.get(d.activation)
    gate_activation = keras.activations.get(d.recurrent_activation or "sigmoid")
    u = d.units
    gru_two_biases = d.cell == "gru" and d.reset_after
    # the input projection of every step at once (as Keras' cells add the bias after it)
    projected = ops.matmul(x, kernel) + (bias[0] if gru_two_biases else bias)
    xs = ops.transpose(projected, (1, 0, 2))
    n = ops.shape(x)[0]
    h0 = ops.zeros((n, u), dtype=projected.dtype)
    es = ops.zeros((ops.shape(xs)[0], n, u), dtype=projected.dtype) if eps is None else (
        ops.transpose(eps, (1, 0, 2)))

    # The carry holds, after the state, the gate means of the step just taken, and every
    # step outputs its carry: TensorFlow's scan wants outputs shaped like the carry.
    def simple(carry, inputs):
        h, _ = carry
        z, e = inputs
        h = activation(z + ops.matmul(h, recurrent)) + e
        return (h, h[:, :0]), (h, h[:, :0])

    def lstm(carry, inputs):
        h, c, _ = carry
        z, e = inputs
        z = z + ops.matmul(h, recurrent)
        i = gate_activation(z[:, :u])
        f = gate_activation(z[:, u : 2 * u])
        o = gate_activation(z[:, 3 * u :])
        c = f * c + i * activation(z[:, 2 * u : 3 * u])
        h = o * activation(c) + e
        carry = (h, c, _gate_means(i, f, o))
        return carry, carry

    def gru(carry, inputs):
        h, _ = carry
        x_proj, e = inputs
        if gru_two_biases:
            inner = ops.matmul(h, recurrent) + bias[1]
        else:
            inner = ops.matmul(h, recurrent[:, : 2 * u])
        z = gate_activation(x_proj[:, :u] + inner[:, :u])
        r = gate_activation(x_proj[:, u : 2 * u] + inner[:, u : 2 * u])
        if gru_two_biases:
            candidate = r * inner[:, 2 * u :]
        else:
            candidate = ops.matmul(r * h, recurrent[:, 2 * u :])
        candidate = activation(x_proj[:, 2 * u :] + candidate)
        h = z * h + (1 - z) * candidate + e
        carry = (h, _gate_means(z, r))
        return carry, carry

    step = {"simple": simple, "lstm": lstm, "gru": gru}[d.cell]
    gates = GATES[d.cell]
    no_gates = ops.zeros((n, len(gates)), dtype=projected.dtype)
    carry = (h0, h0, no_gates) if d.cell == "lstm" else (h0, no_gates)
    _, outputs = ops.scan(step, carry, (xs, es), reverse=d.direction == "backward")
    states = ops.transpose(outputs[0], (1, 0, 2))
    means = {name: ops.transpose(outputs[-1][:, :, k], (1, 0)) for k, name in enumerate(gates)}
    return states, means


def _gate_means(*gates):
    """``(n, n_gates)``: each window's mean activation of each gate over the units."""
    from keras import ops

    return ops.stack([ops.mean(g, axis=-1) for g in gates], axis=-1)


def unrolled_network(model, key=None):
    """The :class:`UnrolledNetwork` of ``model``, a network built by
    :func:`~tsforecast.networks.build_rnn`.

    Parameters
    ----------
    model : keras.Model
    key : str, optional
        ``model.to_json()`` when the caller knows it.

    Returns
    -------
    UnrolledNetwork

    Raises
    ------
    InputValueError
        When ``model`` has no recurrent layer, a recurrent layer other than Keras'
        ``SimpleRNN``, ``LSTM`` or ``GRU``, or is not a functional model.
    """
    return UnrolledNetwork(model, key)

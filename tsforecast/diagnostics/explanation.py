"""``explain``: why a recurrent network forecasts what it does, and whether it trained well.

:func:`explain` evaluates a fitted network (recurrent regressor or forecaster, see
:mod:`~tsforecast.diagnostics.subject`) on its windows with the network unrolled step by
step (:mod:`tsforecast.backend.unrolled_network`) and differentiated by the backend's
automatic differentiation (:mod:`tsforecast.backend.gradients`), and returns an
:class:`Explanation`: gradient flow through time, effective memory, gate activations,
training health and a verdict. The fitted model is only read, never changed.
"""

import math

import numpy as np

from tsforecast.diagnostics.gradient_flow import describe_flow, lags
from tsforecast.diagnostics.memory import describe_memory
from tsforecast.diagnostics.subject import resolve_subject
from tsforecast.diagnostics.training_health import describe_training
from tsforecast.diagnostics.verdict import findings, verdict_line
from tsforecast.validation import check_int

__all__ = ["Explanation", "explain"]

#: Windows per call of the compiled gradient function (bounds its memory).
CHUNK_WINDOWS = 128


def explain(model, X=None, y=None, *, member=0, max_windows=256):
    """Explain a fitted recurrent network: gradient flow, memory, gates, training health.

    Parameters
    ----------
    model : fitted estimator
        A recurrent regressor (``SimpleRNNRegressor``, ``LSTMRegressor``,
        ``GRURegressor``) or a forecaster over one (``LSTMForecaster``, a
        ``WindowForecaster``, also inside a ``TransformedForecaster``); any stack,
        bidirectional layers, dense or seq2seq head.
    X : array-like of shape (n, window) or (n, window, n_features), optional
        For a regressor (required): the windows it was trained on.
    y : array-like, optional
        For a regressor: the targets of ``X`` (without them the gradients are those of the
        forecast instead of the loss). For a forecaster: the series it was fitted on; its
        training windows are rebuilt from it. Without it, the last window of each series
        that the forecaster keeps is used (one window per series, no targets).
    member : int, default=0
        Which network of a seed ensemble to explain.
    max_windows : int, default=256
        Most windows evaluated, evenly spaced over the available ones.

    Returns
    -------
    Explanation

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import LSTMForecaster
    >>> from tsforecast.diagnostics import explain
    >>> y = np.sin(np.arange(120) * 2 * np.pi / 12) + 2
    >>> f = LSTMForecaster(window=24, horizon=3, units=(4,), epochs=2, random_state=0,
    ...                    conformal=False).fit(y)
    >>> result = explain(f, y=y)
    >>> sorted(result.summary())[:3]
    ['data', 'findings', 'gates']
    """
    check_int(member, "member", minimum=0)
    check_int(max_windows, "max_windows")
    subject = resolve_subject(model, X, y, member=member, max_windows=max_windows)
    return _explain_subject(subject)


def _explain_subject(subject):
    from tsforecast.backend.gradient_tracking import probe_sample
    from tsforecast.backend.gradients import loss_probe_function, pullback_function
    from tsforecast.backend.unrolled_network import GATES, unrolled_network

    reg, x, targets = subject.regressor, subject.X, subject.Y
    network = unrolled_network(reg.model_)
    phases = {d.label: d.phases for d in network.directions}
    # copies of the weights: nothing is ever written back to the model
    weights = [np.array(v.numpy()) for v in reg.model_.trainable_variables]
    n = x.shape[0]
    horizon = network.horizon
    pullback = pullback_function(network)
    chunk = min(n, CHUNK_WINDOWS)
    # one weighting per forecast step: the rows of each window's Jacobian
    cotangents = np.broadcast_to(np.eye(horizon, dtype=np.float32)[:, None, :],
                                 (horizon, chunk, horizon)).copy()
    flow_sums, gate_sums, sensitivity = {}, {}, 0.0
    for start in range(0, n, chunk):
        rows = slice(start, min(start + chunk, n))
        m = rows.stop - rows.start
        # every chunk has the same shape (one compilation); padded rows are dropped
        output, gates, d_x, d_eps = pullback(weights, _pad(x[rows], chunk), cotangents)
        weight = None
        if targets is not None:
            # dLoss_i/dh = sum_j dLoss_i/dyhat_ij * dyhat_ij/dh, Loss_i the window's MSE
            weight = 2.0 * (output[:m] - targets[rows]) / horizon
        for label, d in d_eps.items():
            # (k, n * phases, steps, units) -> (k, n, phases, steps, units), real rows
            d = d.reshape(d.shape[0], chunk, phases[label], *d.shape[2:])[:, :m]
            if weight is None:  # the Frobenius norm of the forecast's Jacobian
                norms = np.sqrt(np.sum(np.square(d), axis=(0, 4)))
            else:
                norms = np.linalg.norm(np.einsum("ij,jiptu->iptu", weight, d), axis=-1)
            flow_sums[label] = flow_sums.get(label, 0.0) + norms.mean(axis=1).sum(axis=0)
        sensitivity = sensitivity + np.abs(d_x[:, :m]).sum(axis=1)
        for key, values in gates.items():
            label = key.rsplit("/", 1)[0]
            values = values.reshape(chunk, phases[label], -1)[:m].mean(axis=1)
            gate_sums[key] = gate_sums.get(key, 0.0) + values.sum(axis=0)
    flow = describe_flow(network.directions,
                         [flow_sums[d.label] / n for d in network.directions])
    memory = describe_memory(sensitivity / n, normalize=subject.info.get("normalize"),
                             season_length=subject.info.get("season_length"))
    # in the order of the layers and of the cell's equations (not the backend's key order)
    gates = {key: gate_sums[key] / n for d in network.directions for gate in GATES[d.cell]
             if (key := f"{d.label}/{gate}") in gate_sums}
    clipping = None
    probe = loss_probe_function(network)
    if targets is not None and probe is not None:
        clipping = _clipping_now(probe, weights, x, targets, reg, probe_sample)
    training = describe_training(getattr(reg, "history_", {}), clipnorm=reg.clipnorm,
                                 clipping_now=clipping)
    info = dict(subject.info, quantity="loss" if targets is not None else "forecast")
    found = findings(info, flow, memory, training)
    return Explanation(info=info, flow=flow, memory=memory, gates=gates, training=training,
                       findings=found, verdict=verdict_line(found, flow, memory))


def _pad(array, rows):
    if array.shape[0] == rows:
        return array
    padding = np.zeros((rows - array.shape[0],) + array.shape[1:], array.dtype)
    return np.concatenate([array, padding])


def _clipping_now(probe, weights, x, targets, reg, probe_sample):
    """Gradient norms of the loss at the fitted weights on batches of ``batch_size`` windows,
    and how many variables Keras' ``clipnorm`` would clip on them."""
    norms = []
    for rows in probe_sample(x.shape[0], reg.batch_size, n_batches=max(1, x.shape[0])):
        norms.append(probe(weights, x[rows], targets[rows])[1])
    norms = np.stack(norms)
    result = {"n_batches": len(norms), "n_variables": int(norms.shape[1]),
              "gradient_norm": float(np.mean(np.sqrt(np.sum(norms**2, axis=1))))}
    if reg.clipnorm is not None:
        clipped = norms > reg.clipnorm
        result.update(clip_fraction=float(np.mean(clipped)),
                      clip_steps=float(np.mean(np.any(clipped, axis=1))),
                      clipped=int(np.sum(clipped)))
    return result


def _plain(value):
    """JSON-ready: numpy to Python, non-finite floats to None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


class Explanation:
    """What :func:`explain` found: numbers, a summary, plots and a verdict.

    Attributes
    ----------
    info : dict
        What was explained: model, cell, units, window, outputs, the windows used
        (``data``, ``n_windows``) and whether gradients are of the ``"loss"`` (targets
        known) or of the ``"forecast"``.
    flow : dict
        Gradient flow per encoder direction (see
        :mod:`~tsforecast.diagnostics.gradient_flow`): ``ratio``, ``vanish_lag``,
        ``norms`` (per step, oldest input first).
    memory : dict
        Effective memory (see :mod:`~tsforecast.diagnostics.memory`).
    gates : dict of str to numpy.ndarray of shape (window,)
        ``"<direction>/<gate>"``: mean activation per step (LSTM: input, forget, output;
        GRU: update, reset).
    training : dict
        Training health (see :mod:`~tsforecast.diagnostics.training_health`).
    findings : list of dict
        ``{"level", "text"}``, most serious first.
    verdict : str
        One line.
    """

    def __init__(self, *, info, flow, memory, gates, training, findings, verdict):
        self.info = info
        self.flow = flow
        self.memory = memory
        self.gates = gates
        self.training = training
        self.findings = findings
        self.verdict = verdict

    def __repr__(self):
        return f"<Explanation of {self.info['model']}: {self.verdict}>"

    def to_frame(self):
        """Every number as a tidy table.

        Returns
        -------
        pandas.DataFrame
            Columns ``aspect`` (``"gradient_flow"``, ``"sensitivity"``, ``"gate"``,
            ``"training"``), ``name`` (direction, gate or history series), ``step``
            (forecast step for the sensitivity, epoch for training, else 0), ``lag``
            (window steps before the forecast origin, 1 = the last input; for a seq2seq
            decoder, decoder steps before its last; 0 for training) and ``value``.
        """
        import pandas as pd

        rows = []
        for label, f in self.flow.items():
            rows += [("gradient_flow", label, 0, int(lag), v)
                     for lag, v in zip(lags(f, len(f["norms"])), f["norms"])]
        by_lag = self.memory["sensitivity_by_lag"]
        for j, values in enumerate(by_lag, start=1):
            rows += [("sensitivity", "forecast", j, k, v) for k, v in enumerate(values, start=1)]
        for name, values in self.gates.items():
            f = self.flow[name.rsplit("/", 1)[0]]
            rows += [("gate", name, 0, int(lag), float(v))
                     for lag, v in zip(lags(f, len(values)), values)]
        for name, values in self.training["history"].items():
            rows += [("training", name, e, 0, v) for e, v in enumerate(values, start=1)]
        frame = pd.DataFrame(rows, columns=["aspect", "name", "step", "lag", "value"])
        return frame.astype({"value": float})

    def summary(self):
        """The findings as a JSON-ready dict (non-finite numbers as ``None``)."""
        memory = {k: v for k, v in self.memory.items() if k != "sensitivity_by_lag"}
        memory["sensitivity_by_lag"] = self.memory["sensitivity_by_lag"]
        training = {k: v for k, v in self.training.items()}
        return _plain({
            "model": self.info["model"],
            "network": {k: self.info[k] for k in ("cell_name", "units", "bidirectional", "head",
                                                   "highway", "window", "n_features",
                                                   "n_outputs")},
            "data": {k: self.info.get(k) for k in ("data", "n_windows", "n_windows_available",
                                                     "quantity", "normalize", "season_length",
                                                     "member", "strategy")},
            "gradient_flow": self.flow,
            "memory": memory,
            "gates": self.gates,
            "training": training,
            "findings": self.findings,
            "verdict": self.verdict,
        })

    def plot(self, path=None):
        """Draw the explanation: one figure per aspect and a one-page summary.

        Parameters
        ----------
        path : str or os.PathLike, optional
            Where to save the one-page summary (the format follows the suffix, e.g.
            ``.png``); the other figures are returned to be saved as wished.

        Returns
        -------
        dict of str to matplotlib.figure.Figure
            ``"gradient_flow"``, ``"memory"``, ``"gates"`` (LSTM and GRU), ``"training"``
            and ``"summary"``.
        """
        from tsforecast.diagnostics.plots import explanation_figures

        figures = explanation_figures(self)
        if path is not None:
            figures["summary"].savefig(path, dpi=110)
        return figures

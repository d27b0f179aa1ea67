"""The verdict: what the numbers of an explanation mean, in one line and a few findings.

Findings come in three levels, most serious first: ``"problem"`` (training diverged,
exploding gradients), ``"advice"`` (recurrent layers that do not reach the forecast,
gradients that vanish before the oldest quarter of the window, a window longer or shorter
than what the network uses, frequent clipping) and ``"note"`` (gradients that vanish in the
oldest quarter only, learning-rate reductions, early stopping, seasonal peaks). The verdict
line is the first problem or advice, or a line saying that nothing is wrong.

The vanishing lag of the verdict is the one of the layer that reads the window step by
step (:func:`~tsforecast.diagnostics.gradient_flow.input_layer`), the largest over its
directions: a bidirectional layer reaches an input when either direction does. Exploding
gradients are looked for in every encoder direction.
"""

from tsforecast.diagnostics.gradient_flow import EXPLODE_RATIO, input_layer

__all__ = ["VANISH_ADVICE_SHARE", "findings", "verdict_line"]

#: Vanishing gradients are advice when they vanish before this share of the window (and a
#: note beyond it).
VANISH_ADVICE_SHARE = 0.75
_LEVELS = ("problem", "advice", "note")

_VANISH_ADVICE = {
    "simple": "an LSTM or GRU remembers further, or a shorter window may do as well",
    "lstm": "a GRU or a shorter window may do as well",
    "gru": "a shorter window may do as well",
}


def _percent(share):
    return f"{100 * share:.0f}%"


def findings(info, flow, memory, training):
    """The findings of an explanation, most serious first: a list of ``{"level", "text"}``."""
    found = []

    def add(level, text):
        found.append({"level": level, "text": text})

    window = info["window"]
    bad = training.get("first_bad_epoch")
    if bad is not None:
        keys = ", ".join(k for k, e in training["nonfinite"].items() if e == bad)
        add("problem", f"training diverged: {keys} became NaN or infinite at epoch {bad}; "
                       "scale the data, lower learning_rate or keep clipnorm set")
    exploding = {label: f["ratio"] for label, f in flow.items()
                 if f["role"] == "encoder" and f["ratio"] > EXPLODE_RATIO}
    if exploding:
        label, ratio = max(exploding.items(), key=lambda item: item[1])
        add("problem", f"gradients explode ({label}: first-to-last-step ratio {ratio:.3g}): "
                       "keep clipnorm set and lower learning_rate or the recurrent weights")
    silent = not any(f["reaches"] for f in flow.values() if f["role"] == "encoder")
    if silent:
        source = ("it is the linear highway's alone, a linear autoregression on the window"
                  if info.get("highway") else "the network forecasts the same values for every window")
        add("advice", f"the recurrent layers do not reach the forecast (zero gradient at "
                      f"every step): {source}")
    lags = [f["vanish_lag"] for f in input_layer(flow)]
    if not exploding and not silent and all(lag is not None for lag in lags):
        lag = max(lags)
        # vanishing in the oldest quarter of the window only is no reason to change it
        level = "advice" if lag < VANISH_ADVICE_SHARE * window else "note"
        if info.get("highway"):
            add(level, f"gradients through the recurrent layers vanish beyond lag {lag}: "
                       "older inputs reach the forecast through the linear highway only")
        elif level == "advice":
            add(level, f"gradients vanish beyond lag {lag}: {_VANISH_ADVICE[info['cell']]}")
        else:
            add(level, f"gradients vanish beyond lag {lag} of the window of {window}")
    effective, recommended = memory["effective_memory"], memory["recommended_window"]
    if effective >= window > 1:
        add("advice", f"the forecast uses its whole window of {window}: a longer window "
                      "may help")
    elif recommended < window and effective <= window // 2:
        add("advice", f"the forecast uses the last {effective} of its {window} inputs "
                      f"({_percent(memory['mass'])} of the sensitivity): a window of "
                      f"{recommended} may do as well")
    if training.get("frequent_clipping"):
        share = max(s for s in (training.get("mean_clip_fraction"),
                                (training.get("clipping_now") or {}).get("clip_fraction"))
                    if s is not None)
        add("advice", f"gradient clipping fires on {_percent(share)} of the gradients: "
                      "lower learning_rate or scale the data")
    changes = training.get("learning_rate_changes") or []
    if changes:
        add("note", f"learning rate reduced {len(changes)} time(s), to {changes[-1][1]:.3g} "
                    f"at epoch {changes[-1][0]}")
    n_epochs, best = training.get("n_epochs"), training.get("best_epoch")
    if n_epochs and best and best < n_epochs:
        add("note", f"the monitored loss was best at epoch {best} of {n_epochs}")
    if memory.get("peaks_at_season_multiples"):
        add("note", f"the sensitivity peaks at lag(s) {', '.join(map(str, memory['peaks']))} "
                    f"from the target: multiples of the season ({memory['season_length']})")
    return sorted(found, key=lambda finding: _LEVELS.index(finding["level"]))


def verdict_line(found, flow, memory):
    """The first problem or advice, or what a healthy network looks like."""
    for finding in found:
        if finding["level"] in ("problem", "advice"):
            return finding["text"]
    layer = input_layer(flow)
    lags = [f["vanish_lag"] for f in layer]
    reach = ("the start of the window" if any(lag is None for lag in lags)
             else f"lag {max(lags)} of {memory['window']}")
    return (f"healthy: gradients reach {reach} (first-to-last-step ratio "
            f"{layer[0]['ratio']:.3g}) and the forecast uses the last "
            f"{memory['effective_memory']} of its {memory['window']} inputs")

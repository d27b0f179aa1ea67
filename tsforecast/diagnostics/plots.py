"""Figures of an explanation: one per aspect, a one-page summary, and networks side by side.

Figures are made with :class:`matplotlib.figure.Figure` and the Agg canvas (no pyplot, no
window, safe in threads). Every panel draws time from left to right: the oldest input of
the window on the left, lag 1 (the last input) on the right.
"""

import textwrap

import numpy as np

from tsforecast.diagnostics.gradient_flow import lags

__all__ = ["explanation_figures", "plot_comparison"]

_GATE_STYLES = {"input": "-", "forget": "--", "output": ":", "update": "--", "reset": "-"}


def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _lag_axis(axes, window):
    axes.set_xlim(window + 0.5, 0.5)
    axes.set_xlabel("lag (steps before the forecast origin)")
    axes.grid(alpha=0.3)


def draw_flow(axes, explanation, *, legend=True):
    """Gradient norm per step and direction, log scale."""
    window = explanation.info["window"]
    silent = []
    for label, flow in explanation.flow.items():
        if flow["role"] != "encoder":
            continue
        if not flow["reaches"]:
            silent.append(label)
            continue
        norms = np.asarray(flow["norms"], dtype=float)
        shown = np.where(norms > 0, norms, np.nan)
        axes.semilogy(lags(flow, norms.size), shown, lw=1.6, marker="." if flow["stride"] > 1
                      else None, label=f"{label} (ratio {flow['ratio']:.2g})")
    if silent:
        axes.set_yscale("log")
        message = textwrap.fill(f"no gradient reaches {', '.join(silent)}: the forecast does "
                                "not depend on its states", 40)
        axes.text(0.5, 0.5, message, transform=axes.transAxes, ha="center", va="center",
                  fontsize="small", color="tab:red", in_layout=False)
    quantity = "loss" if explanation.info.get("quantity") == "loss" else "forecast"
    axes.set_ylabel(f"mean ||d {quantity} / d h_t||")
    axes.set_title("Gradient flow through time", fontsize="medium")
    _lag_axis(axes, window)
    if legend and axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize="small")


def draw_profile(axes, explanation, *, label=None):
    """Sensitivity by distance from the forecast target, with the effective memory."""
    memory = explanation.memory
    profile = np.asarray(memory["profile"], dtype=float)
    distance = np.arange(1, profile.size + 1)
    axes.plot(distance, profile, lw=1.6, label=label)
    m = memory.get("season_length")
    if m:
        for multiple in range(m, profile.size + 1, m):
            axes.axvline(multiple, color="grey", lw=0.8, ls=":")
    axes.axvline(memory["effective_memory"], color="tab:red", lw=1.0, ls="--")
    axes.set_xlim(profile.size + 0.5, 0.5)
    axes.set_xlabel("lag from the forecast target")
    axes.set_ylabel("share of |d yhat / d x|")
    axes.set_title(f"Effective memory: {memory['effective_memory']} of "
                   f"{memory['window']} inputs ({memory['mass']:.0%} of the sensitivity)",
                   fontsize="medium")
    axes.grid(alpha=0.3)


def draw_heatmap(axes, explanation):
    """Sensitivity per forecast step and lag, each step scaled to its maximum."""
    by_lag = np.asarray(explanation.memory["sensitivity_by_lag"], dtype=float)
    top = by_lag.max(axis=1, keepdims=True)
    shares = np.divide(by_lag, top, out=np.zeros_like(by_lag), where=top > 0)
    window = by_lag.shape[1]
    axes.imshow(shares, aspect="auto", cmap="viridis", origin="lower",
                extent=(window + 0.5, 0.5, 0.5, by_lag.shape[0] + 0.5))
    axes.set_xlabel("lag (steps before the forecast origin)")
    axes.set_ylabel("forecast step")
    axes.set_title("Sensitivity |d yhat_j / d x_lag| (per step)", fontsize="medium")


def draw_gates(axes, explanation, directions=None):
    """Mean gate activation per step."""
    window = explanation.info["window"]
    for name, values in explanation.gates.items():
        direction, gate = name.rsplit("/", 1)
        flow = explanation.flow[direction]
        if flow["role"] != "encoder" or (directions is not None and direction not in directions):
            continue
        axes.plot(lags(flow, len(values)), values, ls=_GATE_STYLES.get(gate, "-"), lw=1.4,
                  label=name)
    axes.set_ylim(0, 1)
    axes.set_ylabel("mean activation")
    axes.set_title("Gates", fontsize="medium")
    _lag_axis(axes, window)
    axes.legend(fontsize="x-small", ncol=2)


def draw_loss(axes, explanation, *, label=None):
    """Training and validation loss per epoch, learning-rate changes marked."""
    history = explanation.training["history"]
    prefix = f"{label}: " if label else ""
    for key, style in (("loss", "-"), ("val_loss", "--")):
        values = np.asarray(history.get(key, []), dtype=float)
        if values.size:
            axes.semilogy(np.arange(1, values.size + 1), values, ls=style, lw=1.4,
                          label=prefix + key)
    for epoch, _ in explanation.training["learning_rate_changes"]:
        axes.axvline(epoch, color="grey", lw=0.8, ls=":")
    bad = explanation.training.get("first_bad_epoch")
    if bad is not None:
        axes.axvline(bad, color="tab:red", lw=1.2)
    axes.set_xlabel("epoch (dotted: learning rate reduced)")
    axes.set_ylabel("loss")
    axes.set_title("Training", fontsize="medium")
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small")


def draw_tracking(axes, explanation):
    """Per-epoch gradient ratios and clipping (``track_gradients=True``)."""
    history = explanation.training["history"]
    for key, values in history.items():
        if key.startswith("gradient_ratio/"):
            axes.semilogy(np.arange(1, len(values) + 1), values, lw=1.4,
                          label=key.removeprefix("gradient_ratio/"))
    axes.set_xlabel("epoch")
    axes.set_ylabel("first/last-step gradient ratio")
    axes.grid(alpha=0.3)
    clip = history.get("clip_fraction")
    if clip:
        twin = axes.twinx()
        twin.plot(np.arange(1, len(clip) + 1), clip, color="black", lw=1.0, ls="--",
                  label="clip fraction")
        twin.set_ylim(0, 1)
        twin.set_ylabel("share of gradients clipped (dashed)")
    axes.set_title("Gradients during training", fontsize="medium")
    axes.legend(fontsize="small")


def _title(explanation):
    info = explanation.info
    units = "x".join(map(str, info["units"]))
    kind = f"{'bidirectional ' if info['bidirectional'] else ''}{info['cell_name']}({units})"
    return f"{info['model']}: {kind}, window {info['window']}"


def explanation_figures(explanation):
    """One figure per aspect and a one-page summary (see :meth:`Explanation.plot`)."""
    figures = {}
    figure = _figure(7, 4)
    draw_flow(figure.add_subplot(), explanation)
    figures["gradient_flow"] = figure

    figure = _figure(11, 4)
    left, right = figure.subplots(1, 2)
    draw_profile(left, explanation)
    draw_heatmap(right, explanation)
    figures["memory"] = figure

    directions = [label for label, f in explanation.flow.items() if f["role"] == "encoder"]
    if explanation.gates:
        figure = _figure(7, 2.6 * len(directions))
        for axes, direction in zip(np.atleast_1d(figure.subplots(len(directions), 1)),
                                   directions):
            draw_gates(axes, explanation, [direction])
        figures["gates"] = figure

    tracked = explanation.training["tracked"]
    figure = _figure(11 if tracked else 7, 4)
    panels = np.atleast_1d(figure.subplots(1, 2 if tracked else 1))
    draw_loss(panels[0], explanation)
    if tracked:
        draw_tracking(panels[1], explanation)
    figures["training"] = figure

    figure = _figure(12, 8)
    grid = figure.subplots(2, 2)
    draw_flow(grid[0, 0], explanation)
    draw_profile(grid[0, 1], explanation)
    if explanation.gates:
        draw_gates(grid[1, 0], explanation, directions[:2])
    else:
        draw_heatmap(grid[1, 0], explanation)
    draw_loss(grid[1, 1], explanation)
    figure.suptitle(f"{_title(explanation)}\n{explanation.verdict}", fontsize="medium")
    figures["summary"] = figure
    return figures


def plot_comparison(explanations, path=None, *, labels=None):
    """Networks side by side: gradient flow, memory and training, one column each.

    Parameters
    ----------
    explanations : sequence of Explanation
    path : str or os.PathLike, optional
        Where to save the figure.
    labels : sequence of str, optional
        Column titles (default: the cell and units of each network).

    Returns
    -------
    matplotlib.figure.Figure
    """
    explanations = list(explanations)
    labels = labels or [_title(e).split(": ", 1)[1] for e in explanations]
    figure = _figure(4.2 * len(explanations), 10)
    grid = np.atleast_2d(figure.subplots(3, len(explanations), squeeze=False))
    for column, (explanation, label) in enumerate(zip(explanations, labels)):
        draw_flow(grid[0, column], explanation)
        grid[0, column].set_title(f"{label}\ngradient flow", fontsize="medium")
        draw_profile(grid[1, column], explanation)
        memory = explanation.memory
        grid[1, column].set_title(f"effective memory: {memory['effective_memory']} of "
                                  f"{memory['window']} inputs", fontsize="medium")
        draw_loss(grid[2, column], explanation)
        grid[2, column].set_xlabel(f"epoch\n\n{textwrap.fill(explanation.verdict, 50)}",
                                   fontsize="small")
    for row in (0, 1):
        low = min(a.get_ylim()[0] for a in grid[row])
        high = max(a.get_ylim()[1] for a in grid[row])
        for axes in grid[row]:
            axes.set_ylim(low, high)
    if path is not None:
        figure.savefig(path, dpi=110)
    return figure

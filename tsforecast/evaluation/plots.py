"""Plots of a comparison: errors by horizon step, and forecasts against the actual values.

Matplotlib is imported only when a plot is drawn, and only its object-oriented API is
used (a ``Figure`` with the Agg canvas), so plotting never touches pyplot's global state
or opens a window.
"""

import pandas as pd

from tsforecast.files import atomic_path
from tsforecast.validation import InputValueError

__all__ = ["plot_comparison"]


def plot_comparison(comparison, kind="horizon", path=None, *, metric=None, series=None,
                    fold=None, models=None):
    """Plot a :class:`~tsforecast.evaluation.Comparison`; see its ``plot`` method.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    models = list(comparison.models if models is None else models)
    unknown = [m for m in models if m not in comparison.models]
    if unknown:
        raise InputValueError(f"Unknown model(s) {unknown}; choose from {comparison.models}.")
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if kind == "horizon":
        _plot_horizon(axes, comparison, metric, models)
    elif kind == "forecast":
        _plot_forecast(axes, comparison, series, fold, models)
    else:
        raise InputValueError(f"`kind`={kind!r} must be 'horizon' or 'forecast'.")
    axes.legend(loc="best", fontsize="small")
    axes.grid(alpha=0.3)
    if path is not None and hasattr(path, "write"):
        figure.savefig(path)
    elif path is not None:
        with atomic_path(path) as temporary:
            figure.savefig(temporary)
    return figure


def _plot_horizon(axes, comparison, metric, models):
    metric = comparison.metrics[0] if metric is None else metric
    if metric not in comparison.metrics:
        raise InputValueError(
            f"`metric`={metric!r} was not computed; choose from {comparison.metrics}."
        )
    table = comparison.by_horizon[metric]
    for model in models:
        axes.plot(table.index, table[model], marker="o", label=model)
    axes.set_xlabel("horizon step")
    axes.set_ylabel(f"mean {metric}")
    axes.set_title(f"{metric} by forecast horizon")


def _plot_forecast(axes, comparison, series, fold, models):
    results = comparison.results
    names = list(dict.fromkeys(results["series"]))
    series = names[0] if series is None else series
    if series not in names:
        raise InputValueError(
            f"`series`={series!r} is not in the comparison; choose from {names[:10]}."
        )
    rows = results[results["series"] == series]
    fold = int(rows["fold"].max()) if fold is None else fold
    rows = rows[rows["fold"] == fold]
    if rows.empty:
        raise InputValueError(f"`fold`={fold!r} has no forecasts for series {series!r}.")
    cutoff = rows["cutoff"].iloc[0]
    history = comparison.data[series].dropna()
    position = history.index.get_loc(cutoff)
    horizon = int(rows["step"].max())
    start = max(0, position + 1 - 3 * max(horizon, comparison.season_length))
    shown = history.iloc[start : position + 1 + horizon]
    axes.plot(shown.index, shown.to_numpy(), color="black", label="actual")
    best = next((m for m in comparison.leaderboard.index if m in models), None)
    for model in models:
        part = rows[rows["model"] == model]
        times = history.index[position + part["step"].to_numpy()]
        axes.plot(times, part["forecast"].to_numpy(), label=model)
        if model == best and part["lower"].notna().all():
            axes.fill_between(
                times,
                part["lower"].to_numpy(),
                part["upper"].to_numpy(),
                alpha=0.2,
                label=f"{model} {comparison.coverage:.0%} interval",
            )
    axes.axvline(cutoff, color="grey", linestyle="--", linewidth=1)
    shown_cutoff = cutoff
    if isinstance(cutoff, pd.Timestamp) and cutoff == cutoff.normalize():
        shown_cutoff = cutoff.date()
    axes.set_title(f"series {series!r}, fold {fold} (cutoff {shown_cutoff})")

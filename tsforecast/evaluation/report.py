"""The outcome of a comparison: leaderboard, errors by horizon, tidy forecasts, exports.

:class:`Collector` gathers the results of the comparison tasks in task order and builds
the tables; :class:`Comparison` holds them, ranks the models (skill relative to seasonal
naive, an OWA-style score relative to naive-2) and exports them as CSV, JSON or Markdown
(files are written whole or not at all) or plots them (:mod:`~tsforecast.evaluation.plots`).
"""

import json
import warnings

import numpy as np
import pandas as pd

from tsforecast.evaluation.backtesting import BACKTEST_COLUMNS, IntervalUnavailableWarning
from tsforecast.evaluation.scoring import horizon_scores
from tsforecast.evaluation.tables import markdown_table
from tsforecast.files import atomic_path
from tsforecast.validation import InputValueError

__all__ = ["Collector", "Comparison"]

_SKILL_REFERENCE = "snaive"
_OWA_REFERENCE = "naive2"


class Collector:
    """Gathers the results of the comparison tasks (in task order), then builds the tables."""

    def __init__(self, specs):
        self.specs = specs
        self.metric_names = [spec.name for spec in specs]
        self.columns = {name: [] for name in ("model",) + BACKTEST_COLUMNS}
        self.score_keys = []
        self.scores = []
        self.row_scores = []
        self.row_scaled = []
        self.timings = []
        self.errors = []
        self.n_errors = 0
        self.notes = []

    def add(self, task, result):
        n_steps, n_series = result["actual"].shape
        n_rows = n_steps * n_series
        c = self.columns
        c["model"].extend([task.model] * n_rows)
        c["series"].extend(np.repeat(np.array(result["series"], dtype=object), n_steps).tolist())
        c["fold"].append(np.full(n_rows, task.fold, dtype=int))
        c["cutoff"].extend([result["cutoff"]] * n_rows)
        c["step"].append(np.tile(result["step"], n_series))
        for key in ("actual", "forecast", "lower", "upper"):
            c[key].append(result[key].T.reshape(-1))
        c["fit_seconds"].append(np.full(n_rows, result["fit_seconds"]))
        c["predict_ms"].append(np.full(n_rows, result["predict_ms"]))
        for series in result["series"]:
            self.score_keys.append((task.model, series, task.fold))
        self.scores.append(result["scores"])
        # one row per forecast, in the order of the results columns (series, then step)
        self.row_scores.append(np.repeat(result["scores"], n_steps, axis=0))
        self.row_scaled.append(result["step_scores"].reshape(-1, len(self.metric_names)))
        self.timings.append(
            (task.model, task.series, task.fold, result["fit_seconds"], result["predict_ms"])
        )
        if result["n_errors"]:
            self.n_errors += result["n_errors"]
            self.errors.extend(f"{task.describe()}: {e}" for e in result["errors"])
        self.notes.extend(f"{task.describe()}: {note}" for note in result["notes"])

    def comparison(self, panel, models, season_length, coverage, cv, global_models):
        c = self.columns
        results = pd.DataFrame(
            {
                name: (
                    np.concatenate(values)
                    if values and isinstance(values[0], np.ndarray)
                    else values
                )
                for name, values in c.items()
            }
        )
        m = len(self.metric_names)
        scores = pd.DataFrame(self.score_keys, columns=["model", "series", "fold"])
        score_values = np.concatenate(self.scores).reshape(-1, m)
        for k, name in enumerate(self.metric_names):
            scores[name] = score_values[:, k]
        by_step = horizon_scores(
            self.specs,
            results,
            np.concatenate(self.row_scores).reshape(-1, m),
            np.concatenate(self.row_scaled).reshape(-1, m),
            coverage,
        )
        timings = pd.DataFrame(
            self.timings, columns=["model", "series", "fold", "fit_seconds", "predict_ms"]
        )
        if self.n_errors:
            warnings.warn(
                f"{self.n_errors} metric value(s) could not be computed and are left out of "
                f"the means (first: {self.errors[0]}).",
                RuntimeWarning,
                stacklevel=3,
            )
        if self.notes:
            warnings.warn(
                f"{len(self.notes)} fold(s) have point forecasts without prediction intervals, "
                "left out of the interval metrics; use a longer series or a shorter window "
                f"or horizon to get them (first: {self.notes[0]}).",
                IntervalUnavailableWarning,
                stacklevel=3,
            )
        return Comparison(
            results=results, scores=scores, horizon_scores=by_step, timings=timings,
            models=models, metrics=self.metric_names, season_length=season_length,
            coverage=coverage, cv=cv, data=panel, global_models=global_models,
        )


class Comparison:
    """The outcome of :func:`~tsforecast.evaluation.compare`: leaderboard, errors, exports.

    Attributes
    ----------
    leaderboard : pandas.DataFrame
        One row per model (index ``model``), best first: for each metric ``m``,
        ``m_mean`` and ``m_median`` over all series and folds; ``rank`` (by the mean of
        the first metric, lowest first, 1 = best; for ``coverage`` by its distance to
        the nominal coverage); ``skill_m`` = ``1 - mean(m) / mean(m of snaive)``
        (positive = better than seasonal naive); ``owa`` = the mean over the metrics of
        ``mean(m) / mean(m of naive2)`` (with ``("mase", "smape")`` this is the M4 overall
        weighted average; below 1 = better than naive-2; coverage is left out of skill and
        OWA); ``n_series``,
        ``n_folds``; ``fit_seconds`` (total fitting time over all series and folds) and
        ``predict_ms`` (mean time of one predict call).
    by_horizon : pandas.DataFrame
        Each metric for each lead time over all series and folds: index ``step``,
        columns ``(metric, model)``. Point and interval metrics are computed on all
        forecasts of that step (``rmse`` is the root of their mean squared error);
        scaled metrics average each forecast's scaled error (``rmsse``: root of the mean
        squared scaled error).
    results : pandas.DataFrame
        The tidy forecasts: ``model`` plus the columns of
        :func:`~tsforecast.evaluation.backtest`.
    scores : pandas.DataFrame
        Each metric per model, series and fold.
    timings : pandas.DataFrame
        One row per fit: model, series (None for a global model), fold, fit_seconds,
        predict_ms.
    data : pandas.DataFrame
        The compared panel (wide, one column per series).
    """

    def __init__(
        self,
        *,
        results,
        scores,
        horizon_scores,
        timings,
        models,
        metrics,
        season_length,
        coverage,
        cv,
        data,
        global_models,
    ):
        self.results = results
        self.scores = scores
        self.timings = timings
        self.models = models
        self.metrics = metrics
        self.season_length = season_length
        self.coverage = coverage
        self.cv = cv
        self.global_models = global_models
        self.data = data
        self.by_horizon = self._by_horizon(horizon_scores)
        self.leaderboard = self._leaderboard()

    def __repr__(self):
        return (
            f"Comparison({len(self.models)} models, {self.scores['series'].nunique()} series, "
            f"metrics={self.metrics})\n{self.leaderboard}"
        )

    def _by_horizon(self, horizon_scores):
        table = horizon_scores.set_index(["model", "step"])[list(self.metrics)]
        wide = table.unstack("model")
        order = [model for model in self.models if model in wide.columns.get_level_values(1)]
        wide = wide.reindex(columns=pd.MultiIndex.from_product([self.metrics, order]))
        wide.columns.names = ["metric", "model"]
        return wide.sort_index()

    def _leaderboard(self):
        grouped = self.scores.groupby("model", sort=False)
        board = pd.DataFrame(index=pd.Index(self.models, name="model"))
        for name in self.metrics:
            board[f"{name}_mean"] = grouped[name].mean()
            board[f"{name}_median"] = grouped[name].median()
        key = board[f"{self.metrics[0]}_mean"]
        if self.metrics[0] == "coverage":
            # neither wider nor narrower than promised: closest to the nominal coverage
            nominal = np.nan if self.coverage is None else self.coverage
            key = (key - nominal).abs()
        board["rank"] = key.rank(method="min").astype("Int64")
        if _SKILL_REFERENCE in board.index:
            for name in self.metrics:
                if name == "coverage":
                    continue
                reference = board.loc[_SKILL_REFERENCE, f"{name}_mean"]
                board[f"skill_{name}"] = 1.0 - board[f"{name}_mean"] / reference
        if _OWA_REFERENCE in board.index:
            relative = [
                board[f"{name}_mean"] / board.loc[_OWA_REFERENCE, f"{name}_mean"]
                for name in self.metrics
                if name != "coverage"
            ]
            if relative:
                board["owa"] = sum(relative) / len(relative)
        board["n_series"] = grouped["series"].nunique()
        board["n_folds"] = grouped["fold"].nunique()
        timing = self.timings.groupby("model", sort=False)
        board["fit_seconds"] = timing["fit_seconds"].sum()
        board["predict_ms"] = timing["predict_ms"].mean()
        board["_order"] = np.arange(len(board))
        board = board.sort_values(["rank", "_order"], na_position="last").drop(columns="_order")
        return board

    # ---------------------------------------------------------------- exports
    def _table(self, what):
        tables = {
            "leaderboard": lambda: self.leaderboard.reset_index(),
            "by_horizon": lambda: _flat_columns(self.by_horizon).reset_index(),
            "results": lambda: self.results,
            "scores": lambda: self.scores,
        }
        if what not in tables:
            raise InputValueError(f"`what`={what!r} must be one of {sorted(tables)}.")
        return tables[what]()

    def to_csv(self, path=None, *, what="leaderboard"):
        """Write one table as CSV (``what`` in leaderboard, by_horizon, results, scores).

        Returns the CSV text when ``path`` is None, like ``DataFrame.to_csv``.
        """
        text = self._table(what).to_csv(index=False)
        return text if path is None else _write(path, text)

    def to_json(self, path=None):
        """Write the leaderboard, the errors by horizon and the settings as one JSON object.

        Returns the JSON text when ``path`` is None. NaN values become ``null``.
        """
        document = {
            "metrics": list(self.metrics),
            "season_length": self.season_length,
            "coverage": self.coverage,
            "cv": repr(self.cv),
            "leaderboard": json.loads(self._table("leaderboard").to_json(orient="records")),
            "by_horizon": json.loads(self._table("by_horizon").to_json(orient="records")),
        }
        text = json.dumps(document, indent=2)
        return text if path is None else _write(path, text + "\n")

    def to_markdown(self, path=None, *, what="leaderboard", digits=3):
        """Format one table as a GitHub-flavoured Markdown table.

        Parameters
        ----------
        path : str or path-like, optional
            File to write; the text is returned when None.
        what : {"leaderboard", "by_horizon", "results", "scores"}, default="leaderboard"
        digits : int, default=3
            Decimal places of floating-point values.
        """
        text = markdown_table(self._table(what), digits=digits)
        return text if path is None else _write(path, text + "\n")

    # ------------------------------------------------------------------ plots
    def plot(self, kind="horizon", path=None, *, metric=None, series=None, fold=None, models=None):
        """Plot errors by horizon step, or forecasts against actuals for one series.

        Parameters
        ----------
        kind : {"horizon", "forecast"}, default="horizon"
            ``"horizon"``: the mean of ``metric`` at each lead time, one line per model.
            ``"forecast"``: the history, the actual values and each model's forecast (with
            the interval of the best model) for one series and fold.
        path : str or path-like, optional
            Save the figure there (format from the extension, e.g. ``.png``, ``.svg``).
        metric : str, optional
            Metric of the horizon plot; defaults to the first metric.
        series : optional
            Series of the forecast plot; defaults to the first one.
        fold : int, optional
            Fold of the forecast plot; defaults to the last one.
        models : list of str, optional
            Models to draw; defaults to all.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from tsforecast.evaluation.plots import plot_comparison

        return plot_comparison(
            self, kind, path, metric=metric, series=series, fold=fold, models=models
        )


def _flat_columns(frame):
    frame = frame.copy()
    frame.columns = [f"{metric}_{model}" for metric, model in frame.columns]
    return frame


def _write(path, text):
    """Write ``text`` to an open file, or to the file ``path``, whole or not at all."""
    if hasattr(path, "write"):
        path.write(text)
        return
    with atomic_path(path) as temporary, \
            open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)

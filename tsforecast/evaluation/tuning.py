"""Hyper-parameter search scored by rolling-origin backtests.

scikit-learn's ``GridSearchCV`` scores a candidate on shuffled or windowed rows; a
forecaster must instead be scored the way it will be used: refitted on the past and
judged on the values that follow, at every fold of a :class:`RollingOriginSplit`.
:func:`tune` does that for every candidate of a grid (or a random sample of one), on one
series or many, with the same parallel backends as :func:`~tsforecast.evaluation.compare`
(each candidate is compared as one model).
"""

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid, ParameterSampler

from tsforecast.evaluation.comparison import compare
from tsforecast.evaluation.report import Comparison
from tsforecast.forecasting.layout import as_long_panel
from tsforecast.validation import InputValueError, check_int

__all__ = ["TuningResult", "tune"]


@dataclasses.dataclass(kw_only=True, eq=False)
class TuningResult:
    """The outcome of :func:`tune`.

    Attributes
    ----------
    best_params_ : dict
        The candidate with the lowest mean backtest error (the first one on ties).
    best_score_ : float
        Its mean error over all series and folds.
    best_forecaster_ : forecaster or None
        A clone with ``best_params_``, refitted on all the data (None when ``refit=False``).
    cv_results_ : pandas.DataFrame
        One row per candidate, in search order: ``params``, one ``param_<name>`` column per
        parameter, ``mean_<metric>``, ``median_<metric>``, ``std_<metric>`` (over series and
        folds), ``split<k>_<metric>`` (fold ``k``, mean over series), ``rank_<metric>``,
        ``fit_seconds`` (total) and ``predict_ms`` (mean per call).
    comparison_ : Comparison
        The underlying comparison (candidates named ``candidate_<i>``), with the tidy
        forecasts of every candidate.
    metric : str
        The metric that was minimised.
    """

    best_params_: dict
    best_score_: float
    best_forecaster_: Any
    cv_results_: pd.DataFrame
    comparison_: Comparison
    metric: str

    def __repr__(self):
        return (
            f"TuningResult(best_params_={self.best_params_!r}, "
            f"best_score_={self.best_score_:.4g} ({self.metric}), "
            f"{len(self.cv_results_)} candidates)"
        )


def tune(
    forecaster,
    param_grid=None,
    y=None,
    cv=None,
    metric="mase",
    *,
    param_distributions=None,
    n_iter=None,
    random_state=None,
    n_jobs=1,
    backend="loky",
    address=None,
    season_length=None,
    refit=True,
    progress=None,
):
    """Grid or random search over forecaster parameters, scored by rolling-origin backtest.

    Every candidate is a clone of ``forecaster`` with the candidate's parameters set,
    refitted on each fold of ``cv`` (on each series) and scored on the following values.
    The best candidate has the lowest mean of ``metric`` over all series and folds.

    Parameters
    ----------
    forecaster : BaseForecaster
        The template; nested parameters use scikit-learn's ``a__b`` names.
    param_grid : dict or list of dicts
        Without ``n_iter``: the grid, as for ``sklearn.model_selection.ParameterGrid``.
        With ``n_iter``: the distributions to sample, as for ``ParameterSampler`` (lists
        are sampled uniformly, ``scipy.stats`` distributions through ``rvs``).
    y : pandas.Series, pandas.DataFrame or LongPanel
        One series, a wide frame, or long data (``unique_id, ds, y`` or a
        :class:`~tsforecast.forecasting.layout.LongPanel`); ``best_forecaster_`` is refitted
        on it as given, so its forecasts come back in the same layout.
    cv : RollingOriginSplit or scikit-learn splitter
        The backtest folds, e.g. ``RollingOriginSplit(n_folds=3, horizon=12)``.
    metric : str or callable, default="mase"
        A lower-is-better metric (name from :data:`~tsforecast.evaluation.metrics.METRICS` or a
        function, see :func:`~tsforecast.evaluation.compare`).
    param_distributions : dict or list of dicts, optional
        Alternative to ``param_grid`` for a random search (``n_iter`` defaults to 10).
    n_iter : int, optional
        Number of random candidates; ``None`` searches the whole grid.
    random_state : int, optional
        Seed of the random search.
    n_jobs, backend, address, season_length
        As in :func:`~tsforecast.evaluation.compare`.
    progress : callable or bool, optional
        A function ``progress(done, total)`` called before the first backtest task and
        after each (candidate x series x fold); ``True`` draws a text bar on standard
        error (see :func:`~tsforecast.evaluation.compare`).
    refit : bool, default=True
        Refit the best candidate on all of ``y`` (``best_forecaster_``); series of a
        panel that end at different times are each forecast from their own end.

    Returns
    -------
    TuningResult

    Examples
    --------
    >>> from tsforecast.statistical import SeasonalNaive
    >>> from tsforecast.datasets import load_air_passengers
    >>> from tsforecast.evaluation import RollingOriginSplit
    >>> result = tune(SeasonalNaive(), {"season_length": [1, 6, 12]}, load_air_passengers(),
    ...               RollingOriginSplit(n_folds=3, horizon=12), metric="mae")
    >>> result.best_params_
    {'season_length': 12}
    """
    if metric == "coverage":
        raise InputValueError(
            "`metric`='coverage' is not an error to minimise; tune on 'interval_score' to "
            "reward well-calibrated, narrow intervals."
        )
    if (param_grid is None) == (param_distributions is None):
        raise InputValueError(
            "Pass exactly one of `param_grid` (grid search, or random search with `n_iter`) "
            "and `param_distributions` (random search)."
        )
    if y is None or cv is None:
        raise InputValueError(
            "tune needs the data `y` and the folds `cv`, e.g. "
            "`cv=RollingOriginSplit(n_folds=3, horizon=12)`."
        )
    if param_distributions is not None:
        param_grid, n_iter = param_distributions, 10 if n_iter is None else n_iter
    if n_iter is None:
        candidates = list(ParameterGrid(param_grid))
    else:
        n_iter = check_int(n_iter, "n_iter", example=10,
                           meaning="the number of random candidates; None: the full grid")
        candidates = list(ParameterSampler(param_grid, n_iter, random_state=random_state))
    if not candidates:
        raise InputValueError(
            "`param_grid` gives no candidate; pass e.g. {'season_length': [1, 12]}."
        )
    valid = forecaster.get_params(deep=True)
    for params in candidates:
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise InputValueError(
                f"{type(forecaster).__name__} has no parameter(s) {unknown}; valid names are "
                f"{sorted(valid)}."
            )
    models = {
        f"candidate_{i}": clone(forecaster).set_params(**params)
        for i, params in enumerate(candidates)
    }
    comparison = compare(
        models,
        y,
        cv,
        metrics=(metric,),
        n_jobs=n_jobs,
        backend=backend,
        address=address,
        progress=progress,
        coverage=None,
        season_length=season_length,
        baselines=False,
    )
    name = comparison.metrics[0]
    results = _cv_results(comparison, candidates, name)
    means = results[f"mean_{name}"].to_numpy(dtype=float)
    if np.isnan(means).all():
        raise InputValueError(
            f"No candidate could be scored with {name!r} (every value was undefined); pick "
            "another metric, e.g. metric='mae'."
        )
    best = int(np.nanargmin(means))
    best_params = candidates[best]
    best_forecaster = None
    if refit:
        best_forecaster = clone(forecaster).set_params(**best_params)
        fit_data = comparison.data
        if as_long_panel(y) is not None:  # long in, long out
            best_forecaster.fit(y)
        else:
            best_forecaster.fit(fit_data.iloc[:, 0] if fit_data.shape[1] == 1 else fit_data)
    return TuningResult(
        best_params_=best_params,
        best_score_=float(means[best]),
        best_forecaster_=best_forecaster,
        cv_results_=results,
        comparison_=comparison,
        metric=name,
    )


def _cv_results(comparison, candidates, name):
    scores = comparison.scores
    keys = [f"candidate_{i}" for i in range(len(candidates))]
    grouped = scores.groupby("model", sort=False)[name]
    table = pd.DataFrame({"params": candidates}, index=pd.Index(keys, name="candidate"))
    for param in sorted({p for params in candidates for p in params}):
        table[f"param_{param}"] = [params.get(param, np.nan) for params in candidates]
    table[f"mean_{name}"] = grouped.mean().reindex(keys)
    table[f"median_{name}"] = grouped.median().reindex(keys)
    table[f"std_{name}"] = grouped.std(ddof=0).reindex(keys)
    per_fold = scores.groupby(["model", "fold"], sort=False)[name].mean().unstack("fold")
    for fold in per_fold.columns:
        table[f"split{fold}_{name}"] = per_fold[fold].reindex(keys)
    table[f"rank_{name}"] = table[f"mean_{name}"].rank(method="min").astype("Int64")
    timings = comparison.timings.groupby("model", sort=False)
    table["fit_seconds"] = timings["fit_seconds"].sum().reindex(keys)
    table["predict_ms"] = timings["predict_ms"].mean().reindex(keys)
    return table.reset_index(drop=True)

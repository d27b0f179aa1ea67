"""``tsforecast compare DATA.csv --models ...``: rolling-origin backtest leaderboard."""

import math
from pathlib import Path

import click
from tsforecast.cli.common import (
    atomic_output,
    captured_warnings,
    check_writable,
    is_positive,
    read_data,
    series_lengths,
    use_compilation_cache,
)
from tsforecast.cli.options import (
    DataFile,
    Fraction,
    ModelNames,
    PositiveInt,
    data_options,
    network_options,
    network_settings,
    output_options,
)
from tsforecast.cli.output import (
    click_progress,
    emit_json,
    format_number,
    format_percent,
    format_table,
    note,
    result,
    settings,
)

from tsforecast.defaults import COMPARE_MODELS, default_horizon

DEFAULT_MODELS = ",".join(COMPARE_MODELS)
_METRIC_LABELS = {"mase": "MASE", "rmsse": "RMSSE", "mae": "MAE", "rmse": "RMSE",
                  "smape": "sMAPE", "mape": "MAPE"}
_EXPORTS = {".csv": "csv", ".json": "json", ".md": "markdown", ".markdown": "markdown"}


def _jobs(ctx, param, value):
    if value == 0:
        raise click.BadParameter("0 workers cannot run anything; pass 1 (serial), a number of "
                                 "processes, or -1 for all cores.")
    return value


@click.command()
@click.argument("data", type=DataFile())
@data_options
@click.option("--models", type=ModelNames(), default=DEFAULT_MODELS, show_default=True,
              help="Comma-separated models: naive, snaive, drift, mean, naive2, arima, "
                   "autoarima, ets, theta, auto, simple, lstm, gru, global-simple, global-lstm, "
                   "global-gru. auto is the default network of `tsforecast fit` (5 small "
                   "LSTMs correcting a seasonal-naive base, log scale for a positive series); "
                   "simple, lstm and gru are plain configurable networks. Seasonal naive and "
                   "naive-2 are always added as references.")
@network_options
@click.option("--folds", type=PositiveInt("backtest origins", 3), default=3, show_default=True,
              help="Number of rolling forecast origins.")
@click.option("--horizon", type=PositiveInt("steps ahead to forecast", 12),
              help="Forecast horizon of every fold (default: one season).")
@click.option("--season-length", type=PositiveInt("periods per seasonal cycle", 12),
              help="Seasonal period (default: from the frequency).")
@click.option("--metrics", default="mase,smape", show_default=True,
              help="Comma-separated metrics (mae, rmse, mape, smape, mase, rmsse, coverage, "
                   "interval_score); the first ranks the models.")
@click.option("--coverage", type=Fraction(0, 1), default=0.9, show_default=True,
              help="Coverage of the prediction intervals recorded in the results.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True, callback=_jobs,
              help="Parallel worker processes (-1 = all cores).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run on a Dask cluster: a scheduler address (tcp://host:8786) or 'local' "
                   "for a LocalCluster with --jobs workers.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the leaderboard: .csv, .json (with errors by horizon) or .md.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help="Plot the errors by horizon step into an image (e.g. horizon.png).")
@output_options
def compare(data, time_col, target, id_col, fill, sep, date_format, models, seed, folds, horizon,
            season_length, metrics, coverage, jobs, dask_address, output, plot_path):
    """Backtest models on DATA and rank them against baselines.

    DATA is a CSV file or the name of a shipped dataset.
    Every model is refitted at each of --folds rolling origins and forecasts the next
    --horizon values; the leaderboard shows the mean errors, the skill relative to
    seasonal naive and the timings.
    """
    if output is not None:
        check_writable(output, "--output")
        if Path(output).suffix.lower() not in _EXPORTS:
            raise click.BadParameter(
                f"cannot tell the format of '{output}'; use a .csv, .json or .md file name.",
                param_hint="'--output'",
            )
    if plot_path is not None:
        check_writable(plot_path, "--plot")
    metric_names = _metric_names(metrics)
    options = network_settings()

    csv = read_data(data, time_col=time_col, target=target, id_col=id_col, fill=fill, sep=sep,
                    date_format=date_format)
    lengths = series_lengths(csv.y)
    n_obs = min(lengths.values())
    season = int(season_length or csv.season_length or 1)
    horizon = int(horizon or max(1, min(default_horizon(season, n_obs), n_obs // 2 // folds)))
    needed = folds * horizon + max(season, 2) + 1
    if n_obs < needed:
        raise click.UsageError(
            f"the shortest series has {n_obs} values, too few for {folds} folds of horizon "
            f"{horizon} (about {needed} needed); pass a smaller --folds or --horizon."
        )
    use_compilation_cache()
    forecasters = build_forecasters(models, options, season=season, horizon=horizon,
                                    n_obs=n_obs - folds * horizon, seed=seed,
                                    positive=is_positive(csv.y))
    note(f"Season length {season}; horizon {horizon}; {folds} folds; "
         f"models: {', '.join(forecasters)}")

    from tsforecast.evaluation import RollingOriginSplit
    from tsforecast.evaluation import compare as run_compare

    backend, address = "loky", None
    if dask_address is not None:
        backend = "dask"
        address = None if dask_address.strip().lower() == "local" else dask_address
    with captured_warnings(), click_progress("Backtesting") as report:
        comparison = run_compare(
            forecasters, csv.y, RollingOriginSplit(n_folds=folds, horizon=horizon),
            metrics=metric_names, n_jobs=jobs, backend=backend, address=address,
            progress=report, coverage=coverage, season_length=season,
        )
    board = comparison.leaderboard
    if output is not None:
        kind = _EXPORTS[Path(output).suffix.lower()]
        with atomic_output(output) as temporary:
            {"csv": comparison.to_csv, "json": comparison.to_json,
             "markdown": comparison.to_markdown}[kind](temporary)
        note(f"Wrote the leaderboard to '{output}'")
    if plot_path is not None:
        with atomic_output(plot_path) as temporary:
            comparison.plot("horizon", temporary)
        note(f"Saved plot to '{plot_path}'")
    if settings().json:
        import json

        emit_json(json.loads(comparison.to_json()))
        return
    result(leaderboard_text(board, metric_names))


def _metric_names(text):
    from tsforecast.evaluation import METRICS

    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in METRICS]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown metric {unknown[0] if unknown else text!r}; choose from "
            f"{', '.join(sorted(METRICS))}, e.g. --metrics mase,smape.",
            param_hint="'--metrics'",
        )
    return names


def build_forecasters(models, options, *, season, horizon, n_obs, seed, positive=True):
    """Forecasters for ``compare``, keyed by their registry names.

    ``positive``: whether every value is strictly positive (``auto`` then models the log;
    a log model could not be fitted on a fold containing a value <= 0).
    """
    from tsforecast import registry
    from tsforecast.defaults import make_forecaster

    neural = [name for name in models if name in registry.NEURAL]
    if options and not neural:
        note("  note: the network options are ignored: no network in --models.")
    forecasters = {}
    for name in models:
        extra = dict(options) if name in registry.NEURAL else {}
        window = extra.pop("window", None)
        if name == "auto":
            extra["positive"] = positive
        forecasters[name] = make_forecaster(
            name, season_length=season, horizon=horizon, window=window, n_obs=n_obs,
            random_state=seed, **extra,
        )
    return forecasters


def leaderboard_text(board, metric_names):
    """The leaderboard as an aligned text table."""
    headers = ["model", "rank"]
    for name in metric_names:
        headers.append(_METRIC_LABELS.get(name, name))
    skill = f"skill_{metric_names[0]}"
    if skill in board.columns:
        headers.append("vs snaive")
    headers += ["fit s", "predict ms"]
    rows = []
    for model, row in board.iterrows():
        cells = [model, str(row["rank"]) if row["rank"] == row["rank"] else "-"]
        for name in metric_names:
            value = row[f"{name}_mean"]
            cells.append(format_percent(value) if name in ("smape", "mape", "coverage")
                         else format_number(value))
        if skill in board.columns:
            value = row[skill]
            cells.append("-" if math.isnan(value) else f"{100 * value:+.1f}%")
        cells += [format_number(row["fit_seconds"], 2), format_number(row["predict_ms"], 2)]
        rows.append(cells)
    return format_table(rows, headers)

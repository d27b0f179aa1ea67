"""``tsforecast compare DATA.csv --models ...``: rolling-origin backtest leaderboard."""

import math

import click
from tsforecast.cli.common import (
    atomic_output,
    captured_warnings,
    is_positive,
    read_data,
    series_lengths,
    use_compilation_cache,
)
from tsforecast.cli.exports import (
    check_image_suffix,
    check_outputs,
    table_format,
    table_output_options,
    write_text,
)
from tsforecast.cli.options import (
    DataFile,
    Fraction,
    ModelNames,
    backtest_options,
    data_options,
    jobs_options,
    network_options,
    network_settings_for,
    output_options,
    parallel_settings,
    transform_option,
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
from tsforecast.cli.plan import budget_exhausted, budget_options, plan_compare

from tsforecast.defaults import COMPARE_MODELS, default_horizon

DEFAULT_MODELS = ",".join(COMPARE_MODELS)
_METRIC_LABELS = {"mase": "MASE", "rmsse": "RMSSE", "mae": "MAE", "rmse": "RMSE",
                  "smape": "sMAPE", "mape": "MAPE"}


@click.command()
@click.argument("data", type=DataFile())
@data_options
@click.option("--models", "--model", "-m", type=ModelNames(), default=DEFAULT_MODELS,
              show_default=True,
              help="Comma-separated models: naive, snaive, drift, mean, naive2, arima, "
                   "autoarima, ets, theta, auto, simple, lstm, gru, global-simple, global-lstm, "
                   "global-gru. auto is the default network of `tsforecast fit` (5 small "
                   "LSTMs correcting a seasonal-naive base, log scale for a positive series); "
                   "simple, lstm and gru are plain configurable networks. Seasonal naive and "
                   "naive-2 are always added as references.")
@network_options
@transform_option("applied to every model except auto, which chooses its own (log for a "
                  "positive series), and except the added references.")
@backtest_options
@click.option("--metrics", default="mase,smape", show_default=True,
              help="Comma-separated metrics (mae, rmse, mape, smape, mase, rmsse, coverage, "
                   "interval_score); the first ranks the models.")
@click.option("--coverage", type=Fraction(0, 1), default=0.9, show_default=True,
              help="Coverage of the prediction intervals recorded in the results.")
@budget_options
@jobs_options("the backtest tasks (one per model, series and fold)")
@table_output_options("the leaderboard (.json adds the errors by horizon)")
@click.option("--forecasts", "forecasts_path", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write every fold's forecasts as tidy CSV (model, series, fold, cutoff, "
                   "step, actual, forecast, lower, upper, timings), or '-' for standard "
                   "output.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help="Plot the errors by horizon step into an image (e.g. horizon.png).")
@click.option("--plot-forecasts", "forecasts_plot_path", type=click.Path(dir_okay=False),
              help="Plot the actual values and every model's forecast of the last fold of "
                   "the first series into an image (e.g. forecasts.png).")
@output_options
def compare(data, time_col, target, id_col, fill, sep, date_format, models, seed, transform,
            folds, horizon, season_length, metrics, coverage, jobs, dask_address, output,
            output_format, forecasts_path, plot_path, forecasts_plot_path):
    """Backtest models on DATA and rank them against baselines.

    DATA is a CSV file, the name of a shipped dataset or '-' for a CSV on standard input.
    Every model is refitted at each of --folds rolling origins and forecasts the next
    --horizon values; the leaderboard shows the mean errors, the skill relative to
    seasonal naive and the timings.
    """
    for option, path in (("--plot", plot_path), ("--plot-forecasts", forecasts_plot_path)):
        if path is not None:
            check_image_suffix(path, option)
    to_stdout = check_outputs(**{"--output": output, "--forecasts": forecasts_path,
                                 "--plot": plot_path, "--plot-forecasts": forecasts_plot_path})
    kind = table_format(output, output_format) if output is not None else None
    metrics = metric_names(metrics)
    options = network_settings_for(models)

    csv = read_data(data, time_col=time_col, target=target, id_col=id_col, fill=fill, sep=sep,
                    date_format=date_format)
    season, horizon, n_obs = backtest_plan(csv, folds, horizon, season_length)
    use_compilation_cache()
    forecasters = build_forecasters(models, options, season=season, horizon=horizon,
                                    n_obs=n_obs - folds * horizon, seed=seed,
                                    positive=is_positive(csv.y), transform=transform)
    transformed = f"; transforms: {transform}" if transform not in (None, "none") else ""
    note(f"Season length {season}; horizon {horizon}; {folds} folds; "
         f"models: {', '.join(forecasters)}{transformed}")
    run_plan, forecasters = plan_compare(
        click.get_current_context(), forecasters, y=csv.y, freq=csv.freq, season=season,
        horizon=horizon, folds=folds, n_obs=n_obs, n_series=len(series_lengths(csv.y)))

    from tsforecast.evaluation import RollingOriginSplit
    from tsforecast.evaluation import compare as run_compare

    with (captured_warnings(), run_plan.running() as budget,
          click_progress("Backtesting") as report):
        comparison = run_compare(
            forecasters, csv.y, RollingOriginSplit(n_folds=folds, horizon=horizon),
            metrics=metrics, progress=report, coverage=coverage, season_length=season,
            **parallel_settings(jobs, dask_address),
        )
    if budget_exhausted(budget):
        note("  note: training stopped (time budget or Ctrl-C): the networks of the later "
             "folds kept fewer ensemble members than planned.")
    if output is not None:
        exporters = {"csv": comparison.to_csv, "json": comparison.to_json,
                     "markdown": comparison.to_markdown}
        write_text(output, exporters[kind](), "the leaderboard")
    if forecasts_path is not None:
        write_text(forecasts_path, comparison.to_csv(what="results"),
                   f"{len(comparison.results):,} forecasts")
    for kind_of_plot, path in (("horizon", plot_path), ("forecast", forecasts_plot_path)):
        if path is not None:
            with atomic_output(path) as temporary:
                comparison.plot(kind_of_plot, temporary)
            note(f"Saved plot to '{path}'")
    if settings().json:
        import json

        emit_json(json.loads(comparison.to_json()))
    elif not to_stdout:
        result(leaderboard_text(comparison.leaderboard, metrics))


def backtest_plan(csv, folds, horizon, season_length):
    """``(season, horizon, n_obs)`` of a backtest of ``folds`` folds on the data read:
    the defaults of --horizon and --season-length filled in, checked against the length of
    the shortest series (``n_obs``)."""
    n_obs = min(series_lengths(csv.y).values())
    season = int(season_length or csv.season_length or 1)
    horizon = int(horizon or max(1, min(default_horizon(season, n_obs), n_obs // 2 // folds)))
    needed = folds * horizon + max(season, 2) + 1
    if n_obs < needed:
        raise click.UsageError(
            f"the shortest series has {n_obs} values, too few for {folds} folds of horizon "
            f"{horizon} (about {needed} needed); pass a smaller --folds or --horizon."
        )
    return season, horizon, n_obs


def metric_names(text, option="--metrics"):
    """The metric names of a comma-separated ``text`` (checked)."""
    from tsforecast.evaluation import METRICS

    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in METRICS]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown metric {unknown[0] if unknown else text!r}; choose from "
            f"{', '.join(sorted(METRICS))}, e.g. {option} mase.",
            param_hint=f"'{option}'",
        )
    return names


def build_forecasters(models, options, *, season, horizon, n_obs, seed, positive=True,
                      transform=None):
    """Forecasters for ``compare``, keyed by their registry names.

    ``positive``: whether every value is strictly positive (``auto`` then models the log;
    a log model could not be fitted on a fold containing a value <= 0). ``transform``: the
    target transforms of every model but ``auto`` (``"log,diff12"``; None or ``"none"``
    for none).
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
        elif transform not in (None, "none"):
            extra["transforms"] = transform
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

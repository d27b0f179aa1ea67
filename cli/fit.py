"""``tsforecast fit DATA.csv``: train a model, score it on a holdout, save it."""

import contextlib
import time
from pathlib import Path

import click
from tsforecast.cli.common import (
    captured_warnings,
    check_writable,
    describe_forecaster,
    file_sha256,
    find_param,
    format_stamp,
    frequency_word,
    is_multiple_frequency,
    is_positive,
    read_data,
    record_written,
    series_lengths,
    set_matching_params,
    use_compilation_cache,
)
from tsforecast.cli.covariates import (
    check_future,
    configure,
    covariate_table,
    forecast_block,
    read_future,
    requested_plan,
    usable_plan,
)
from tsforecast.cli.holdout import (
    calibration_score,
    holdout_minimum,
    holdout_possible,
    holdout_row,
    holdout_score,
    holdout_split,
    holdout_tasks,
)
from tsforecast.cli.options import (
    DataFile,
    ModelNames,
    PositiveInt,
    covariate_options,
    data_options,
    jobs_options,
    model_option,
    network_options,
    network_settings_for,
    output_options,
    parallel_settings,
    progress_option,
    transform_option,
)
from tsforecast.cli.output import (
    emit_json,
    format_number,
    format_percent,
    format_table,
    note,
    result,
    run_steps,
)
from tsforecast.cli.plan import budget_exhausted, budget_options, plan_fit, stopped_note
from tsforecast.cli.stdin import is_stdin

from tsforecast.defaults import HOLDOUT_BASELINES, default_horizon

#: Longest training tail stored in the model file for plots (values per series).
HISTORY_VALUES = 240
#: Most series whose tail is stored for plots.
HISTORY_SERIES = 12


@click.command()
@click.argument("data", type=DataFile())
@data_options
@model_option("auto", "auto = the default network chosen by backtests: an ensemble of 5 "
              "small LSTMs (8 units) correcting a seasonal-naive base, on the log scale for a "
              "positive series; simple, lstm, gru = plain configurable networks with the same "
              "default window (or global-lstm, ..., or any name of `tsforecast compare "
              "--models`).")
@network_options
@click.option("--horizon", type=PositiveInt("steps ahead to forecast", 12),
              help="Forecast horizon (default: one season, e.g. 12 for monthly data).")
@click.option("--season-length", type=PositiveInt("periods per seasonal cycle", 12),
              help="Seasonal period (default: from the frequency, e.g. 12 for monthly data).")
@transform_option("with --model auto they replace its log transform.")
@covariate_options
@click.option("--intervals/--no-intervals", default=True, show_default=True,
              help="Calibrate the networks' conformal prediction intervals (refits on a few "
                   "earlier cutoffs); --no-intervals trains faster, without intervals.")
@click.option("--holdout/--no-holdout", default=True, show_default=True,
              help="Score the model on the last HORIZON values against the --baselines "
                   "before the final fit.")
@click.option("--baselines", type=ModelNames(), default=",".join(HOLDOUT_BASELINES),
              show_default=True,
              help="Reference models scored on the holdout.")
@budget_options
@jobs_options("the holdout scores: the model's and each baseline's are separate tasks (the "
              "final fit runs in this process, its networks in threads on all cores)")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True),
              help="Model file to write (default: DATA with the suffix .tsf; required when "
                   "DATA is '-').")
@output_options
@progress_option
@click.pass_context
def fit(ctx, data, time_col, target, id_col, fill, sep, date_format, model_name, seed, horizon,
        season_length, transform, covariates, future_path, calendar, intervals, holdout,
        baselines, jobs, dask_address, output):
    """Train a model on DATA, score it on a holdout, save it.

    DATA is a CSV file, the name of a shipped dataset (`tsforecast datasets list`) or '-'
    for a CSV on standard input.
    Detects the time and value columns, the frequency and the season length, picks the
    horizon and window, reports a holdout score against seasonal naive and auto-ARIMA,
    then refits on all values and saves one model file. With --covariates (and
    --future-covariates, --calendar) the networks also read covariates.
    """
    output = check_writable(_model_path(ctx, data, output))
    use_compilation_cache()

    future = None
    if future_path is not None:
        future = read_future(future_path, time_col=time_col, id_col=id_col, sep=sep,
                             date_format=date_format, fill=fill)
    requested = requested_plan(covariates, future and future.columns, calendar)
    csv = read_data(data, time_col=time_col, target=target, id_col=id_col, fill=fill, sep=sep,
                    date_format=date_format, covariates=requested.columns)
    y = csv.y
    lengths = series_lengths(y)
    n_obs = min(lengths.values())
    season = int(season_length or csv.season_length or 1)
    horizon = int(horizon or default_horizon(season, n_obs))
    options = network_settings_for([model_name], ctx)
    n_series = len(lengths)

    def make(values, n):
        # the window and auto's log transform are decided on the values the model sees
        positive = is_positive(values)
        model = build_forecaster(model_name, options, season=season, horizon=horizon, n_obs=n,
                                 n_series=n_series, seed=seed, transform=transform,
                                 positive=positive)
        if not intervals:
            set_matching_params(model, {"conformal": False})
        return model, _transform_spec(model_name, transform, positive)

    forecaster, spec = make(y, n_obs)
    plan = usable_plan(forecaster, requested, model_name)
    configure(forecaster, plan)
    X = covariate_table(csv.X, plan)
    model_window = find_param(forecaster, "window")
    from tsforecast.dataio import check_length

    check_length(y, model_window or 1, horizon)
    if plan.future:
        check_future(future, plan, _origins(y), csv.freq, horizon, future_path,
                     block=forecast_block(forecaster))
    description = describe_forecaster(forecaster, spec)
    covariate_text = f"; covariates: {plan.describe()}" if requested else ""
    note(f"Season length {season}; horizon {horizon}; model {model_name}: {description}"
         f"{covariate_text}")

    scores = []
    final = {}
    final_label = model_label(model_name, forecaster, spec)
    # A network that calibrates its intervals refits on earlier cutoffs anyway; the latest
    # of them is exactly the holdout's training part, so its score costs no extra training.
    calibrated = find_param(forecaster, "conformal", False) is True
    train = test = None
    if holdout:
        train, test = holdout_split(y, horizon)
        if not holdout_possible(lengths, model_window, horizon, season):
            note(f"  note: too few values for a holdout of {horizon}; skipped (scores need "
                 f"about {holdout_minimum(model_window, horizon, season)} values per "
                 "series).")
            train = test = None

    def final_fit():
        started = time.perf_counter()
        final["model"] = _fit(forecaster, y, X)
        final["seconds"] = time.perf_counter() - started

    from_calibration = train is not None and calibrated
    what = " (holdout from its calibration folds)" if from_calibration else ""
    final_task = (f"final fit of {final_label} on all values{what}", final_fit)
    run_plan, baselines = plan_fit(
        ctx, model_name=model_name, forecaster=forecaster, label=final_label,
        baselines=baselines, holdout=train is not None, from_calibration=from_calibration, y=y,
        freq=csv.freq, season=season, horizon=horizon, n_obs=n_obs, n_series=n_series)
    tasks = []
    if train is not None:
        candidate, candidate_spec = make(train, n_obs - horizon)
        run_plan.configure(model_name, candidate)
        configure(candidate, plan)
        label = model_label(model_name, candidate, candidate_spec)
        tasks = holdout_tasks(model_name, label, candidate, baselines, train, test, season,
                              n_series, X, longest_period=run_plan.longest_period)
    parallel = parallel_settings(jobs, dask_address)

    started = time.perf_counter()
    reserve = run_plan.reserve(baselines) if from_calibration else 0.0
    with captured_warnings(), run_plan.running(reserve=reserve) as budget:
        if from_calibration:
            # the model's own score comes from its calibration folds
            with _holdout_steps(tasks[1:], scores, parallel) as steps:
                run_steps([final_task, *steps], label="Training")
        else:
            with _holdout_steps(tasks, scores, parallel) as steps:
                run_steps([*steps, final_task], label="Training")
        fitted = final["model"]
        if from_calibration:
            row = calibration_score(fitted, train, test, season)
            if row is not None:
                scores.append({"model": model_name, "label": label, **row,
                               "fit_seconds": final["seconds"]})
            elif budget_exhausted(budget):
                note("  note: no holdout score for the model: its training stopped before "
                     "the calibration fold of the holdout.")
            else:  # too short for a calibration fold at the holdout's cutoff
                with _holdout_steps(tasks[:1], scores, {"n_jobs": 1}) as steps:
                    run_steps(steps, label="Holdout")
    train_seconds = time.perf_counter() - started
    if stopped_note(fitted):
        note(stopped_note(fitted))

    if scores:
        scores.sort(key=lambda row: (row["mase"] is None, row["mase"] or 0.0))
        rows = [[row["label"], format_number(row["mase"], 2), format_percent(row["smape"]),
                 format_number(row["fit_seconds"], 1)] for row in scores]
        unit = _horizon_unit(csv.freq, horizon)
        result(f"Holdout (last {horizon} {unit})")
        result(format_table(rows, ["model", "MASE", "sMAPE", "fit s"], indent="  "))

    metadata = _metadata(csv, data, lengths, season, horizon, model_name, description, seed,
                         options, transform, scores, model_window)
    metadata["settings"]["covariates"] = plan.to_metadata()
    from tsforecast import persistence

    persistence.save(fitted, output, metadata=metadata)
    record_written(output)
    emit_json({
        "model": str(output),
        "description": description,
        "season_length": season,
        "horizon": horizon,
        "window": model_window,
        "seed": seed,
        "train_seconds": round(train_seconds, 3),
        "holdout": scores,
        "data": metadata["data"],
    })
    result(f"Saved model to '{output}'  (predict: tsforecast predict {_shell_quote(output)})")


def _model_path(ctx, data, output):
    """Where the model goes: ``--output``, else next to DATA (in the working directory
    for a shipped dataset)."""
    if output == "-":
        raise click.BadParameter("a model file cannot be written to standard output; pass a "
                                 "file name such as -o model.tsf.", param_hint="'--output'")
    if output is not None:
        return output
    if is_stdin(data, ctx):
        raise click.UsageError("DATA is standard input, so there is no file name to derive "
                               "the model's from; pass -o/--output, e.g. -o model.tsf.")
    if ctx.meta.get("tsforecast.shipped_dataset"):
        return Path.cwd() / f"{data.stem}.tsf"
    return data.with_suffix(".tsf")


@contextlib.contextmanager
def _holdout_steps(tasks, scores, parallel):
    """One step per holdout task, each adding its row to ``scores``.

    The tasks run with the ``parallel`` settings of
    :func:`tsforecast.evaluation.executors.run_tasks` (all of them start with the first
    step; each step waits for its own result); the workers or the Dask cluster are closed
    after the last result, or when the block ends early.
    """
    from tsforecast.evaluation.executors import run_tasks

    outcomes = run_tasks(holdout_score, tasks, total=len(tasks), **parallel)

    def step(task):
        def run():
            done, outcome = next(outcomes)
            if task is tasks[-1]:
                outcomes.close()
            scores.append(holdout_row(done, outcome))
        return (f"holdout score of {task.label}", run)

    try:
        yield [step(task) for task in tasks]
    finally:
        outcomes.close()


def build_forecaster(model_name, options, *, season, horizon, n_obs, n_series, seed,
                     transform, positive=True):
    """The unfitted forecaster for the options of ``fit``.

    ``n_obs`` (length of the training series) sizes the default window and ``positive``
    (whether the training series is strictly positive) decides whether ``auto`` models
    the log: both are decided on the values the forecaster is trained on.
    """
    from tsforecast import registry
    from tsforecast.defaults import make_forecaster

    if options and model_name not in registry.NEURAL:
        flags = ", ".join("--" + k.replace("_", "-").replace("n-ensemble", "ensemble")
                          for k in options)
        raise click.UsageError(
            f"{flags} {'apply' if len(options) > 1 else 'applies'} only to the networks "
            f"(--model auto, simple, lstm or gru); '{model_name}' takes no network options."
        )
    options = dict(options)
    window = options.pop("window", None)
    if model_name in registry.NEURAL:
        # the ensemble members and calibration models train in threads, on all cores
        options.setdefault("n_jobs", -1)
    if model_name == "auto":
        if n_series > 1:
            options["global_model"] = True
        # --transform replaces the log transform that auto chooses for a positive series
        forecaster = make_forecaster(
            "auto", season_length=season, horizon=horizon, window=window, n_obs=n_obs,
            random_state=seed, positive=positive and transform is None, **options,
        )
        return forecaster if transform is None else _with_transform(forecaster, transform)
    return make_forecaster(
        model_name, season_length=season, horizon=horizon, window=window, n_obs=n_obs,
        random_state=seed, transforms=transform if transform not in (None, "none") else None,
        **options,
    )


def _with_transform(forecaster, spec):
    from tsforecast.forecasting import TransformedForecaster, parse_transforms

    inner = forecaster.forecaster if isinstance(forecaster, TransformedForecaster) else forecaster
    transforms = parse_transforms(spec)
    return TransformedForecaster(transforms=transforms, forecaster=inner) if transforms else inner


def _fit(forecaster, y, X=None):
    from sklearn.base import clone

    return clone(forecaster).fit(y, X)


def _origins(y):
    """The last timestamp of each series (``None`` names the one series of a Series)."""
    if y.ndim == 1:
        return {None: y.index[-1]}
    return {name: y[name].last_valid_index() for name in y.columns}


def _transform_spec(model_name, transform, positive):
    """The transforms of the model as text (``auto`` models the log of a positive series)."""
    if transform is not None:
        return transform
    return "log" if model_name == "auto" and positive else None


def model_label(model_name, forecaster, spec):
    """``auto (LSTM(8) x 5 seeds, log)`` for the default model, else the model's name."""
    if model_name != "auto":
        return model_name
    return f"auto ({describe_forecaster(forecaster, spec, short=True)})"


def _horizon_unit(freq, horizon):
    word = frequency_word(freq)
    units = {"monthly": "months", "yearly": "years", "quarterly": "quarters",
             "weekly": "weeks", "daily": "days", "business-daily": "business days",
             "hourly": "hours", "minutely": "minutes", "secondly": "seconds"}
    # a multiple ("30min") is not counted in the unit's word: 48 half-hours are 48 values
    unit = "values" if is_multiple_frequency(freq) else units.get(word, "values")
    return unit[:-1] if horizon == 1 else unit


def _metadata(csv, path, lengths, season, horizon, model_name, description, seed, options,
              transform, scores, window):
    import math

    y = csv.y
    frame = y.to_frame() if y.ndim == 1 else y
    names = [str(c) for c in frame.columns]
    tail = frame.iloc[-HISTORY_VALUES:, :HISTORY_SERIES]
    history = {
        "index": [format_stamp(t, csv.freq) if hasattr(t, "strftime") else int(t)
                  for t in tail.index],
        "index_iso": [t.isoformat() if hasattr(t, "isoformat") else int(t) for t in tail.index],
        "series": {
            str(c): [None if not math.isfinite(v) else float(v) for v in tail[c].to_numpy(float)]
            for c in tail.columns
        },
    }
    return {
        "description": description,
        "data": {
            "file": path.name,
            "path": None if is_stdin(path) else str(path.resolve()),
            "sha256": file_sha256(path),
            "layout": getattr(csv, "layout", None),
            "time_col": csv.time_col,
            "target": csv.target,
            "id_col": getattr(csv, "id_col", None),
            "freq": csv.freq,
            "frequency": frequency_word(csv.freq),
            "season_length": season,
            "n_obs": int(sum(lengths.values())),
            "n_series": len(lengths),
            "series": names[:100],
            "start": y.index[0].isoformat() if hasattr(y.index[0], "isoformat") else int(y.index[0]),
            "end": y.index[-1].isoformat() if hasattr(y.index[-1], "isoformat") else int(y.index[-1]),
        },
        "settings": {
            "model": model_name,
            "horizon": horizon,
            "window": window,
            "seed": seed,
            "transform": transform,
            **{k: list(v) if isinstance(v, tuple) else v for k, v in options.items()
               if k != "window"},
        },
        "holdout": scores,
        "history": history,
    }


def _shell_quote(path):
    import shlex

    return shlex.quote(str(path))

"""``tsforecast fit DATA.csv``: train a model, score it on a holdout, save it."""

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
    is_positive,
    read_data,
    record_written,
    series_lengths,
    set_matching_params,
    use_compilation_cache,
)
from tsforecast.cli.options import (
    DataFile,
    ModelName,
    ModelNames,
    PositiveInt,
    data_options,
    network_options,
    network_settings,
    output_options,
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

from tsforecast.defaults import HOLDOUT_BASELINES, default_horizon

#: Longest training tail stored in the model file for plots (values per series).
HISTORY_VALUES = 240
#: Most series whose tail is stored for plots.
HISTORY_SERIES = 12
#: Above this many series the holdout skips the statistical baselines (one model each).
SLOW_BASELINE_MAX_SERIES = 20
_SLOW_BASELINES = ("arima", "autoarima", "ets", "theta")
_BASELINE_LABELS = {"snaive": "seasonal naive"}


@click.command()
@click.argument("data", type=DataFile())
@data_options
@click.option("--model", "-m", "model_name", type=ModelName(), default="auto", show_default=True,
              help="auto = the default network chosen by backtests: an ensemble of 5 small "
                   "LSTMs (8 units) correcting a seasonal-naive base, on the log scale for a "
                   "positive series; simple, lstm, gru = plain configurable networks with the "
                   "same default window (or global-lstm, ..., or any name of `tsforecast "
                   "compare --models`).")
@network_options
@click.option("--horizon", type=PositiveInt("steps ahead to forecast", 12),
              help="Forecast horizon (default: one season, e.g. 12 for monthly data).")
@click.option("--season-length", type=PositiveInt("periods per seasonal cycle", 12),
              help="Seasonal period (default: from the frequency, e.g. 12 for monthly data).")
@click.option("--transform", "transform",
              help="Target transforms applied in order, e.g. log,diff12 (none to disable); "
                   "with --model auto they replace its log transform.")
@click.option("--intervals/--no-intervals", default=True, show_default=True,
              help="Calibrate the networks' conformal prediction intervals (refits on a few "
                   "earlier cutoffs); --no-intervals trains faster, without intervals.")
@click.option("--holdout/--no-holdout", default=True, show_default=True,
              help="Score the model on the last HORIZON values against the --baselines "
                   "before the final fit.")
@click.option("--baselines", type=ModelNames(), default=",".join(HOLDOUT_BASELINES),
              show_default=True,
              help="Reference models scored on the holdout.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Model file to write (default: DATA with the suffix .tsf).")
@output_options
@click.pass_context
def fit(ctx, data, time_col, target, id_col, fill, sep, date_format, model_name, seed, horizon,
        season_length, transform, intervals, holdout, baselines, output):
    """Train a model on DATA, score it on a holdout, save it.

    DATA is a CSV file or the name of a shipped dataset (`tsforecast datasets list`).
    Detects the time and value columns, the frequency and the season length, picks the
    horizon and window, reports a holdout score against seasonal naive and auto-ARIMA,
    then refits on all values and saves one model file.
    """
    shipped = ctx.meta.get("tsforecast.shipped_dataset")
    if output is None:
        output = (Path.cwd() / f"{data.stem}.tsf") if shipped else data.with_suffix(".tsf")
    output = check_writable(output)
    if transform is not None:
        _check_transform(transform)
    use_compilation_cache()

    csv = read_data(data, time_col=time_col, target=target, id_col=id_col, fill=fill, sep=sep,
                    date_format=date_format)
    y = csv.y
    lengths = series_lengths(y)
    n_obs = min(lengths.values())
    season = int(season_length or csv.season_length or 1)
    horizon = int(horizon or default_horizon(season, n_obs))
    options = network_settings(ctx)
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
    model_window = find_param(forecaster, "window")
    from tsforecast.dataio import check_length

    check_length(y, model_window or 1, horizon)
    description = describe_forecaster(forecaster, spec)
    note(f"Season length {season}; horizon {horizon}; model {model_name}: {description}")

    scores = []
    final = {}
    final_label = model_label(model_name, forecaster, spec)
    # A network that calibrates its intervals refits on earlier cutoffs anyway; the latest
    # of them is exactly the holdout's training part, so its score costs no extra training.
    calibrated = find_param(forecaster, "conformal", False) is True
    train = test = None
    if holdout:
        train, test = _holdout_split(y, horizon)
        if not _holdout_possible(lengths, model_window, horizon, season):
            note(f"  note: too few values for a holdout of {horizon}; skipped (scores need "
                 f"about {_holdout_minimum(model_window, horizon, season)} values per "
                 "series).")
            train = test = None

    def final_fit():
        started = time.perf_counter()
        final["model"] = _fit(forecaster, y)
        final["seconds"] = time.perf_counter() - started

    from_calibration = train is not None and calibrated
    what = " (holdout from its calibration folds)" if from_calibration else ""
    final_task = (f"final fit of {final_label} on all values{what}", final_fit)
    candidate_tasks = []
    if train is not None:
        candidate, candidate_spec = make(train, n_obs - horizon)
        label = model_label(model_name, candidate, candidate_spec)
        candidate_tasks = _holdout_tasks(model_name, label, candidate, baselines, train, test,
                                         horizon, season, n_series, scores)
    if from_calibration:
        tasks = [final_task, *candidate_tasks[1:]]
    else:
        tasks = [*candidate_tasks, final_task]

    started = time.perf_counter()
    with captured_warnings():
        run_steps(tasks, label="Training")
        fitted = final["model"]
        if from_calibration:
            row = _calibration_score(fitted, train, test, season)
            if row is not None:
                scores.append({"model": model_name, "label": label, **row,
                               "fit_seconds": final["seconds"]})
            else:  # too short for a calibration fold at the holdout's cutoff
                run_steps(candidate_tasks[:1], label="Holdout")
    train_seconds = time.perf_counter() - started

    if scores:
        scores.sort(key=lambda row: (row["mase"] is None, row["mase"] or 0.0))
        rows = [[row["label"], format_number(row["mase"], 2), format_percent(row["smape"]),
                 format_number(row["fit_seconds"], 1)] for row in scores]
        unit = _horizon_unit(csv.freq, horizon)
        result(f"Holdout (last {horizon} {unit})")
        result(format_table(rows, ["model", "MASE", "sMAPE", "fit s"], indent="  "))

    metadata = _metadata(csv, data, lengths, season, horizon, model_name, description, seed,
                         options, transform, scores, model_window)
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


def _check_transform(spec):
    from tsforecast.forecasting import parse_transforms

    try:
        parse_transforms(spec)
    except (TypeError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="'--transform'") from None


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


def _holdout_minimum(window, horizon, season):
    return (window or season) + 3 * horizon


def _holdout_possible(lengths, window, horizon, season):
    return min(lengths.values()) >= _holdout_minimum(window, horizon, season)


def _fit(forecaster, y):
    from sklearn.base import clone

    return clone(forecaster).fit(y)


def _holdout_split(y, horizon):
    """Training part and last ``horizon`` values (series without training values dropped)."""
    train, test = y.iloc[:-horizon], y.iloc[-horizon:]
    if train.ndim == 2:
        train = train.dropna(axis=1, how="all")
        test = test[train.columns]
    return train, test


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


def _holdout_tasks(model_name, label, forecaster, baselines, train, test, horizon, season,
                   n_series, scores):
    from tsforecast.defaults import make_forecaster

    candidates = [(model_name, label, forecaster, True)]
    for name in baselines:
        if name == model_name:
            continue
        if name in _SLOW_BASELINES and n_series > SLOW_BASELINE_MAX_SERIES:
            note(f"  note: {name} left out of the holdout ({n_series} series, one model each); "
                 f"compare it with `tsforecast compare --models {name}`.")
            continue
        candidates.append((name, _BASELINE_LABELS.get(name, name),
                           make_forecaster(name, season_length=season, horizon=horizon,
                                                    random_state=0), False))

    def make_task(name, label, candidate, required):
        def task():
            started = time.perf_counter()
            try:
                row = _score(_holdout_forecast(candidate, train, test), train, test, season)
            except Exception as exc:
                if required:
                    raise
                note(f"  note: {label} failed on the holdout ({type(exc).__name__}: {exc}).")
                row = {"mase": None, "smape": None}
            row = {"model": name, "label": label, **row,
                   "fit_seconds": time.perf_counter() - started}
            scores.append(row)
        return (f"holdout score of {label}", task)

    return [make_task(*candidate) for candidate in candidates]


def _holdout_forecast(forecaster, train, test):
    """The forecast of ``test`` by a clone fitted on ``train``: a one-fold rolling-origin
    backtest, as in ``tsforecast compare``."""
    import pandas as pd

    from tsforecast.evaluation import RollingOriginSplit, backtest

    y = pd.concat([train, test])
    folds = backtest(forecaster, y, RollingOriginSplit(n_folds=1, horizon=len(test)),
                     coverage=None)
    return _forecast_table(folds, test)


def _calibration_score(fitted, train, test, season):
    """Holdout scores from the fitted model's latest calibration fold, whose cutoff is the
    end of ``train``; None when it has none there."""
    frame = fitted.calibration_forecasts()
    if frame is None:
        return None
    latest = frame[(frame["fold"] == 0) & (frame["cutoff"] == train.index[-1])]
    if latest.empty:
        return None
    return _score(_forecast_table(latest, test), train, test, season)


def _forecast_table(frame, test):
    """Forecasts of a ``series, step, forecast`` frame shaped like ``test``."""
    import pandas as pd

    wide = frame.pivot(index="step", columns="series", values="forecast")
    if test.ndim == 1:
        return pd.Series(wide.iloc[:, 0].to_numpy(), index=test.index)
    return pd.DataFrame({c: wide[c].to_numpy() for c in test.columns}, index=test.index)


def _score(prediction, train, test, season):
    import numpy as np

    from tsforecast.evaluation import mase, smape

    if train.ndim == 1:
        pairs = [(train.to_numpy(), test.to_numpy(), np.asarray(prediction, dtype=float))]
    else:
        pairs = [
            (train[c].dropna().to_numpy(), test[c].to_numpy(), prediction[c].to_numpy())
            for c in train.columns
        ]
    mases, smapes = [], []
    for history, actual, forecast in pairs:
        m = season if len(history) > season else 1
        mases.append(mase(actual, forecast, y_train=history, season_length=m))
        smapes.append(smape(actual, forecast))
    return {"mase": float(np.mean(mases)), "smape": float(np.mean(smapes))}


def _horizon_unit(freq, horizon):
    word = frequency_word(freq)
    units = {"monthly": "months", "yearly": "years", "quarterly": "quarters",
             "weekly": "weeks", "daily": "days", "business-daily": "business days",
             "hourly": "hours", "minutely": "minutes", "secondly": "seconds"}
    unit = units.get(word, "values")
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
            "path": str(path.resolve()),
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

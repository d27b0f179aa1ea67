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
    read_data,
    record_written,
    series_lengths,
    set_matching_params,
    use_compilation_cache,
)
from tsforecast.cli.errors import CommandError
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
    progress,
    result,
)

#: Longest training tail stored in the model file for plots (values per series).
HISTORY_VALUES = 240
#: Most series whose tail is stored for plots.
HISTORY_SERIES = 12
#: Above this many series the holdout skips the statistical baselines (one model each).
SLOW_BASELINE_MAX_SERIES = 20
_SLOW_BASELINES = ("arima", "autoarima", "ets", "theta")
_BASELINE_LABELS = {"snaive": "seasonal naive", "autoarima": "arima (auto)"}


def default_horizon(season_length, n_obs):
    """Forecast horizon when none is given: one season (13 weeks for weekly data, 6 years
    for yearly data), shortened so that the series keeps at least 4/5 of its values for
    training."""
    if 1 < season_length <= 24:
        horizon = season_length
    elif season_length == 52:
        horizon = 13
    elif season_length > 24:
        horizon = min(season_length, 48)
    else:
        horizon = 6
    return max(1, min(horizon, n_obs // 5))


@click.command()
@click.argument("data", type=DataFile())
@data_options
@click.option("--model", "-m", "model_name", type=ModelName(), default="auto", show_default=True,
              help="simple, lstm, gru (or global-lstm, ..., or any name of `tsforecast compare "
                   "--models`); auto = the default network chosen by backtests.")
@network_options
@click.option("--horizon", type=PositiveInt("steps ahead to forecast", 12),
              help="Forecast horizon (default: one season, e.g. 12 for monthly data).")
@click.option("--season-length", type=PositiveInt("periods per seasonal cycle", 12),
              help="Seasonal period (default: from the frequency, e.g. 12 for monthly data).")
@click.option("--transform", "transform",
              help="Target transforms applied in order, e.g. log,diff12 (none to disable).")
@click.option("--intervals/--no-intervals", default=True, show_default=True,
              help="Calibrate the networks' conformal prediction intervals (refits on a few "
                   "earlier cutoffs); --no-intervals trains faster, without intervals.")
@click.option("--holdout/--no-holdout", default=True, show_default=True,
              help="Score the model on the last HORIZON values against the --baselines "
                   "before the final fit.")
@click.option("--baselines", type=ModelNames(), default="snaive,autoarima", show_default=True,
              help="Reference models scored on the holdout.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Model file to write (default: DATA with the suffix .tsf).")
@output_options
@click.pass_context
def fit(ctx, data, time_col, target, id_col, fill, sep, date_format, model_name, units, bidirectional, window,
        epochs, batch_size, learning_rate, dropout, ensemble, seed, horizon, season_length,
        transform, intervals, holdout, baselines, output):
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
    options = network_settings(units=units, bidirectional=bidirectional, window=window,
                               epochs=epochs, batch_size=batch_size,
                               learning_rate=learning_rate, dropout=dropout, ensemble=ensemble)
    forecaster = build_forecaster(model_name, options, season=season, horizon=horizon,
                                  n_obs=n_obs, n_series=len(lengths), seed=seed,
                                  transform=transform, positive=_is_positive(y))
    if not intervals:
        set_matching_params(forecaster, {"conformal": False})
    model_window = find_param(forecaster, "window")
    _check_length(lengths, model_window, horizon)
    description = describe_forecaster(forecaster)
    note(f"Season length {season}; horizon {horizon}; model {description}")

    with_holdout = holdout and _holdout_possible(lengths, model_window, horizon, season)
    if holdout and not with_holdout:
        note(f"  note: too few values for a holdout of {horizon}; skipped (scores need "
             f"about {_holdout_minimum(model_window, horizon, season)} values per series).")
    scores = []
    tasks = []
    if with_holdout:
        tasks += _holdout_tasks(forecaster, model_name, baselines, y, horizon, season,
                                len(lengths), scores)
    final = {}
    tasks.append(("final model", lambda: final.setdefault("model", _fit(forecaster, y))))

    started = time.perf_counter()
    with captured_warnings(), progress(tasks, label="Training",
                                       item_show_func=lambda t: t and t[0]) as bar:
        for _, task in bar:
            task()
    train_seconds = time.perf_counter() - started
    fitted = final["model"]

    if scores:
        scores.sort(key=lambda row: (row["mase"] is None, row["mase"] or 0.0))
        rows = [[row["model"], format_number(row["mase"], 2), format_percent(row["smape"]),
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
    from tsforecast.transforms import parse_transforms

    try:
        parse_transforms(spec)
    except (TypeError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="'--transform'") from None


def build_forecaster(model_name, options, *, season, horizon, n_obs, n_series, seed,
                     transform, positive=True):
    """The unfitted forecaster for the options of ``fit``."""
    from tsforecast import registry

    if model_name == "auto":
        from tsforecast import window_forecaster

        default_forecaster = getattr(window_forecaster, "default_forecaster", None)
        if default_forecaster is None:
            forecaster = registry.make_forecaster("lstm", season_length=season, horizon=horizon,
                                                  n_obs=n_obs)
        else:
            import inspect

            accepted = inspect.signature(default_forecaster).parameters
            extra = {"positive": positive, "random_state": seed}
            forecaster = default_forecaster(
                season, horizon, n_obs, **{k: v for k, v in extra.items() if k in accepted})
        if n_series > 1 and "global_model" not in options:
            set_matching_params(forecaster, {"global_model": True})
        unmatched = set_matching_params(
            forecaster, {**options, "horizon": horizon, "random_state": seed}
        )
        unmatched = [name for name in unmatched if name not in ("random_state",)]
        if unmatched:
            raise click.UsageError(f"the default model has no option {unmatched[0]!r}.")
        if transform is not None:
            forecaster = _with_transform(forecaster, transform)
        return forecaster
    if options and model_name not in registry.NEURAL:
        flags = ", ".join("--" + k.replace("_", "-").replace("n-ensemble", "ensemble")
                          for k in options)
        raise click.UsageError(
            f"{flags} {'apply' if len(options) > 1 else 'applies'} only to the networks (--model simple, lstm or gru); "
            f"'{model_name}' takes no network options."
        )
    window = options.pop("window", None)
    return registry.make_forecaster(
        model_name, season_length=season, horizon=horizon, window=window, n_obs=n_obs,
        random_state=seed, transforms=transform if transform not in (None, "none") else None,
        **options,
    )


def _is_positive(y):
    import numpy as np

    values = y.to_numpy(dtype=float)
    values = values[~np.isnan(values)]
    return values.size > 0 and bool((values > 0).all())


def _with_transform(forecaster, spec):
    from tsforecast.transforms import TransformedForecaster, parse_transforms

    inner = forecaster.forecaster if isinstance(forecaster, TransformedForecaster) else forecaster
    transforms = parse_transforms(spec)
    return TransformedForecaster(transforms=transforms, forecaster=inner) if transforms else inner


def _check_length(lengths, window, horizon):
    need = (window or 0) + horizon
    short = {name: n for name, n in lengths.items() if n < need}
    if short:
        name, n = next(iter(short.items()))
        which = "The series" if len(lengths) == 1 else f"Series {name!r}"
        more = f" (and {len(short) - 1} more)" if len(short) > 1 else ""
        raise CommandError(
            f"{which} has {n} values{more}, fewer than window {window} + horizon {horizon} = "
            f"{need}; pass a smaller --window or --horizon, or more data."
        )


def _holdout_minimum(window, horizon, season):
    return (window or season) + 3 * horizon


def _holdout_possible(lengths, window, horizon, season):
    return min(lengths.values()) >= _holdout_minimum(window, horizon, season)


def _fit(forecaster, y):
    from sklearn.base import clone

    return clone(forecaster).fit(y)


def _holdout_tasks(forecaster, model_name, baselines, y, horizon, season, n_series, scores):
    from tsforecast import registry

    train, test = y.iloc[:-horizon], y.iloc[-horizon:]
    if train.ndim == 2:
        train = train.dropna(axis=1, how="all")
        test = test[train.columns]
    label = _model_label(forecaster, "lstm" if model_name == "auto" else model_name)
    candidates = [(label, forecaster, True)]
    for name in baselines:
        if name == model_name:
            continue
        if name in _SLOW_BASELINES and n_series > SLOW_BASELINE_MAX_SERIES:
            note(f"  note: {name} left out of the holdout ({n_series} series, one model each); "
                 f"compare it with `tsforecast compare --models {name}`.")
            continue
        candidates.append((_BASELINE_LABELS.get(name, name),
                           registry.make_forecaster(name, season_length=season, horizon=horizon,
                                                    random_state=0), False))

    def make_task(name, candidate, required):
        def task():
            started = time.perf_counter()
            try:
                prediction = _fit(candidate, train).predict(horizon)
                row = _score(name, prediction, train, test, season)
            except Exception as exc:
                if required:
                    raise
                note(f"  note: {name} failed on the holdout ({type(exc).__name__}: {exc}).")
                row = {"model": name, "mase": None, "smape": None}
            row["fit_seconds"] = time.perf_counter() - started
            scores.append(row)
        return (f"holdout: {name}", task)

    return [make_task(*candidate) for candidate in candidates]


def _model_label(forecaster, default):
    inner = forecaster
    while hasattr(inner, "forecaster") and type(inner).__name__ == "TransformedForecaster":
        inner = inner.forecaster
    name = type(inner).__name__
    for cls, label in (("LSTM", "lstm"), ("GRU", "gru"), ("SimpleRNN", "simple")):
        if name.startswith(cls):
            return label
    return default


def _score(name, prediction, train, test, season):
    import numpy as np

    from tsforecast.metrics import mase, smape

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
    return {"model": name, "mase": float(np.mean(mases)), "smape": float(np.mean(smapes))}


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

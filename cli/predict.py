"""``tsforecast predict MODEL``: forecasts with prediction intervals from a saved model."""

from pathlib import Path

import click
from tsforecast.cli.common import (
    atomic_output,
    captured_warnings,
    find_param,
    read_data,
    use_compilation_cache,
)
from tsforecast.cli.covariates import (
    CovariatePlan,
    check_future,
    forecast_block,
    join_covariates,
    read_future,
)
from tsforecast.cli.exports import check_image_suffix, check_outputs
from tsforecast.cli.new_data import from_new_data
from tsforecast.cli.options import (
    DataFile,
    Fraction,
    ModelFile,
    PositiveInt,
    data_options,
    future_covariates_option,
    output_options,
)
from tsforecast.cli.output import emit_json, note, settings

#: Most series drawn by --plot (one panel each).
PLOT_SERIES = 4


@click.command()
@click.argument("model", type=ModelFile())
@click.option("--data", type=DataFile(),
              help="New observations (CSV, or '-' for standard input), with the model's "
                   "covariate columns: forecast from their end instead of the training "
                   "data's, without training (networks, window models) unless --refit.")
@click.option("--refit", is_flag=True,
              help="Fit the model's saved settings on --data before forecasting (needed by "
                   "models that cannot forecast new data otherwise, e.g. ets, arima).")
@future_covariates_option
@data_options
@click.option("--horizon", type=PositiveInt("steps ahead to forecast", 12),
              help="Steps ahead (default: the horizon the model was trained for).")
@click.option("--coverage", type=Fraction(0, 1), default=0.9, show_default=True,
              help="Probability that the interval contains the future value.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the forecast CSV there instead of standard output ('-': standard "
                   "output, the default).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help="Draw history, forecast and interval into an image (e.g. forecast.png).")
@output_options
def predict(model, data, refit, future_path, time_col, target, id_col, fill, sep, date_format,
            horizon, coverage, output, plot_path):
    """Forecast with a saved model: CSV, JSON or a plot.

    Prints the forecast of MODEL with its prediction interval as CSV (time, forecast,
    lower, upper; a series column for panels), or writes it to --output. With --data it
    forecasts from the end of new observations.
    """
    if refit and data is None:
        raise click.UsageError("--refit fits the model on new observations; pass them with "
                               "--data NEW.csv.")
    if plot_path is not None:
        check_image_suffix(plot_path)
    check_outputs(**{"--output": output, "--plot": plot_path})
    output = None if output == "-" else output
    use_compilation_cache()
    from tsforecast import persistence

    manifest = persistence.read_metadata(model)
    meta = manifest.get("metadata", {})
    with captured_warnings():
        forecaster = persistence.load(model)
    plan = CovariatePlan.from_metadata(meta)
    future = None
    if future_path is not None:
        future = read_future(future_path, time_col=time_col, id_col=id_col, sep=sep,
                             date_format=date_format, fill=fill)
    history = new = X = None
    if data is not None:
        csv = read_data(data, time_col=time_col, target=target or _stored_target(meta),
                        id_col=id_col, fill=fill, sep=sep, date_format=date_format,
                        covariates=plan.columns)
        forecaster, new = from_new_data(forecaster, _model_name(meta, forecaster), csv.y,
                                        csv.X, refit=refit, path=data)
        history, X = csv.y, csv.X
        time_name = csv.time_col
    else:
        time_name = (meta.get("data") or {}).get("time_col")
    horizon = horizon or find_param(forecaster, "horizon") or (
        meta.get("settings") or {}).get("horizon")
    if horizon is None:
        raise click.UsageError("this model has no default horizon; pass --horizon, e.g. --horizon 12.")
    check_future(future, plan, _origins(forecaster, new), forecaster.freq_, int(horizon),
                 future_path, block=forecast_block(forecaster))
    future_X = None if future is None or not plan.future else future.X
    X = join_covariates(X, future_X) if new is not None else future_X

    with captured_warnings():
        table = forecast_table(forecaster, int(horizon), coverage, time_name or "time",
                               X=X, y=new)
    if output is not None:
        with atomic_output(output) as temporary:
            table.to_csv(temporary, index=False)
        note(f"Wrote {len(table)} forecasts to '{output}'")
    if settings().json:
        emit_json({"model": str(model), "horizon": int(horizon), "coverage": coverage,
                   "forecast": _records(table)})
    elif output is None:
        click.echo(table.to_csv(index=False), nl=False)
    if plot_path is not None:
        if history is None:
            history = _stored_history(meta)
        with atomic_output(plot_path) as temporary:
            plot_forecast(table, history, temporary, coverage=coverage,
                          title=f"{Path(model).name}: {int(horizon)}-step forecast")
        note(f"Saved plot to '{plot_path}'")


def _model_name(meta, forecaster):
    """The model's name on the command line (its class name for a file not written by fit)."""
    return (meta.get("settings") or {}).get("model") or type(forecaster).__name__


def _stored_target(meta):
    """The value column the model was trained on, when it was one column (not a wide file's
    series, which new data may replace by others)."""
    stored = (meta.get("data") or {}).get("target")
    return stored if isinstance(stored, str) else None


def _origins(forecaster, new):
    """The last timestamp of each series the forecast starts from."""
    if new is not None:
        if new.ndim == 1:
            return {None: new.index[-1]}
        return {name: new[name].last_valid_index() for name in new.columns}
    names = forecaster.series_names_
    cutoffs = getattr(forecaster, "series_cutoffs_", None) or [forecaster.cutoff_] * len(names)
    if len(names) == 1:
        return {None: cutoffs[0]}
    return dict(zip(names, cutoffs))


def forecast_table(forecaster, horizon, coverage, time_name, *, X=None, y=None):
    """Forecast and interval as a tidy DataFrame: [series,] time, forecast, lower, upper.

    ``X``: covariates (future values, and those of ``y``); ``y``: new history to forecast
    from without refitting (see :meth:`~tsforecast.forecasting.base.BaseForecaster.predict`).
    """
    import pandas as pd

    intervals = None
    if forecaster.get_tag("capability:pred_int"):
        try:
            intervals = forecaster.predict_interval(horizon, coverage, X=X, y=y)
        except (ValueError, NotImplementedError) as exc:
            note(f"  note: no prediction interval ({exc})")
    if intervals is None:
        point = forecaster.predict(horizon, X=X, y=y)
        frame = point.to_frame() if isinstance(point, pd.Series) else point
        pieces = {
            name: pd.DataFrame({"forecast": frame[name], "lower": float("nan"),
                                "upper": float("nan")})
            for name in frame.columns
        }
        single = isinstance(point, pd.Series)
    elif isinstance(intervals.columns, pd.MultiIndex):
        names = list(dict.fromkeys(intervals.columns.get_level_values(0)))
        pieces = {name: intervals[name][["forecast", "lower", "upper"]] for name in names}
        single = False
    else:
        pieces = {None: intervals[["forecast", "lower", "upper"]]}
        single = True
    frames = []
    for name, piece in pieces.items():
        piece = piece.copy()
        piece.index.name = time_name
        piece = piece.reset_index()
        if not single:
            piece.insert(0, "series", name)
        frames.append(piece)
    return pd.concat(frames, ignore_index=True)


def _records(table):
    import math

    records = []
    for row in table.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif isinstance(value, float) and not math.isfinite(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            clean[str(key)] = value
        records.append(clean)
    return records


def _stored_history(meta):
    import pandas as pd

    history = meta.get("history")
    if not history or not history.get("series"):
        return None
    stamps = history.get("index_iso") or history.get("index")
    if all(isinstance(stamp, int) for stamp in stamps):
        index = pd.Index(stamps)
    else:
        try:
            index = pd.DatetimeIndex(pd.to_datetime(stamps))
        except (TypeError, ValueError):
            index = pd.Index(stamps)
    frame = pd.DataFrame(
        {name: [float("nan") if v is None else v for v in values]
         for name, values in history["series"].items()},
        index=index,
    )
    return frame.iloc[:, 0] if frame.shape[1] == 1 else frame


def plot_forecast(table, history, path, *, coverage, title):
    """Draw history, forecast and interval (one panel per series, at most 4) into ``path``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    time_name = table.columns[1] if "series" in table.columns else table.columns[0]
    if "series" in table.columns:
        groups = list(table.groupby("series", sort=False))[:PLOT_SERIES]
    else:
        groups = [(None, table)]
    figure = Figure(figsize=(9, 3.2 * len(groups)), layout="constrained")
    FigureCanvasAgg(figure)
    for i, (name, part) in enumerate(groups):
        axes = figure.add_subplot(len(groups), 1, i + 1)
        past = None
        if history is not None:
            if getattr(history, "ndim", 1) == 1:
                past = history if name is None or len(groups) == 1 else None
            elif name in getattr(history, "columns", []):
                past = history[name]
        if past is not None:
            past = past.dropna()
            axes.plot(past.index, past.to_numpy(), color="black", lw=1.2, label="history")
        times = part[time_name]
        axes.plot(times, part["forecast"], color="tab:blue", lw=1.6, label="forecast")
        if part["lower"].notna().any():
            axes.fill_between(times, part["lower"], part["upper"], color="tab:blue",
                              alpha=0.25, label=f"{coverage:.0%} interval")
        axes.set_title(title if name is None else f"{title} — {name}", fontsize="medium")
        axes.grid(alpha=0.3)
        axes.legend(loc="upper left", fontsize="small")
    figure.savefig(path, dpi=110)

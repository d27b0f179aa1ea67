"""``tsforecast tune DATA --model lstm --grid units=8,16 ...``: grid search by backtest."""

import shlex

import click
from tsforecast.cli.common import (
    captured_warnings,
    describe_forecaster,
    is_positive,
    read_data,
    set_matching_params,
    use_compilation_cache,
)
from tsforecast.cli.compare import backtest_plan, metric_names
from tsforecast.cli.exports import check_outputs, table_format, table_output_options, write_text
from tsforecast.cli.fit import build_forecaster
from tsforecast.cli.options import (
    DataFile,
    PositiveInt,
    backtest_options,
    data_options,
    jobs_options,
    model_option,
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
    format_table,
    note,
    result,
    settings,
)

#: Command-line names of parameters whose forecaster name differs.
_PARAMETER_OF_OPTION = {"ensemble": "n_ensemble"}


@click.command()
@click.argument("data", type=DataFile())
@data_options
@model_option("lstm", "The model whose parameters are searched (any name of `tsforecast "
              "fit --model`).")
@click.option("--grid", "grid", multiple=True, required=True, metavar="NAME=V1,V2",
              help="A parameter and its candidate values, once per parameter, e.g. --grid "
                   "units=8,16 --grid learning_rate=0.001,0.003. Names are those of the "
                   "options (window, ensemble, units, ...) or of the model's parameters; "
                   "a value with several parts is written with '/' (units=32/16: two "
                   "stacked layers).")
@click.option("--n-iter", type=PositiveInt("random candidates", 10),
              help="Try this many random candidates of the grid instead of all of them.")
@network_options
@transform_option("with --model auto they replace its log transform.")
@backtest_options
@click.option("--metric", default="mase", show_default=True,
              help="The error to minimise (mae, rmse, mape, smape, mase, rmsse).")
@jobs_options("the backtest tasks (one per candidate, series and fold)")
@table_output_options("the ranked candidates")
@output_options
@click.pass_context
def tune(ctx, data, time_col, target, id_col, fill, sep, date_format, model_name, grid, n_iter,
         seed, transform, folds, horizon, season_length, metric, jobs, dask_address, output,
         output_format):
    """Search parameters of a model by rolling-origin backtest.

    DATA is a CSV file, the name of a shipped dataset or '-' for a CSV on standard input.
    Every candidate of the --grid (the other settings as given by the options) is refitted
    at each of --folds rolling origins and scored on the next --horizon values; the
    candidates are printed best first, with the `tsforecast fit` command of the best one.
    Intervals are not calibrated during the search (they are not scored).
    """
    to_stdout = check_outputs(**{"--output": output})
    kind = table_format(output, output_format) if output is not None else None
    [metric] = metric_names(metric, "--metric")
    options = network_settings_for([model_name], ctx)

    csv = read_data(data, time_col=time_col, target=target, id_col=id_col, fill=fill, sep=sep,
                    date_format=date_format)
    season, horizon, n_obs = backtest_plan(csv, folds, horizon, season_length)
    use_compilation_cache()
    template = build_forecaster(model_name, options, season=season, horizon=horizon,
                                n_obs=n_obs - folds * horizon, n_series=csv.n_series, seed=seed,
                                transform=transform, positive=is_positive(csv.y))
    set_matching_params(template, {"conformal": False})
    names, param_grid = parse_grid(grid, template)
    size = 1
    for values in param_grid.values():
        size *= len(values)
    searched = min(size, n_iter) if n_iter else size
    note(f"Season length {season}; horizon {horizon}; {folds} folds; model {model_name}: "
         f"{describe_forecaster(template, transform)}; {searched} candidates by {metric}")

    from tsforecast.evaluation import RollingOriginSplit
    from tsforecast.evaluation import tune as run_tune

    with captured_warnings(), click_progress("Tuning") as report:
        search = run_tune(
            template, param_grid, csv.y, RollingOriginSplit(n_folds=folds, horizon=horizon),
            metric=metric, n_iter=n_iter, random_state=seed, season_length=season,
            refit=False, progress=report, **parallel_settings(jobs, dask_address),
        )
    table = candidates_table(search, names)
    if output is not None:
        write_text(output, _export(table, kind), "the candidates")
    best = {names[key]: value for key, value in search.best_params_.items()}
    command, without_option = fit_command(ctx, model_name, best)
    emit_json({"model": model_name, "metric": metric, "best_params": best,
               "best_score": search.best_score_, "fit_command": command,
               "candidates": table.to_dict(orient="records")})
    if to_stdout or settings().json:
        return
    result(candidates_text(table, names, metric))
    result()
    result(f"Best: {', '.join(f'{k}={show_value(v)}' for k, v in best.items())}")
    result(f"Train it: {command}")
    if without_option:
        result(f"  (fit has no option for {', '.join(without_option)}: set it in Python)")


def parse_grid(grid, template):
    """``(names, param_grid)``: ``param_grid`` maps the template's parameter names
    (``forecaster__units``) to candidate values, ``names`` maps them back to the names
    the user gave."""
    params = template.get_params(deep=True)
    names, param_grid = {}, {}
    for item in grid:
        name, equals, text = item.partition("=")
        name = name.strip()
        values = [parse_value(part) for part in text.split(",") if part.strip()]
        if not equals or not name or not values:
            raise click.BadParameter(f"{item!r} is not NAME=V1,V2,...; pass e.g. --grid "
                                     "units=8,16.", param_hint="'--grid'")
        key = _parameter_key(name, params, template)
        if key in param_grid:
            raise click.BadParameter(f"{name!r} is given twice; list all its values in one "
                                     f"--grid {name}=...", param_hint="'--grid'")
        names[key], param_grid[key] = name, values
    return names, param_grid


def _parameter_key(name, params, template):
    """The shallowest parameter of ``template`` called ``name`` (an option name works too)."""
    import difflib

    wanted = name.replace("-", "_")
    wanted = _PARAMETER_OF_OPTION.get(wanted, wanted)
    keys = [k for k in params if k == wanted or k.endswith(f"__{wanted}")]
    if not keys:
        short = sorted({k.rsplit("__", 1)[-1] for k in params if k.rsplit("__", 1)[-1]
                        != "forecaster"})
        close = difflib.get_close_matches(wanted, short, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise click.BadParameter(
            f"{type(template).__name__} has no parameter {name!r}; {hint}choose from "
            f"{', '.join(short)}.", param_hint="'--grid'")
    return min(keys, key=lambda k: k.count("__"))


def parse_value(text):
    """A candidate value: ``8`` -> 8, ``0.001`` -> 0.001, ``true``/``false``/``none``,
    ``32/16`` -> (32, 16), anything else as text."""
    text = text.strip()
    if "/" in text:
        return tuple(parse_value(part) for part in text.split("/"))
    words = {"true": True, "false": False, "none": None}
    if text.lower() in words:
        return words[text.lower()]
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def show_value(value):
    """A candidate value as written in --grid (``(32, 16)`` -> ``32/16``)."""
    if isinstance(value, tuple):
        return "/".join(show_value(v) for v in value)
    if value is None or isinstance(value, bool):
        return str(value).lower()
    return str(value)


def candidates_table(search, names):
    """The candidates best first: rank, one column per searched parameter (as written in
    --grid), mean/median/std of the metric, its value per fold, timings."""
    metric = search.metric
    frame = search.cv_results_.drop(columns="params")
    frame = frame.rename(columns={f"param_{key}": name for key, name in names.items()})
    for name in names.values():
        frame[name] = [show_value(value) for value in frame[name]]
    order = ["rank", *names.values()]
    frame = frame.rename(columns={f"rank_{metric}": "rank"})
    frame = frame[order + [c for c in frame.columns if c not in order]]
    return frame.sort_values("rank", kind="stable").reset_index(drop=True)


def candidates_text(table, names, metric):
    """The ranked candidates as an aligned text table."""
    headers = ["rank", *names.values(), metric, "std", "fit s"]
    rows = [[str(row["rank"]), *(row[name] for name in names.values()),
             format_number(row[f"mean_{metric}"]), format_number(row[f"std_{metric}"]),
             format_number(row["fit_seconds"], 1)]
            for row in table.to_dict(orient="records")]
    return format_table(rows, headers, align=">" + "<" * len(names) + ">>>")


def _export(table, kind):
    if kind == "csv":
        return table.to_csv(index=False)
    if kind == "json":
        return table.to_json(orient="records", indent=2)
    from tsforecast.evaluation import markdown_table

    return markdown_table(table)


def fit_command(ctx, model_name, best):
    """The `tsforecast fit` command that trains the best candidate: DATA, the options of
    this command that `fit` shares, given on the command line, and the best values.

    Returns the command and the best values that no option of `fit` sets (``name=value``).
    """
    from click.core import ParameterSource
    from tsforecast.cli.fit import fit
    from tsforecast.cli.options import NETWORK_META

    words = ["tsforecast", "fit", _data_word(ctx), "--model", model_name]
    fit_options = {p.name: p for p in fit.params if isinstance(p, click.Option)}
    values = {**ctx.params, **ctx.meta.get(NETWORK_META, {})}
    values["ensemble"] = values.pop("n_ensemble", None)
    chosen = {_option_name(name): value for name, value in best.items()}
    for param in ctx.command.params:
        name = param.name
        if (name in ("model_name", "output", "jobs", "dask_address") or name not in fit_options
                or name in chosen
                or ctx.get_parameter_source(name) != ParameterSource.COMMANDLINE):
            continue
        words += _option_words(fit_options[name], values.get(name))
    without_option = []
    for name, value in chosen.items():
        if name in fit_options:
            words += _option_words(fit_options[name], value)
        else:
            without_option.append(f"{name}={show_value(value)}")
    return " ".join(words), without_option


def _option_name(name):
    name = name.replace("-", "_")
    return "ensemble" if name == "n_ensemble" else name


def _data_word(ctx):
    from tsforecast.cli.stdin import is_stdin

    data = ctx.params["data"]
    if is_stdin(data, ctx):
        return "DATA.csv"
    return shlex.quote(ctx.meta.get("tsforecast.shipped_dataset") or str(data))


def _option_words(param, value):
    if value is None:
        return []
    if param.is_flag and param.secondary_opts:
        return [param.opts[0] if value else param.secondary_opts[0]]
    if isinstance(value, (tuple, list)):
        value = ",".join(str(v) for v in value)
    return [param.opts[0] if param.opts[0].startswith("--") else param.opts[-1],
            shlex.quote(str(value))]

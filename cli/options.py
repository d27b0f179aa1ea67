"""Parameter types and shared options of the commands.

Every type fails with ``click.BadParameter`` (exit code 2) and a message that names the
problem and the fix. Nothing here imports the numerical stack.
"""

import math
import os
from pathlib import Path

import click
from tsforecast.cli.config import config_option
from tsforecast.cli.output import settings
from tsforecast.cli.stdin import stdin_copy


class DataFile(click.ParamType):
    """A CSV file, the name of a shipped dataset (``air_passengers``), or ``-`` for a CSV
    read from standard input."""

    name = "csv"

    def convert(self, value, param, ctx):
        if isinstance(value, Path):
            return value
        if value == "-":
            return stdin_copy(ctx)
        path = Path(os.path.expanduser(value))
        if path.is_file():
            return path
        if path.is_dir():
            self.fail(f"'{value}' is a directory; pass a CSV file.", param, ctx)
        if os.sep not in value and "." not in value:
            shipped = _shipped_dataset(value)
            if shipped is not None:
                if ctx is not None:
                    ctx.meta["tsforecast.shipped_dataset"] = value
                return shipped
        self.fail(
            f"file '{value}' does not exist; check the path (the shipped series are listed "
            "by `tsforecast datasets list` and can be passed by name).",
            param,
            ctx,
        )


def _shipped_dataset(name):
    from tsforecast import datasets

    try:
        return datasets.dataset_path(name)
    except ValueError:
        return None


class ModelFile(click.ParamType):
    """An existing model file written by ``tsforecast fit``."""

    name = "model"

    def convert(self, value, param, ctx):
        if isinstance(value, Path):
            return value
        path = Path(os.path.expanduser(value))
        if path.is_dir():
            self.fail(f"'{value}' is a directory; pass a .tsf model file.", param, ctx)
        if not path.is_file():
            self.fail(
                f"model file '{value}' does not exist; create one with `tsforecast fit DATA.csv`.",
                param,
                ctx,
            )
        return path


class PositiveInt(click.ParamType):
    """An integer >= 1 (window, horizon, epochs, ...)."""

    name = "integer"

    def __init__(self, meaning="", example=12):
        self.meaning = meaning
        self.example = example

    def convert(self, value, param, ctx):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        try:
            number = int(str(value).strip())
        except ValueError:
            number = None
        if number is None or number < 1:
            meaning = f" ({self.meaning})" if self.meaning else ""
            self.fail(
                f"{value!r} is not a positive integer{meaning}; pass e.g. "
                f"{_flag(param)} {self.example}.",
                param,
                ctx,
            )
        return number


class Fraction(click.ParamType):
    """A float in an open or half-open interval, e.g. a coverage in (0, 1)."""

    name = "float"

    def __init__(self, low, high, *, low_open=True, high_open=True, example=0.9):
        self.low, self.high = low, high
        self.low_open, self.high_open = low_open, high_open
        self.example = example

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        ok = number is not None and not math.isnan(number)
        if ok:
            ok = (number > self.low if self.low_open else number >= self.low) and (
                number < self.high if self.high_open else number <= self.high
            )
        if not ok:
            left = "(" if self.low_open else "["
            right = ")" if self.high_open else "]"
            self.fail(
                f"{value!r} must be a number in {left}{self.low}, {self.high}{right}; pass e.g. "
                f"{_flag(param)} {self.example}.",
                param,
                ctx,
            )
        return number


class PositiveFloat(click.ParamType):
    """A float > 0 (learning rate)."""

    name = "float"

    def __init__(self, example=0.001):
        self.example = example

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not (number > 0) or number == float("inf"):
            self.fail(
                f"{value!r} must be a positive number; pass e.g. {_flag(param)} {self.example}.",
                param,
                ctx,
            )
        return number


class IntList(click.ParamType):
    """Comma-separated positive integers, e.g. ``64,32`` for two stacked layers."""

    name = "list"

    def __init__(self, meaning="units per layer", example="64,32 for two stacked layers"):
        self.meaning = meaning
        self.example = example

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            numbers = tuple(int(part) for part in str(value).split(",") if part.strip())
        except ValueError:
            numbers = ()
        if not numbers or any(n < 1 for n in numbers):
            self.fail(
                f"{value!r} must be comma-separated positive integers ({self.meaning}); "
                f"pass e.g. {_flag(param)} {self.example}.",
                param,
                ctx,
            )
        return numbers


class ColumnNames(click.ParamType):
    """Comma-separated column names, e.g. ``Income,Savings``."""

    name = "columns"

    def convert(self, value, param, ctx):
        if isinstance(value, (list, tuple)):
            return list(value)
        names = list(dict.fromkeys(part.strip() for part in str(value).split(",")
                                   if part.strip()))
        if not names:
            self.fail(f"pass at least one column name, e.g. {_flag(param)} Income,Savings.",
                      param, ctx)
        return names


class ModelNames(click.ParamType):
    """Comma-separated forecaster names (see ``tsforecast.registry``)."""

    name = "names"

    def convert(self, value, param, ctx):
        from tsforecast import registry

        if isinstance(value, (list, tuple)):
            return list(value)
        names = []
        for part in str(value).split(","):
            if not part.strip():
                continue
            try:
                key = registry.resolve_name(part)
            except ValueError as exc:
                self.fail(str(exc), param, ctx)
            if key not in names:
                names.append(key)
        if not names:
            self.fail(f"pass at least one model, e.g. {_flag(param)} snaive,ets,lstm.", param, ctx)
        return names

    def shell_complete(self, ctx, param, incomplete):
        return _complete_names([], incomplete)


class ModelName(click.ParamType):
    """One forecaster name (``auto``, the default network, also as ``default``)."""

    name = "name"

    def convert(self, value, param, ctx):
        from tsforecast import registry

        if "," in str(value):
            self.fail(f"{value!r} names several models; this command takes one (compare "
                      "several with `tsforecast compare --models a,b`).", param, ctx)
        if str(value).strip().lower() == "default":
            return "auto"
        try:
            return registry.resolve_name(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)

    def shell_complete(self, ctx, param, incomplete):
        return _complete_names([], incomplete)


def _complete_names(extra, incomplete):
    from click.shell_completion import CompletionItem

    from tsforecast import registry

    prefix, _, last = incomplete.rpartition(",")
    prefix = prefix + "," if prefix else ""
    return [CompletionItem(prefix + name) for name in extra + registry.names()
            if name.startswith(last)]


def _flag(param):
    if param is not None and getattr(param, "opts", None):
        return param.opts[0]
    return ""


def _set_flag(ctx, param, value):
    if value:
        setattr(settings(), param.name, True)
    return value


def _set_progress(ctx, param, value):
    if value is not None:
        settings().progress = value
    return value


def progress_option(function):
    """Add ``--progress/--no-progress`` (the epochs under the steps of ``fit``)."""
    return click.option(
        "--progress/--no-progress", default=None, expose_value=False, callback=_set_progress,
        help="Show the epochs of the networks training in this process under the running "
             "step of `fit` (default: when standard error is a terminal).",
    )(function)


def output_options(function):
    """Add the options every command shares, also accepted after the command: ``--json``,
    ``--quiet``, ``--verbose`` and ``--config``."""
    function = config_option(function)
    function = click.option(
        "--verbose", "-v", is_flag=True, expose_value=False, callback=_set_flag,
        help="Print tracebacks of errors (for bug reports).",
    )(function)
    function = click.option(
        "--quiet", "-q", is_flag=True, expose_value=False, callback=_set_flag,
        help="Print only results, no progress or notes.",
    )(function)
    function = click.option(
        "--json", "json", is_flag=True, expose_value=False, callback=_set_flag,
        help="Print machine-readable JSON on standard output.",
    )(function)
    return function


def model_option(default, help):
    """``--model`` (also spelled ``--models``, ``-m``): the one model a command trains."""
    return click.option("--model", "--models", "-m", "model_name", type=ModelName(),
                        default=default, show_default=True, help=help)


def backtest_options(function):
    """``--folds``, ``--horizon`` and ``--season-length`` of a rolling-origin backtest."""
    for decorator in reversed([
        click.option("--folds", type=PositiveInt("backtest origins", 3), default=3,
                     show_default=True, help="Number of rolling forecast origins."),
        click.option("--horizon", type=PositiveInt("steps ahead to forecast", 12),
                     help="Forecast horizon of every fold (default: one season)."),
        click.option("--season-length", type=PositiveInt("periods per seasonal cycle", 12),
                     help="Seasonal period (default: from the frequency)."),
    ]):
        function = decorator(function)
    return function


def _jobs(ctx, param, value):
    if value == 0:
        raise click.BadParameter("0 workers cannot run anything; pass 1 (serial), a number of "
                                 "processes, or -1 for all cores.", ctx=ctx, param=param)
    return value


def jobs_options(what):
    """``--jobs`` and ``--dask``: where the independent tasks of a command run. ``what``
    completes "Parallel worker processes for ...". Read them with :func:`parallel_settings`."""
    def decorate(function):
        function = click.option(
            "--dask", "dask_address", metavar="ADDRESS",
            help=f"Run {what} on a Dask cluster: a scheduler address (tcp://host:8786) or "
                 "'local' for a LocalCluster with --jobs workers.",
        )(function)
        return click.option(
            "--jobs", "-j", type=int, default=1, show_default=True, callback=_jobs,
            help=f"Parallel worker processes for {what} (-1 = all cores).",
        )(function)

    return decorate


def parallel_settings(jobs, dask_address):
    """``n_jobs``, ``backend`` and ``address`` of :func:`tsforecast.evaluation.compare`
    (and :func:`~tsforecast.evaluation.executors.run_tasks`) for ``--jobs`` and ``--dask``."""
    if dask_address is None:
        return {"n_jobs": jobs, "backend": "loky", "address": None}
    local = dask_address.strip().lower() == "local"
    return {"n_jobs": jobs, "backend": "dask", "address": None if local else dask_address}


def _check_transform(ctx, param, value):
    if value is None:
        return None
    from tsforecast.forecasting import parse_transforms

    try:
        parse_transforms(value)
    except (TypeError, ValueError) as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return value


def transform_option(which):
    """``--transform``: target transforms of the models; ``which`` says how they meet
    ``auto``, which chooses its own."""
    return click.option(
        "--transform", callback=_check_transform,
        help="Target transforms applied in order, e.g. log,diff12 (none to disable); "
             f"{which}",
    )


def _check_separator(ctx, param, value):
    if value is None:
        return None
    # a shell passes a tab as the two characters backslash-t
    separator = {"\\t": "\t", "tab": "\t"}.get(value, value)
    if len(separator) != 1 or separator in "\"\r\n":
        raise click.BadParameter(
            f"{value!r} is not a one-character delimiter; pass e.g. --sep ';' or --sep '\\t'.",
            ctx=ctx, param=param,
        )
    return separator


def data_options(function):
    """Options that control how a CSV file is read."""
    for decorator in reversed([
        click.option("--time-col", help="Name of the time column (default: detected)."),
        click.option("--target", help="Name of the value column (default: detected)."),
        click.option("--id-col", help="Series-identifier column of a long panel (unique_id,ds,y)."),
        click.option(
            "--fill", type=click.Choice(["interpolate", "ffill", "zero"]),
            help="Fill missing timestamps or values (default: refuse them with an error).",
        ),
        click.option("--sep", callback=_check_separator,
                     help="Field delimiter, e.g. ';' or '\\t' for tab (default: detected "
                          "among , ; tab |)."),
        click.option("--date-format", metavar="FORMAT",
                     help="strftime format of the time column, e.g. %d/%m/%Y (needed only "
                          "when day and month cannot be told apart)."),
    ]):
        function = decorator(function)
    return function


def future_covariates_option(function):
    """``--future-covariates FILE.csv``: values of covariates over the forecast horizon."""
    return click.option(
        "--future-covariates", "future_path", type=DataFile(),
        help="CSV of covariate values known ahead (time column, a column per covariate; "
             "the series column of long data) covering the forecast horizon: those "
             "covariates are future covariates.",
    )(function)


def covariate_options(function):
    """``--covariates``, ``--future-covariates`` and ``--calendar`` of ``fit``."""
    function = click.option(
        "--calendar/--no-calendar", default=False, show_default=True,
        help="Add calendar features of the timestamps (month, day of week, ... or Fourier "
             "terms of the season) as future covariates of the networks.",
    )(function)
    function = future_covariates_option(function)
    return click.option(
        "--covariates", type=ColumnNames(),
        help="Columns of DATA used as covariates (comma-separated), e.g. Income,Savings: "
             "past covariates, seen up to the forecast origin, unless --future-covariates "
             "gives their future values.",
    )(function)


#: ``ctx.meta`` key under which the network options the user set are collected.
NETWORK_META = "tsforecast.network"
#: Parameter names of the network options whose setting has another name.
_OPTION_OF_SETTING = {"n_ensemble": "ensemble"}


def _collect(name):
    def store(ctx, param, value):
        if value is not None:
            ctx.meta.setdefault(NETWORK_META, {})[name] = value
        return value

    return store


def _setting_option(setting):
    """The command-line option of one network setting of :mod:`tsforecast.networks.spec`."""
    flag = "--" + setting.name.replace("_", "-")
    help_text = setting.doc.split(". ")[0].replace("``", "").rstrip(".") + "."
    common = {"callback": _collect(setting.name), "expose_value": False, "default": None,
              "help": f"{help_text} [network default: {_shown(setting.default)}]"}
    if setting.kind == "boolean":
        return click.option(f"{flag}/--no-{flag[2:]}", **common)
    types = {
        "units": IntList(),
        "rate": Fraction(0, 1, low_open=False, example=0.1),
        "positive_int": PositiveInt(setting.name.replace("_", " "), setting.default),
        "positive_real": PositiveFloat(example=setting.default),
        "choice": click.Choice(setting.choices),
        "period": PositiveInt("the period of the cycle", 12),
        "dilations": IntList("dilation per layer", "1,12 with two stacked layers"),
    }
    return click.option(flag, type=types[setting.kind], **common)


def _shown(value):
    return ",".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


def network_options(function):
    """Options of the recurrent-network models: every setting of
    :mod:`tsforecast.networks.spec` offered on the command line, plus the input window, the
    seed ensemble and the seed. Read them with :func:`network_settings`."""
    from tsforecast.networks.spec import RNN_SETTINGS

    decorators = [_setting_option(s) for s in RNN_SETTINGS if s.command_line]
    decorators += [
        click.option("--window", type=PositiveInt("past values the network sees", 24),
                     callback=_collect("window"), expose_value=False,
                     help="Input window length (default: from the season and series length)."),
        click.option("--ensemble", type=PositiveInt("models trained with different seeds", 5),
                     callback=_collect("n_ensemble"), expose_value=False,
                     help="Number of networks (seeds) whose forecasts are combined."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Random seed: the same seed gives the same forecasts."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def network_settings(ctx=None):
    """The network options the user set, as forecaster parameter names."""
    ctx = ctx or click.get_current_context()
    return dict(ctx.meta.get(NETWORK_META, {}))


def network_settings_for(model_names, ctx=None):
    """The network options for a command that trains ``model_names``.

    All of :func:`network_settings` when one of the models is a network. Otherwise only the
    options typed on the command line, for the command to refuse or report: settings kept
    for the networks in the environment or a config file do not stand in the way of a
    baseline.
    """
    from tsforecast import registry

    ctx = ctx or click.get_current_context()
    options = network_settings(ctx)
    if any(name in registry.NEURAL for name in model_names):
        return options
    from click.core import ParameterSource

    typed = {name for name in options
             if ctx.get_parameter_source(_OPTION_OF_SETTING.get(name, name))
             == ParameterSource.COMMANDLINE}
    return {name: value for name, value in options.items() if name in typed}

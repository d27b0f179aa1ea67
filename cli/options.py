"""Parameter types and shared options of the commands.

Every type fails with ``click.BadParameter`` (exit code 2) and a message that names the
problem and the fix. Nothing here imports the numerical stack.
"""

import math
import os
from pathlib import Path

import click
from tsforecast.cli.output import settings


class DataFile(click.ParamType):
    """A CSV file, or the name of a shipped dataset (``air_passengers``)."""

    name = "csv"

    def convert(self, value, param, ctx):
        if isinstance(value, Path):
            return value
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

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            numbers = tuple(int(part) for part in str(value).split(",") if part.strip())
        except ValueError:
            numbers = ()
        if not numbers or any(n < 1 for n in numbers):
            self.fail(
                f"{value!r} must be comma-separated positive integers (units per layer); "
                f"pass e.g. {_flag(param)} 64,32 for two stacked layers.",
                param,
                ctx,
            )
        return numbers


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


def output_options(function):
    """Add ``--json``, ``--quiet`` and ``--verbose`` (also accepted after the command)."""
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


#: ``ctx.meta`` key under which the network options the user set are collected.
NETWORK_META = "tsforecast.network"


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

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


def network_options(function):
    """Options of the recurrent-network models."""
    for decorator in reversed([
        click.option("--units", type=IntList(),
                     help="Units per recurrent layer, e.g. 64 or 64,32 (stacked)."),
        click.option("--bidirectional/--no-bidirectional", default=None,
                     help="Read each input window in both directions."),
        click.option("--window", type=PositiveInt("past values the network sees", 24),
                     help="Input window length (default: from the season and series length)."),
        click.option("--epochs", type=PositiveInt("passes over the training windows", 50),
                     help="Training epochs."),
        click.option("--batch-size", type=PositiveInt("windows per gradient step", 32),
                     help="Training batch size."),
        click.option("--learning-rate", type=PositiveFloat(), help="Optimizer learning rate."),
        click.option("--dropout", type=Fraction(0, 1, low_open=False, example=0.1),
                     help="Dropout rate in [0, 1)."),
        click.option("--ensemble", type=PositiveInt("models trained with different seeds", 5),
                     help="Number of networks (seeds) whose forecasts are combined."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Random seed: the same seed gives the same forecasts."),
    ]):
        function = decorator(function)
    return function


def network_settings(**values):
    """The network options the user set, as forecaster parameter names."""
    names = {
        "units": "units",
        "bidirectional": "bidirectional",
        "window": "window",
        "epochs": "epochs",
        "batch_size": "batch_size",
        "learning_rate": "learning_rate",
        "dropout": "dropout",
        "ensemble": "n_ensemble",
    }
    return {names[k]: v for k, v in values.items() if k in names and v is not None}

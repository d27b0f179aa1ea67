"""Option values from a TOML configuration file.

An option takes its value from, in this order: the command line, the environment
(``TSFORECAST_<COMMAND>_<OPTION>``, Click's ``auto_envvar_prefix``), the configuration file
and the option's default. The file is ``--config FILE`` (or ``TSFORECAST_CONFIG``), else
``$XDG_CONFIG_HOME/tsforecast/config.toml`` (``~/.config/tsforecast/config.toml`` when
``XDG_CONFIG_HOME`` is not set) if it exists. It has one table per command, keyed by the
option names, and top-level keys for the options of ``tsforecast`` itself::

    quiet = true

    [fit]
    horizon = 12
    model = "lstm"
    units = [16, 16]        # the same as units = "16,16"

    [datasets.export]
    force = true

The file becomes Click's ``default_map`` (hence the order above). It is checked as a whole
when it is read: an unknown command or option is an error that names the file and the
closest valid name, so that a typo never goes unnoticed.
"""

import difflib
import os
from pathlib import Path

import click

#: Name of the configuration file inside the configuration directory.
CONFIG_NAME = "config.toml"


def default_config_path():
    """``$XDG_CONFIG_HOME/tsforecast/config.toml``, or ``~/.config/tsforecast/config.toml``."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "tsforecast" / CONFIG_NAME


def use_config(ctx, param, value):
    """Callback of ``--config``: read the file into the defaults of ``ctx`` and its commands.

    Without ``--config`` the group reads the default file when there is one; a command
    without ``--config`` keeps what its group read.
    """
    if ctx.resilient_parsing:  # shell completion: no file, no errors
        return
    if value is None:
        if ctx.parent is not None:
            return
        path = default_config_path()
        if not path.is_file():
            return
    else:
        path = Path(os.path.expanduser(value))
        if not path.is_file():
            raise click.BadParameter(
                f"config file '{value}' does not exist; check the path (the default file is "
                f"{default_config_path()}).", ctx=ctx, param=param,
            )
    document = read_config(path, ctx.find_root().command)
    for name in _command_path(ctx):
        document = document.get(name, {})
    # a file named on the command line replaces the default one, also for a command
    # whose group has read the default file
    ctx.default_map = document


def read_config(path, root):
    """The file at ``path`` as a nested ``default_map`` for the command group ``root``."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: the same parser, as a package
        try:
            import tomli as tomllib
        except ImportError:
            raise click.UsageError(
                f"reading config file '{path}' needs Python 3.11 or the tomli package "
                "(`python -m pip install tomli`).") from None
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise click.UsageError(f"config file '{path}' is not valid TOML ({exc}); fix it or "
                               "pass another file with --config.") from None
    except OSError as exc:
        raise click.UsageError(f"cannot read config file '{path}': {exc.strerror}.") from None
    return _defaults(document, root, path, [])


def _defaults(table, command, path, where):
    """Check ``table`` against the options (and subcommands) of ``command``."""
    options = _option_names(command)
    subcommands = getattr(command, "commands", {})
    defaults = {}
    for key, value in table.items():
        if isinstance(value, dict) and key in subcommands:
            defaults[key] = _defaults(value, subcommands[key], path, [*where, key])
            continue
        param = options.get(key.replace("-", "_"))
        if param is None or isinstance(value, dict):
            section = f"[{'.'.join(where)}]" if where else "the top level (options of tsforecast)"
            choices = sorted(options) + sorted(subcommands)
            close = difflib.get_close_matches(key, choices, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            what = "command" if isinstance(value, dict) else "option"
            raise click.UsageError(
                f"config file '{path}': {section} has no {what} '{key}'; {hint}valid names: "
                f"{', '.join(choices)}."
            )
        defaults[param.name] = _as_option_value(value, param)
    return defaults


def _option_names(command):
    """Option name (``horizon``, ``season_length``) -> parameter, for every option that a
    file may set (all but the eager ones: ``--config``, ``--help``, ``--version``)."""
    names = {}
    for param in command.params:
        if not isinstance(param, click.Option) or param.is_eager:
            continue
        for flag in param.opts:
            if flag.startswith("--"):
                names[flag[2:].replace("-", "_")] = param
    return names


def _as_option_value(value, param):
    """A TOML value as the option would receive it: a list is comma-separated text
    (``[16, 16]`` -> ``"16,16"``) unless the option is repeatable."""
    if isinstance(value, list):
        if param.multiple:
            return [str(item) for item in value]
        return ",".join(str(item) for item in value)
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # TOML dates and times, as written


def _command_path(ctx):
    """The command names from the group down to ``ctx`` (``["datasets", "export"]``)."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return names[::-1]


def config_option(function):
    """Add ``--config FILE`` (eager: read before the other options take their values)."""
    return click.option(
        "--config", metavar="FILE", is_eager=True, expose_value=False, callback=use_config,
        help=f"Read option defaults from this TOML file (default: {_shown_default()}).",
    )(function)


def _shown_default():
    return "$XDG_CONFIG_HOME/tsforecast/config.toml or ~/.config/tsforecast/config.toml"

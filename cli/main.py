"""The ``tsforecast`` command: a Click group with one module per command.

Only Click and the standard library are imported here and in the command modules at
import time; numpy, pandas, scikit-learn, statsmodels and Keras are imported inside the
command bodies, so ``tsforecast --help`` starts fast.
"""

import os
import sys

import click
from tsforecast.cli.common import written_files
from tsforecast.cli.compare import compare
from tsforecast.cli.datasets_command import datasets
from tsforecast.cli.errors import friendly_error, print_traceback
from tsforecast.cli.explain import explain
from tsforecast.cli.fit import fit
from tsforecast.cli.info import info
from tsforecast.cli.options import output_options, progress_option
from tsforecast.cli.output import Settings, settings
from tsforecast.cli.predict import predict
from tsforecast.cli.tune import tune

import tsforecast

#: Exit status of a command stopped with Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED_EXIT_CODE = 130
#: Exit status when the reader of standard output went away (``| head``): 128 + SIGPIPE,
#: the status a shell reports for any tool that SIGPIPE stops, so that ``pipefail``
#: scripts can tell it from a failure (1) as they do for other tools.
BROKEN_PIPE_EXIT_CODE = 141


def interrupted_message(written):
    """The one line printed on Ctrl-C: what was (not) saved."""
    if not written:
        return "Interrupted; nothing was saved."
    return f"Interrupted; already written: {', '.join(repr(p) for p in written)}."


class _Group(click.Group):
    """A group whose commands report failures as one-line errors (tracebacks with -v)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo(interrupted_message(written_files()), err=True)
            raise click.exceptions.Exit(INTERRUPTED_EXIT_CODE) from None
        except BrokenPipeError:
            _silence_stdout()
            raise click.exceptions.Exit(BROKEN_PIPE_EXIT_CODE) from None
        except Exception as exc:
            if settings().verbose:
                print_traceback()
            raise friendly_error(exc) from exc


def _silence_stdout():
    """The reader of our output went away (e.g. ``| head``): stop quietly, as Unix tools
    do. Standard output goes to devnull so that the interpreter's final flush cannot fail
    again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100,
                    "auto_envvar_prefix": "TSFORECAST"}


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@output_options
@progress_option
@click.version_option(tsforecast.__version__, "--version", prog_name="tsforecast")
@click.pass_context
def cli(ctx):
    """Forecast time series from a CSV file with recurrent networks and honest baselines.

    \b
      tsforecast fit data.csv           train, score on a holdout, save data.tsf
      tsforecast predict data.tsf       forecast with intervals (--plot f.png)
      tsforecast compare data.csv       backtest leaderboard (--models snaive,ets,auto)
      tsforecast tune data.csv --model lstm --grid units=8,16
                                        search parameters by backtest
      tsforecast explain data.tsf       inside the network: gradient flow, memory, gates
      tsforecast datasets list          the shipped series (a name works as DATA)

    '-' as DATA reads the CSV from standard input; as --output of a data file (a
    forecast, a leaderboard, a table) it writes to standard output:
    `cat data.csv | tsforecast compare - -o - | head`.

    \b
    Where options take their values, first match wins:
      1. the command line;
      2. the environment: TSFORECAST_<COMMAND>_<OPTION>, e.g. TSFORECAST_FIT_HORIZON=12,
         TSFORECAST_COMPARE_MODELS=ets,auto, and TSFORECAST_<OPTION> for the options
         below (TSFORECAST_QUIET=1);
      3. a TOML config file: --config FILE (or TSFORECAST_CONFIG), else
         $XDG_CONFIG_HOME/tsforecast/config.toml (~/.config/tsforecast/config.toml),
         with one table per command and the options below at the top, e.g.
             quiet = true
             [fit]
             horizon = 12
             units = [16, 16]
      4. the defaults shown by each command's --help.

    Exit status: 0 done, 1 failed (a one-line error), 2 bad usage, 130 interrupted
    (Ctrl-C), 141 standard output closed early (as when a tool is stopped by SIGPIPE).

    Shell completion: eval "$(_TSFORECAST_COMPLETE=bash_source tsforecast)".
    """
    if not isinstance(ctx.obj, Settings):
        ctx.obj = settings()


cli.add_command(fit)
cli.add_command(predict)
cli.add_command(compare)
cli.add_command(tune)
cli.add_command(explain)
cli.add_command(datasets)
cli.add_command(info)


def main():
    """The ``tsforecast`` console command."""
    try:
        cli(prog_name="tsforecast")
    except SystemExit as stop:
        if stop.code in (0, None):
            # what is still buffered meets a closed pipe only now
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                _silence_stdout()
                sys.exit(BROKEN_PIPE_EXIT_CODE)
        if stop.code == INTERRUPTED_EXIT_CODE:
            # Networks may still be training in worker threads, inside the backend's native
            # code, and finalising the interpreter under them aborts the process. The
            # interrupt has already unwound (temporary files removed, clusters closed), so
            # leave at once with the status of the interrupt.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(INTERRUPTED_EXIT_CODE)
        raise

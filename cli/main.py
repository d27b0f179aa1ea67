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
from tsforecast.cli.fit import fit
from tsforecast.cli.info import info
from tsforecast.cli.options import output_options
from tsforecast.cli.output import Settings, settings
from tsforecast.cli.predict import predict

import tsforecast

#: Exit status of a command stopped with Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED_EXIT_CODE = 130


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
            # the reader of our output went away (e.g. `| head`): stop quietly, as Unix tools do;
            # stdout goes to devnull so the interpreter's final flush cannot fail again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(1) from None
        except Exception as exc:
            if settings().verbose:
                print_traceback()
            raise friendly_error(exc) from exc


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@output_options
@click.version_option(tsforecast.__version__, "--version", prog_name="tsforecast")
@click.pass_context
def cli(ctx):
    """Forecast time series from a CSV file with recurrent networks and honest baselines.

    \b
      tsforecast fit data.csv           train, score on a holdout, save data.tsf
      tsforecast predict data.tsf       forecast with intervals (--plot f.png)
      tsforecast compare data.csv       backtest leaderboard (--models snaive,ets,auto)
      tsforecast datasets list          the shipped series (a name works as DATA)

    Shell completion: eval "$(_TSFORECAST_COMPLETE=bash_source tsforecast)".
    """
    if not isinstance(ctx.obj, Settings):
        ctx.obj = settings()


cli.add_command(fit)
cli.add_command(predict)
cli.add_command(compare)
cli.add_command(datasets)
cli.add_command(info)


def main():
    """The ``tsforecast`` console command."""
    try:
        cli(prog_name="tsforecast")
    except SystemExit as stop:
        if stop.code == INTERRUPTED_EXIT_CODE:
            # Networks may still be training in worker threads, inside the backend's native
            # code, and finalising the interpreter under them aborts the process. The
            # interrupt has already unwound (temporary files removed, clusters closed), so
            # leave at once with the status of the interrupt.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(INTERRUPTED_EXIT_CODE)
        raise

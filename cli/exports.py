"""Data files that commands write: to a path, or to standard output for ``-``.

A result table (the leaderboard of ``compare``, the candidates of ``tune``) is written as
CSV, JSON or Markdown, chosen by ``--output-format`` or the file name's suffix (CSV for
``-``). At most one result goes to standard output in one run: the human-readable text
is then left out and ``--json`` cannot be combined with another ``-``.
"""

from pathlib import Path

import click
from tsforecast.cli.common import atomic_output, check_writable
from tsforecast.cli.output import note, settings

#: File-name suffixes of the table formats.
TABLE_FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown", ".markdown": "markdown"}


def table_output_options(what):
    """``--output FILE|-`` and ``--output-format`` for a table; ``what`` describes it."""
    def decorate(function):
        function = click.option(
            "--output-format", type=click.Choice(["csv", "json", "md"]),
            help="Format of --output (default: from its suffix; csv for '-').",
        )(function)
        return click.option(
            "--output", "-o", type=click.Path(dir_okay=False, allow_dash=True),
            help=f"Write {what}: .csv, .json or .md, or '-' for standard output.",
        )(function)

    return decorate


def table_format(output, output_format, option="--output"):
    """The format (``csv``, ``json`` or ``markdown``) of the table written to ``output``."""
    if output_format is not None:
        return "markdown" if output_format == "md" else output_format
    if output == "-":
        return "csv"
    kind = TABLE_FORMATS.get(Path(output).suffix.lower())
    if kind is None:
        raise click.BadParameter(
            f"cannot tell the format of '{output}'; use a .csv, .json or .md file name "
            "(or --output-format).", param_hint=f"'{option}'",
        )
    return kind


def check_image_suffix(path, option="--plot"):
    """Fail (exit 2) unless ``path`` names an image format that matplotlib writes."""
    if Path(path).suffix.lower() not in (".png", ".svg", ".pdf", ".jpg", ".jpeg"):
        raise click.BadParameter(
            f"cannot tell the image format of '{path}'; use a .png, .svg or .pdf file name.",
            param_hint=f"'{option}'",
        )


def check_outputs(**paths):
    """Check the output options given as ``{option: path}`` before any work: each file
    can be written, and at most one of them (or ``--json``) is standard output.

    Returns whether one of them is standard output (the command then prints no text)."""
    to_stdout = [option for option, path in paths.items() if path == "-"]
    if settings().json:
        to_stdout.append("--json")
    if len(to_stdout) > 1:
        raise click.UsageError(f"{' and '.join(to_stdout)} all write to standard output; "
                               "send all but one of them to files.")
    for option, path in paths.items():
        if path not in (None, "-"):
            check_writable(path, option)
    return any(path == "-" for path in paths.values())


def write_text(path, text, what):
    """Write ``text`` to the file ``path`` (whole or not at all) or to standard output."""
    if not text.endswith("\n"):
        text += "\n"
    if path == "-":
        click.echo(text, nl=False)
        return
    with atomic_output(path) as temporary, \
            open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    note(f"Wrote {what} to '{path}'")

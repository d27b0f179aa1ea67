"""``tsforecast datasets list|show|export``: the real series shipped with tsforecast."""

import shutil
import sys

import click
from tsforecast.cli.common import atomic_output
from tsforecast.cli.errors import CommandError
from tsforecast.cli.options import output_options
from tsforecast.cli.output import emit_json, format_table, result


class DatasetName(click.ParamType):
    """The name of a shipped dataset."""

    name = "name"

    def convert(self, value, param, ctx):
        from tsforecast import datasets

        try:
            datasets.dataset_path(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        return datasets.describe(value)["name"]

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        from tsforecast import datasets

        return [CompletionItem(n) for n in datasets.list_datasets() if n.startswith(incomplete)]


@click.group()
def datasets():
    """List, describe and export the shipped series."""


@datasets.command("list")
@output_options
def list_command():
    """List the shipped datasets (their names work wherever a CSV file is expected)."""
    from tsforecast import datasets as shipped

    described = [shipped.describe(name) for name in shipped.list_datasets()]
    emit_json(described)
    rows = [
        [d["name"], d["frequency"], f"{d['n']:,}", str(d["n_series"]), d["title"]]
        for d in described
    ]
    result(format_table(rows, ["name", "frequency", "values", "series", "title"],
                        align="<<>><"))
    result()
    result("Use a name as DATA, e.g. `tsforecast fit air_passengers`, or "
           "`tsforecast datasets show NAME`.")


@datasets.command("show")
@click.argument("name", type=DatasetName())
@click.option("--rows", type=click.IntRange(min=0), default=5, show_default=True,
              help="Number of first and last rows to print.")
@output_options
def show_command(name, rows):
    """Describe dataset NAME: title, source, frequency, size and first/last values."""
    from tsforecast import datasets as shipped

    description = shipped.describe(name)
    description["file"] = str(shipped.dataset_path(name))
    emit_json(description)
    for key in ("name", "title", "frequency", "n", "n_series", "start", "end", "columns",
                "source", "description", "file"):
        value = description[key]
        if isinstance(value, list):
            value = ", ".join(value)
        result(f"{key + ':':13} {value}")
    if rows:
        data = shipped.load(name)
        frame = data.to_frame() if hasattr(data, "to_frame") else data
        if frame.shape[1] > 6:
            frame = frame.iloc[:, :6]
        result()
        result(frame.to_string(max_rows=2 * rows, min_rows=2 * rows))


@datasets.command("export")
@click.argument("name", type=DatasetName())
@click.argument("output", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@output_options
def export_command(name, output, force):
    """Write dataset NAME as CSV to OUTPUT ('-' for standard output)."""
    from pathlib import Path

    from tsforecast import datasets as shipped

    source = shipped.dataset_path(name)
    if output == "-":
        with open(source, encoding="utf-8") as handle:
            shutil.copyfileobj(handle, sys.stdout)
        return
    target = Path(output)
    if target.exists() and not force:
        raise CommandError(f"'{output}' already exists; pass --force to overwrite it.")
    if not target.parent.is_dir():
        raise click.BadParameter(
            f"directory '{target.parent}' does not exist; create it first.",
            param_hint="'OUTPUT'",
        )
    with atomic_output(target) as temporary:
        shutil.copyfile(source, temporary)
    emit_json({"name": name, "output": str(target)})
    result(f"Wrote {name} to '{output}' (fit it with: tsforecast fit {output})")

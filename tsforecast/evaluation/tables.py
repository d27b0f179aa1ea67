"""Aligned text tables: plain (for a terminal) or GitHub-flavoured Markdown.

:func:`format_table` lays out cells that are already text; the command line prints its
tables with it, and :func:`markdown_table` formats a DataFrame (a comparison's exports)
through it.
"""

import math

import numpy as np
import pandas as pd

from tsforecast.validation import check_choice

__all__ = ["format_table", "markdown_table"]


def format_table(rows, headers, *, style="plain", align=None, indent=""):
    """Lay out ``rows`` under ``headers`` as an aligned table.

    Parameters
    ----------
    rows : iterable of sequences
        The cells of each row, already formatted (``str`` is applied to each).
    headers : sequence
        One header per column.
    style : {"plain", "markdown"}, default="plain"
        ``"plain"``: columns separated by two spaces, no rule, trailing spaces removed.
        ``"markdown"``: a GitHub-flavoured Markdown table (``|`` in a cell is escaped).
    align : str, optional
        ``"<"`` (left) or ``">"`` (right) for each column; by default the first column
        is left-aligned and the others right-aligned.
    indent : str, default=""
        Put before every line.

    Returns
    -------
    str
        The lines of the table, without a final newline.

    Examples
    --------
    >>> print(format_table([["naive", "1.00"], ["lstm", "0.41"]], ["model", "MASE"]))
    model  MASE
    naive  1.00
    lstm   0.41
    >>> print(format_table([["naive", "1.00"]], ["model", "MASE"], style="markdown"))
    | model | MASE |
    |:------|-----:|
    | naive | 1.00 |
    """
    check_choice(style, "style", ("plain", "markdown"))
    escape = (lambda text: text.replace("|", "\\|")) if style == "markdown" else str
    headers = [escape(str(h)) for h in headers]
    rows = [[escape(str(cell)) for cell in row] for row in rows]
    align = align or "<" + ">" * (len(headers) - 1)
    widths = [
        max([len(headers[j])] + [len(row[j]) for row in rows]) for j in range(len(headers))
    ]

    def cells(row):
        return [f"{cell:{a}{w}}" for cell, a, w in zip(row, align, widths)]

    if style == "plain":
        lines = [(indent + "  ".join(cells(row))).rstrip() for row in [headers, *rows]]
    else:
        rule = [("-" * (w + 1) + ":") if a == ">" else (":" + "-" * (w + 1))
                for a, w in zip(align, widths)]
        lines = [indent + "| " + " | ".join(cells(row)) + " |" for row in [headers, *rows]]
        lines.insert(1, indent + "|" + "|".join(rule) + "|")
    return "\n".join(lines)


def markdown_table(frame, *, digits=3):
    """Format a DataFrame as a GitHub-flavoured Markdown table (no extra dependency).

    Numbers are right-aligned, floats shown with ``digits`` decimals, NaN as an empty cell.

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"model": ["a"], "mase": [0.51234]})))
    | model |  mase |
    |:------|------:|
    | a     | 0.512 |
    """

    def cell(value):
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return ""
        if isinstance(value, (float, np.floating)):
            return f"{value:.{digits}f}"
        return str(value)

    def is_number(column):
        return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)

    align = "".join(">" if is_number(frame[c]) else "<" for c in frame.columns)
    body = [[cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return format_table(body, frame.columns, style="markdown", align=align)

"""How a CSV file is written: encoding, delimiter, decimal mark, header row; reading its cells.

The file is sampled first (the first 64 KiB, or more for very wide rows) to choose the
delimiter, the decimal mark and whether the first line is a header; then every cell is read
as stripped text, so that the column logic sees exactly what the file holds.
"""

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

from tsforecast.dataio.checks import DataError
from tsforecast.dataio.dates import _DATE_LIKE

_SAMPLE_BYTES = 1 << 16
_NUMBER_LIKE = re.compile(
    r"^[+-]?(\d[\d.,]*([eE][+-]?\d+)?|\.\d+|inf|infinity|nan)$", re.IGNORECASE
)


def _read_table(path, sep, notes):
    """Every cell of the file as stripped text (NaN when empty), its line numbers, decimal mark."""
    lines, encoding = _read_sample(path)
    sep, decimal = _choose_delimiter(lines, sep, notes)
    header = _has_header(lines, sep)
    if header and len(lines) == 1:
        raise DataError(
            f"file '{path.name}' has a header ({lines[0].strip()[:60]}) but no data rows; "
            "add one row per timestamp."
        )
    frame, line_numbers = _read_frame(path, sep, header, encoding)
    if not header:
        notes.append(
            f"No header row: columns named {', '.join(map(str, frame.columns[:4]))}"
            f"{', ...' if frame.shape[1] > 4 else ''}."
        )
    if len(frame) == 0:
        raise DataError(
            f"file '{path.name}' has a header but no data rows; add one row per timestamp."
        )
    return frame, line_numbers, decimal


def _read_sample(path):
    if not path.exists():
        raise DataError(
            f"file '{path}' does not exist; check the path (relative paths start in {Path.cwd()})."
        )
    if path.is_dir():
        raise DataError(f"'{path}' is a directory, not a CSV file; pass the path of a .csv file.")
    try:
        with path.open("rb") as handle:
            raw = handle.read(_SAMPLE_BYTES + 1)
            # very wide files: keep reading until the sample holds a few whole lines
            while raw.count(b"\n") < 3 and (more := handle.read(_SAMPLE_BYTES)):
                raw += more
    except OSError as error:
        raise DataError(
            f"cannot read '{path}': {error.strerror}; check that the file is readable."
        ) from None
    if not raw.strip():
        raise DataError(
            f"file '{path.name}' is empty; it needs a header line (e.g. date,value) and one row per timestamp."
        )
    if b"\x00" in raw:
        raise DataError(
            f"file '{path.name}' is not a text CSV file (it contains binary data); "
            "export the data as CSV first."
        )
    truncated = len(raw) > _SAMPLE_BYTES and path.stat().st_size > len(raw)
    encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        if truncated and error.start >= len(raw) - 4:
            text = raw[: error.start].decode(encoding)
        else:
            encoding = "latin-1"
            text = raw.decode(encoding)
    lines = text.splitlines()
    if truncated:
        lines = lines[:-1]
    return [line for line in lines if line.strip()], encoding


def _split(line, sep):
    try:
        return next(csv.reader([line], delimiter=sep, skipinitialspace=True), [])
    except csv.Error:  # a field longer than the csv module's limit: no quoting to honour
        return line.split(sep)


def _choose_delimiter(lines, sep, notes):
    sample = lines[:50]
    if sep is not None:
        sep = {"\\t": "\t", "tab": "\t"}.get(sep, sep)
        if not isinstance(sep, str) or len(sep) != 1:
            raise DataError(
                f"`sep`={sep!r} must be a single character such as ',', ';' or '\\t'; pass one of them."
            )
        decimal = _decimal_for(sample, sep, notes)
        return sep, decimal
    best, best_fields = None, 1
    for candidate in (",", ";", "\t", "|"):
        counts = {len(_split(line, candidate)) for line in sample}
        if len(counts) == 1 and (fields := counts.pop()) > best_fields:
            best, best_fields = candidate, fields
    if best is None:
        # No delimiter gives the same field count on every line: take the most frequent one and
        # let the parser report the ragged line.
        scores = {
            c: sum(len(_split(line, c)) > 1 for line in sample) for c in (",", ";", "\t", "|")
        }
        best = max(scores, key=scores.get) if max(scores.values()) else ","
    if best != ",":
        notes.append(f"Delimiter {best!r} detected.")
    return best, _decimal_for(sample, best, notes)


def _decimal_for(sample, sep, notes):
    if sep == ",":
        return "."
    cells = [cell.strip() for line in sample[1:] for cell in _split(line, sep)]
    if any(re.fullmatch(r"[+-]?\d+(\.\d{3})*,\d+", cell) for cell in cells) and not any(
        re.fullmatch(r"[+-]?\d*\.\d+", cell)
        and not re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}", cell)
        for cell in cells
    ):
        notes.append("Numbers use a decimal comma (e.g. 1,5).")
        return ","
    return "."


def _has_header(lines, sep):
    """A header row has a text cell above a column of numbers or dates (or is the only line)."""

    def data_like(cell):
        return bool(_NUMBER_LIKE.match(cell) or _DATE_LIKE.match(cell))

    first = [cell.strip() for cell in _split(lines[0], sep)]
    if len(lines) == 1:
        return not any(data_like(cell) for cell in first if cell)
    below = [[cell.strip() for cell in _split(line, sep)] for line in lines[1:21]]
    for position, cell in enumerate(first):
        if not cell or data_like(cell):
            continue
        column = [row[position] for row in below if position < len(row) and row[position]]
        if column and sum(map(data_like, column)) >= len(column) / 2:
            return True
    return False


def _read_frame(path, sep, header, encoding):
    options = {
        "sep": sep,
        "dtype": str,
        "skip_blank_lines": False,
        "skipinitialspace": True,
        "encoding": encoding,
    }
    try:
        frame = pd.read_csv(path, header=0 if header else None, **options)
    except pd.errors.EmptyDataError:
        raise DataError(
            f"file '{path.name}' is empty; it needs a header line (e.g. date,value) "
            "and one row per timestamp."
        ) from None
    except pd.errors.ParserError as error:
        detail = str(error).strip().splitlines()[-1].rstrip(".")
        raise DataError(
            f"cannot parse '{path.name}': {detail}; make every row have the same number of fields "
            f"or pass the right delimiter (sep=..., detected {sep!r})."
        ) from None
    except UnicodeDecodeError:
        frame = pd.read_csv(
            path, header=0 if header else None, **{**options, "encoding": "latin-1"}
        )
    if header:
        frame.columns = [str(c).strip() for c in frame.columns]
    else:
        frame.columns = [f"column{i + 1}" for i in range(frame.shape[1])]
    cells = (
        pd.Series(frame.to_numpy(dtype=object).ravel(), dtype=object)
        .str.strip()
        .replace("", np.nan)
    )
    frame = pd.DataFrame(cells.to_numpy(dtype=object).reshape(frame.shape), columns=frame.columns)
    line_numbers = np.arange(len(frame)) + (2 if header else 1)
    blank = frame.isna().all(axis=1).to_numpy()
    return frame.loc[~blank].reset_index(drop=True), line_numbers[~blank]

"""Which column is what: the time, series-id and value columns, and the numbers they hold.

Columns named by the user are resolved (by name, case-insensitive name or position); the
others are detected from their names and content. Value cells are converted to numbers and
checked: text and infinite values are refused with the line they are on.
"""

import numpy as np
import pandas as pd

from tsforecast.dataio.checks import DataError
from tsforecast.dataio.dates import (
    _DATE_LIKE,
    _integer_times,
    _is_integer_column,
    _looks_like_years,
    _parse_times,
)

_TIME_NAMES = frozenset(
    [
        "date",
        "time",
        "timestamp",
        "datetime",
        "ds",
        "dt",
        "month",
        "year",
        "week",
        "day",
        "period",
        "quarter",
        "hour",
        "minute",
        "index",
        "t",
    ]
)

_ID_NAMES = frozenset(
    [
        "unique_id",
        "id",
        "series",
        "series_id",
        "item_id",
        "item",
        "key",
        "name",
        "sku",
        "store",
        "ts_id",
        "group",
    ]
)

_VALUE_NAMES = ("y", "value", "values", "target", "sales", "demand", "count", "volume")


def _resolve_column(frame, column, name, path):
    if column is None:
        return None
    if isinstance(column, (int, np.integer)) and not isinstance(column, bool):
        if not -frame.shape[1] <= column < frame.shape[1]:
            raise DataError(
                f"`{name}`={column!r} is out of range: '{path.name}' has {frame.shape[1]} columns; "
                f"pass a position from 0 to {frame.shape[1] - 1} or a column name."
            )
        return frame.columns[column]
    if column not in frame.columns:
        lowered = {str(c).lower(): c for c in frame.columns}
        if str(column).lower() in lowered:
            return lowered[str(column).lower()]
        raise DataError(
            f"`{name}`={column!r} is not a column of '{path.name}' "
            f"(columns: {', '.join(map(str, frame.columns))}); pass one of them."
        )
    return column


def _resolve_targets(frame, target, path):
    if target is None:
        return []
    items = [target] if isinstance(target, (str, int, np.integer)) else list(target)
    return [_resolve_column(frame, item, "target", path) for item in items]


def _to_numbers(frame, decimal):
    cells = pd.Series(frame.to_numpy(dtype=object).ravel(), dtype=object)
    number = _to_number(cells, decimal).to_numpy(dtype=float)
    return pd.DataFrame(number.reshape(frame.shape), columns=frame.columns)


def _to_number(column, decimal):
    text = column.astype("str")
    if decimal == ",":
        comma_number = text.str.fullmatch(r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        text = text.where(comma_number | ~text.str.contains(r"\d", regex=True))
    return pd.to_numeric(text.where(column.notna()), errors="coerce")


def _numeric_shares(frame, numbers):
    """Column -> share of its filled cells that hold a number."""
    filled = frame.notna().to_numpy()
    parsed = filled & numbers.notna().to_numpy()
    return dict(
        zip(frame.columns, parsed.sum(axis=0) / np.maximum(filled.sum(axis=0), 1), strict=True)
    )


def _read_time_column(frame, numbers, shares, time_col, taken, date_format, line_numbers, notes):
    """The time column (given, else detected) and its times; ``(None, None)`` without one."""
    if time_col is None:
        return _detect_time_column(frame, numbers, shares, taken, date_format, line_numbers, notes)
    if time_col in taken:
        raise DataError(
            f"column {time_col!r} cannot be both the time column and a value or id column; "
            "pass different columns."
        )
    return time_col, _read_times(frame, numbers, shares, time_col, date_format, line_numbers, notes)


def _read_times(frame, numbers, shares, column, date_format, line_numbers, notes):
    if date_format is None and _is_integer_column(frame[column], numbers[column], shares[column]):
        return _integer_times(numbers[column], column, line_numbers, notes)
    return _parse_times(frame[column], column, date_format, line_numbers, notes)


def _detect_time_column(frame, numbers, shares, taken, date_format, line_numbers, notes):
    candidates = [c for c in frame.columns if c not in taken]
    by_name = [
        c
        for c in candidates
        if str(c).lower() in _TIME_NAMES or any(key in str(c).lower() for key in ("date", "time"))
    ]
    if by_name:
        column = by_name[0]
        return column, _read_times(frame, numbers, shares, column, date_format, line_numbers, notes)
    for column in candidates:
        if shares[column] >= 0.5:
            continue
        values = frame[column].dropna().unique()
        matches = (
            np.mean([bool(_DATE_LIKE.match(str(v))) for v in values[:200]]) if len(values) else 0
        )
        letters = pd.Series(values[:200], dtype=str).str.contains(
            r"^[A-Za-z]{3,9}[ -]\d{2,4}$|^\d{1,2}[ -][A-Za-z]{3,9}"
        )
        if matches >= 0.5 or (len(values) and letters.mean() >= 0.5):
            return column, _parse_times(frame[column], column, date_format, line_numbers, notes)
    first = frame.columns[0]
    if (
        first not in taken
        and frame.shape[1] > 1
        and _looks_like_years(frame[first], numbers[first], consecutive=True)
    ):
        return first, _parse_times(frame[first], first, "%Y", line_numbers, notes)
    notes.append(
        "No time column found: rows are taken in file order and indexed 0, 1, 2, ... "
        "(pass time_col=... to name one)."
    )
    return None, None


def _detect_id_column(frame, shares, others, times, notes):
    named = [c for c in others if str(c).lower() in _ID_NAMES]
    if named:
        notes.append(f"Series id column {named[0]!r} (long layout).")
        return named[0]
    text = [c for c in others if shares[c] < 0.5 and frame[c].notna().any()]
    if text and times is not None and times.has_duplicates and len(text) == 1:
        notes.append(
            f"Series id column {text[0]!r}: timestamps repeat, one series per id (long layout)."
        )
        return text[0]
    return None


def _detect_targets(frame, shares, others, layout, path, notes):
    numeric = [c for c in others if shares[c] >= 0.5]
    if not numeric:
        empty = [c for c in others if frame[c].isna().all()]
        if empty:
            raise DataError(
                f"column {empty[0]!r} has no values (all {len(frame)} cells are empty or NA); "
                "fill in the values or pass target=<a column with numbers>."
            )
        raise DataError(
            f"file '{path.name}' has no numeric column (columns: {', '.join(map(str, frame.columns))}); "
            "the values to forecast must be numbers: check the delimiter (sep=...) and the decimal separator."
        )
    rest = [c for c in others if shares[c] < 0.5]
    empty = [c for c in rest if frame[c].isna().all()]
    ignored = [c for c in rest if not frame[c].isna().all()]
    if empty:
        notes.append(f"Ignored empty column(s) {', '.join(map(repr, empty))}.")
    if ignored:
        notes.append(f"Ignored text column(s) {', '.join(map(repr, ignored))}.")
    if layout == "long" and len(numeric) > 1:
        named = [c for c in numeric if str(c).lower() in _VALUE_NAMES]
        chosen = named[0] if named else numeric[-1]
        notes.append(
            f"Value column {chosen!r} chosen among {', '.join(map(repr, numeric))} (pass target=... to change)."
        )
        return [chosen]
    return numeric


def _check_values(cells, numbers, line_numbers):
    filled = cells.notna().to_numpy()
    number = numbers.to_numpy(dtype=float)
    empty = ~filled.any(axis=0)
    if empty.any():
        name = cells.columns[int(np.argmax(empty))]
        raise DataError(
            f"column {name!r} has no values (all {len(cells)} cells are empty or NA); "
            "fill in the values or pass target=<a column with numbers>."
        )
    bad = filled & np.isnan(number)
    if bad.any():
        column = int(np.argmax(bad.any(axis=0)))
        name, rows = cells.columns[column], np.flatnonzero(bad[:, column])
        what = (
            "holds text, not numbers"
            if len(rows) == filled[:, column].sum()
            else f"has {len(rows)} non-numeric value(s)"
        )
        raise DataError(
            f"column {name!r} {what}: {cells.iloc[rows[0], column]!r} on line {int(line_numbers[rows[0]])}; "
            "fix those cells (leave a cell empty for a missing value) or pass target=<a numeric column>."
        )
    infinite = np.isinf(number)
    if infinite.any():
        column = int(np.argmax(infinite.any(axis=0)))
        name, rows = cells.columns[column], np.flatnonzero(infinite[:, column])
        raise DataError(
            f"column {name!r} has {len(rows)} infinite value(s): {cells.iloc[rows[0], column]!r} on line "
            f"{int(line_numbers[rows[0]])}; replace them with finite numbers or leave the cells empty."
        )

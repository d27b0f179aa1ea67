"""Read time series from CSV files, say what was inferred, and reject bad input clearly.

:func:`read_csv` accepts the files people actually have: comma, semicolon or tab separated,
with or without a header row, ISO or common day-first/month-first dates, time zones, rows in
any order, one series (``date,value``), several series side by side (wide: ``date,A,B``) or
stacked (long: ``unique_id,ds,y``, thousands of series). Every problem it cannot repair is a
:class:`DataError` whose one-line message names the problem and the fix, and everything it
guessed is listed in :attr:`CSVData.notes` so a wrong guess is visible and can be overridden.
"""

import csv
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from tsforecast.frequency import frequency_name, infer_frequency, season_length

__all__ = ["FILL_METHODS", "CSVData", "DataError", "check_length", "infer_freq", "read_csv"]

FILL_METHODS = ("interpolate", "ffill", "zero")

_FILL_HINT = "pass fill='interpolate', 'ffill' or 'zero' (CLI: --fill interpolate)"
_SAMPLE_BYTES = 1 << 16
_MAX_SHOWN = 5

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

# (pattern of the date part, candidate formats); the first pattern that every value matches wins.
_DATE_PATTERNS = (
    (
        r"\d{4}-\d{1,2}(?:-\d{1,2})?(?:[T ]\d{1,2}(?::\d{2}){0,2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?",
        ("ISO8601",),
    ),
    (r"\d{4}", ("%Y",)),
    (r"\d{4}/\d{1,2}/\d{1,2}", ("%Y/%m/%d",)),
    (r"\d{4}\.\d{1,2}\.\d{1,2}", ("%Y.%m.%d",)),
    (r"\d{4}/\d{1,2}", ("%Y/%m",)),
    (r"\d{1,2}/\d{1,2}/\d{4}", ("%d/%m/%Y", "%m/%d/%Y")),
    (r"\d{1,2}/\d{1,2}/\d{2}", ("%d/%m/%y", "%m/%d/%y")),
    (r"\d{1,2}-\d{1,2}-\d{4}", ("%d-%m-%Y", "%m-%d-%Y")),
    (r"\d{1,2}\.\d{1,2}\.\d{4}", ("%d.%m.%Y",)),
    (r"\d{1,2}\.\d{1,2}\.\d{2}", ("%d.%m.%y",)),
    (r"\d{1,2}/\d{4}", ("%m/%Y",)),
    (r"\d{8}", ("%Y%m%d",)),
    (r"\d{6}", ("%Y%m",)),
    (r"\d{4} ?-? ?[Qq][1-4]", ("quarter",)),
)
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}|^\d{4}$|^\d{4} ?-? ?[Qq][1-4]$")
_NUMBER_LIKE = re.compile(
    r"^[+-]?(\d[\d.,]*([eE][+-]?\d+)?|\.\d+|inf|infinity|nan)$", re.IGNORECASE
)


class DataError(ValueError):
    """The input data cannot be used as it is; the message says what is wrong and how to fix it."""


@dataclass
class CSVData:
    """What :func:`read_csv` read and what it inferred.

    Attributes
    ----------
    y : pandas.Series or pandas.DataFrame
        One series (layout ``"single"``) or a wide frame with one column per series
        (layouts ``"wide"`` and ``"long"``; NaN before a series starts and after it ends).
        Indexed by a ``DatetimeIndex`` with ``freq`` set; by a ``RangeIndex`` of row positions
        when the file has no time column, or of the time steps when the time column holds
        whole numbers (``t = 1, 2, 3, ...``).
    time_col : str or None
        Column read as time, None when rows are taken in file order.
    target : str or list of str
        Value column (single, long) or columns (wide).
    id_col : str or None
        Series identifier column of a long file.
    freq : str or None
        pandas frequency alias (``"MS"``, ``"W-SAT"``, ``"YS-JAN"``, ...).
    season_length : int
        Periods per seasonal cycle implied by ``freq`` (1 = no season).
    layout : {"single", "wide", "long"}
    notes : list of str
        One sentence per inference or repair, in the order they were made.
    """

    y: pd.Series | pd.DataFrame
    time_col: str | None
    target: str | list[str]
    id_col: str | None
    freq: str | None
    season_length: int
    layout: str
    notes: list[str] = field(default_factory=list)

    @property
    def n_series(self):
        """Number of series read."""
        return 1 if isinstance(self.y, pd.Series) else self.y.shape[1]


def check_length(y, window, horizon):
    """Check that every series is long enough for one training window plus a horizon.

    Parameters
    ----------
    y : pandas.Series, pandas.DataFrame or array-like
        The series (or wide frame); missing values do not count.
    window, horizon : int
        Input window and forecast horizon, both positive.

    Returns
    -------
    int
        Number of values of the shortest series.

    Raises
    ------
    DataError
        When ``window`` or ``horizon`` is not a positive integer, or a series has fewer than
        ``window + horizon`` values.

    Examples
    --------
    >>> check_length([1.0, 2.0, 3.0, 4.0], window=2, horizon=1)
    4
    >>> check_length([1.0, 2.0, 3.0], window=2, horizon=2)
    Traceback (most recent call last):
    ...
    tsforecast.io.DataError: series has 3 values, needs at least window + horizon = 4; pass a smaller window or horizon, or use a longer series.
    """
    for name, value in (("window", window), ("horizon", horizon)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise DataError(f"`{name}`={value!r} must be a positive integer; pass e.g. {name}=12.")
        if value <= 0:
            raise DataError(
                f"`{name}`={value!r} must be a positive integer (at least 1); pass e.g. {name}=12."
            )
    if isinstance(y, pd.DataFrame):
        frame = y
    else:
        frame = pd.DataFrame(
            {"y": y if isinstance(y, pd.Series) else np.asarray(y, dtype=float).ravel()}
        )
    if frame.shape[1] == 0:
        raise DataError("no series given (the frame has no columns); pass at least one series.")
    counts = frame.notna().sum(axis=0)
    shortest = counts.idxmin()
    n = int(counts.min())
    needed = int(window) + int(horizon)
    if n < needed:
        label = (
            f"series {shortest!r}"
            if isinstance(y, pd.DataFrame) and frame.shape[1] > 1
            else "series"
        )
        raise DataError(
            f"{label} has {n} values, needs at least window + horizon = {needed}; "
            "pass a smaller window or horizon, or use a longer series."
        )
    return n


def infer_freq(index):
    """Frequency of a ``DatetimeIndex`` that may have gaps, or None when it is irregular.

    Uses :func:`tsforecast.frequency.infer_frequency` and, when that fails because some
    timestamps are missing, the smallest step between timestamps (calendar aware: months,
    quarters and years of different lengths are recognised).

    Parameters
    ----------
    index : pandas.DatetimeIndex

    Returns
    -------
    str or None

    Examples
    --------
    >>> infer_freq(pd.DatetimeIndex(["2020-01-01", "2020-02-01", "2020-05-01", "2020-06-01"]))
    'MS'
    """
    offset = _infer_offset(pd.DatetimeIndex(index).unique().sort_values())
    return None if offset is None else offset.freqstr


def read_csv(
    path, *, time_col=None, target=None, id_col=None, sep=None, date_format=None, fill=None
):
    """Read one or many time series from a CSV file, inferring its layout.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    time_col : str or int, optional
        Time column (name, or 0-based position). Detected from names such as ``date``,
        ``month``, ``ds`` or from the content when omitted; without one, rows are taken in
        file order and indexed 0, 1, 2, ...
    target : str, int or list, optional
        Value column(s). Default: every numeric column (one is ``"single"``, several are
        ``"wide"``); in a long file the column named ``y``/``value``/... or the last numeric one.
    id_col : str or int, optional
        Series identifier column of a long file (``unique_id,ds,y``). Detected from names
        such as ``unique_id``/``id``/``series``, or a text column when timestamps repeat.
    sep : str, optional
        Field delimiter. Sniffed among comma, semicolon, tab and ``|`` when omitted; a
        semicolon file whose numbers use a decimal comma (``1,5``) is read as such.
    date_format : str, optional
        ``strftime`` format of the time column (``"%d/%m/%Y"``), needed only when day and
        month cannot be told apart.
    fill : {None, "interpolate", "ffill", "zero"}, default=None
        How to fill missing timestamps and empty values inside a series; None raises a
        :class:`DataError` that lists them.

    Returns
    -------
    CSVData

    Raises
    ------
    DataError
        For a missing, empty or unreadable file, a header without rows, no numeric column,
        text or infinite values in a value column, a column without values, unparseable or
        ambiguous dates, duplicate timestamps, irregular timestamps, and missing timestamps
        or values when ``fill`` is None.

    Examples
    --------
    >>> from tsforecast import datasets
    >>> data = read_csv(datasets.dataset_path("air_passengers"))
    >>> data.layout, data.time_col, data.target, data.freq, data.season_length, len(data.y)
    ('single', 'Month', 'Passengers', 'MS', 12, 144)
    """
    if fill is not None and fill not in FILL_METHODS:
        raise DataError(
            f"`fill`={fill!r} must be one of None, 'interpolate', 'ffill' or 'zero'; pass one of them."
        )
    path = Path(path)
    notes = []
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

    time_col = _resolve_column(frame, time_col, "time_col", path)
    id_col = _resolve_column(frame, id_col, "id_col", path)
    targets = _resolve_targets(frame, target, path)

    numbers = _to_numbers(frame, decimal)
    filled = frame.notna().to_numpy()
    parsed = filled & numbers.notna().to_numpy()
    shares = dict(
        zip(frame.columns, parsed.sum(axis=0) / np.maximum(filled.sum(axis=0), 1), strict=True)
    )
    times = None
    if time_col is None:
        time_col, times = _detect_time_column(
            frame, numbers, shares, (id_col, *targets), date_format, line_numbers, notes
        )
    elif time_col in targets or time_col == id_col:
        raise DataError(
            f"column {time_col!r} cannot be both the time column and a value or id column; "
            "pass different columns."
        )
    elif date_format is None and _is_integer_column(
        frame[time_col], numbers[time_col], shares[time_col]
    ):
        times = _integer_times(numbers[time_col], time_col, line_numbers, notes)
    else:
        times = _parse_times(frame[time_col], time_col, date_format, line_numbers, notes)

    others = [c for c in frame.columns if c != time_col and c not in targets and c != id_col]
    if id_col is None:
        id_col = _detect_id_column(frame, shares, others, times, notes)
        if id_col is not None:
            others.remove(id_col)
    if id_col is not None and frame[id_col].isna().any():
        line = int(line_numbers[frame[id_col].isna().to_numpy()][0])
        raise DataError(
            f"column {id_col!r} (series id) is empty on line {line}; every row needs a series id."
        )

    layout = "long" if id_col is not None else None
    if not targets:
        targets = _detect_targets(frame, shares, others, layout, path, notes)
    _check_values(frame[targets], numbers[targets], line_numbers)
    if layout is None:
        layout = "single" if len(targets) == 1 else "wide"
    elif len(targets) != 1:
        raise DataError(
            f"a long file has one value column, got target={targets!r}; pass a single column name."
        )

    values = numbers[targets].to_numpy(dtype=float)
    if layout == "long":
        codes, labels = pd.factorize(frame[id_col], sort=False)
        labels = list(labels)
    else:
        codes, labels = None, list(targets)

    y, freq = _assemble(
        values, times, codes, labels, layout, fill, line_numbers, targets, time_col, notes
    )
    target_out = targets[0] if layout in ("single", "long") else list(targets)
    if layout == "single":
        y.name = target_out
        notes.append(f"Target column {target_out!r}: {int(y.notna().sum())} values.")
    elif layout == "wide":
        shown = ", ".join(map(repr, targets[:5])) + (", ..." if len(targets) > 5 else "")
        notes.append(f"{y.shape[1]} series side by side (wide layout): columns {shown}.")
    else:
        notes.append(
            f"{y.shape[1]} series stacked by {id_col!r} (long layout), values in {target_out!r}."
        )
    return CSVData(
        y=y,
        time_col=time_col,
        target=target_out,
        id_col=id_col,
        freq=freq,
        season_length=season_length(freq),
        layout=layout,
        notes=notes,
    )


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


def _detect_time_column(frame, numbers, shares, taken, date_format, line_numbers, notes):
    candidates = [c for c in frame.columns if c not in taken]
    by_name = [
        c
        for c in candidates
        if str(c).lower() in _TIME_NAMES or any(key in str(c).lower() for key in ("date", "time"))
    ]
    for column in by_name:
        if date_format is None and _is_integer_column(
            frame[column], numbers[column], shares[column]
        ):
            return column, _integer_times(numbers[column], column, line_numbers, notes)
        return column, _parse_times(frame[column], column, date_format, line_numbers, notes)
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


def _is_integer_column(column, number, share):
    """Whole numbers that are not years (years are read as dates)."""
    if share < 1.0 or _looks_like_years(column, number):
        return False
    if (
        column.dropna()
        .str.fullmatch(r"(1[89]|2[01])\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")
        .all()
    ):
        return False  # YYYYMMDD dates
    filled = number.dropna().to_numpy()
    return (
        bool(len(filled))
        and bool(np.all(np.isfinite(filled)))
        and bool(np.all(filled == np.round(filled)))
        and bool(np.all(np.abs(filled) < 2**53))
    )


def _integer_times(number, name, line_numbers, notes):
    _check_no_empty_times(number, name, line_numbers)
    notes.append(f"Time column {name!r} holds whole numbers: used as time steps, not dates.")
    return pd.Index(number.to_numpy(dtype=np.int64), name=name)


def _looks_like_years(column, number, consecutive=False):
    filled = number.dropna()
    if filled.empty or not column.dropna().str.fullmatch(r"\d{4}").all():
        return False
    if not ((filled >= 1000) & (filled <= 2999)).all():
        return False
    if consecutive:
        steps = np.diff(np.sort(filled.unique()))
        return len(steps) > 0 and bool((steps == 1).all())
    return True


def _check_no_empty_times(column, name, line_numbers):
    empty = column.isna().to_numpy()
    if empty.any():
        raise DataError(
            f"time column {name!r} is empty on line {int(line_numbers[empty][0])} "
            f"({int(empty.sum())} empty cell(s)); every row needs a timestamp."
        )


def _parse_times(column, name, date_format, line_numbers, notes):
    _check_no_empty_times(column, name, line_numbers)
    codes, uniques = pd.factorize(column, sort=False)
    uniques = pd.Series(np.asarray(uniques, dtype=object)).astype(str)

    def fail(value, expected):
        line = int(line_numbers[codes == int(np.flatnonzero(uniques.to_numpy() == value)[0])][0])
        raise DataError(
            f"cannot read {value!r} (line {line}) in time column {name!r} as a date{expected}; "
            "fix the cell or pass date_format=... (CLI: --date-format, e.g. '%d/%m/%Y')."
        )

    if date_format is not None:
        parsed = _to_datetime(uniques, date_format, name)
        if parsed.isna().any():
            fail(uniques[parsed.isna().to_numpy()].iloc[0], f" with format {date_format!r}")
        description = f"format {date_format!r}"
    else:
        parsed, description = _guess_dates(uniques, name, fail)
    index = pd.DatetimeIndex(
        parsed.take(codes).to_numpy() if parsed.dt.tz is None else parsed.take(codes), name=name
    )
    notes.append(f"Time column {name!r}: dates like {uniques.iloc[0]!r} ({description}).")
    return index


def _to_datetime(values, date_format, name, utc=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pd.to_datetime(values, format=date_format, errors="coerce", utc=utc)
        except ValueError as error:
            if "timezone" in str(error).lower() or "tz" in str(error).lower() and not utc:
                return _to_datetime(values, date_format, name, utc=True)
            raise DataError(
                f"time column {name!r} cannot be read with format {date_format!r} ({error}); "
                "pass a valid date_format (CLI: --date-format)."
            ) from None


def _guess_dates(values, name, fail):
    split = values.str.extract(r"^(.*?)(?:[ T](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$")
    date_part, time_part = split[0], split[1]
    for pattern, formats in _DATE_PATTERNS:
        if formats == ("ISO8601",):
            if not values.str.fullmatch(pattern).all():
                continue
            parsed, utc = _iso_dates(values, name)
            if parsed.isna().any():
                fail(values[parsed.isna().to_numpy()].iloc[0], "")
            return parsed, "ISO 8601" + (", mixed UTC offsets converted to UTC" if utc else "")
        if not date_part.str.fullmatch(pattern).all():
            continue
        results = {}
        for fmt in formats:
            if fmt == "quarter":
                parsed = _quarters(date_part)
            else:
                parsed = _to_datetime(date_part, fmt, name)
            if parsed.notna().all():
                results[fmt] = parsed
        if not results:
            fail(
                _first_failure(date_part, formats, name), f" (expected a date like {formats[0]!r})"
            )
        if len(results) == 2:
            first, second = results.values()
            if not first.equals(second):
                example = values[(first != second).to_numpy()].iloc[0]
                a, b = results
                raise DataError(
                    f"dates like {example!r} in column {name!r} can be read day-first or month-first; "
                    f"pass date_format={a!r} or {b!r} (CLI: --date-format)."
                )
        fmt, parsed = next(iter(results.items()))
        if time_part.notna().any():
            clock = time_part.fillna("0:00").where(time_part.str.count(":") != 1, time_part + ":00")
            clock = clock.where(clock.str.count(":") == 2, clock + ":00")
            parsed = parsed + pd.to_timedelta(clock)
        label = {"%Y": "years", "quarter": "quarters"}.get(fmt, f"format {fmt!r}")
        if fmt.startswith("%d"):
            label += ", day first"
        return parsed, label
    if values.str.contains(r"[A-Za-z]{3}").all():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(values, format="mixed", errors="coerce")
        if parsed.notna().all():
            return parsed, "month names, flexible parser"
    bad = next(
        (v for v in values if not any(re.fullmatch(p, v) for p, _ in _DATE_PATTERNS)),
        values.iloc[0],
    )
    fail(bad, " (unrecognised date format)")
    return None


def _first_failure(values, formats, name):
    for fmt in formats:
        parsed = _quarters(values) if fmt == "quarter" else _to_datetime(values, fmt, name)
        if parsed.isna().any():
            return values[parsed.isna().to_numpy()].iloc[0]
    return values.iloc[0]


def _quarters(values):
    parts = values.str.extract(r"^(\d{4}) ?-? ?[Qq]([1-4])$")
    months = (parts[1].astype(float) - 1) * 3 + 1
    text = parts[0] + "-" + months.astype("Int64").astype(str).str.zfill(2) + "-01"
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")


def _iso_dates(values, name):
    offsets = values.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
    if offsets.any() and not offsets.all():
        raise DataError(
            f"time column {name!r} mixes timestamps with a UTC offset ({values[offsets].iloc[0]!r}) and without "
            f"({values[~offsets].iloc[0]!r}); write every timestamp the same way."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pd.to_datetime(values, format="ISO8601", errors="coerce"), False
        except (ValueError, TypeError):
            return pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True), True


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


def _infer_offset(unique_times):
    """Regular frequency of sorted unique timestamps, tolerating missing ones; None if irregular."""
    if len(unique_times) < 2:
        return None
    freq = infer_frequency(unique_times)
    if freq is not None:
        return to_offset(freq)
    step = pd.Timedelta(np.diff(unique_times.asi8).min(), unit=str(unique_times.unit))
    days = step / pd.Timedelta(days=1)
    offset = None
    months = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    if days == int(days):
        first = unique_times[0]
        starts = bool((unique_times.day == 1).all())
        ends = bool(unique_times.is_month_end.all())
        if 28 <= days <= 31:
            offset = "MS" if starts else "ME" if ends else None
        elif 89 <= days <= 92 and len(set(unique_times.month % 3)) == 1:
            anchor = (first.month - 1) % 3 + 1
            offset = (
                f"QS-{months[anchor - 1]}"
                if starts
                else (f"QE-{months[(anchor + 9) - 1]}" if ends else None)
            )
        elif 365 <= days <= 366 and len(set(unique_times.month)) == 1:
            offset = (
                f"YS-{months[first.month - 1]}"
                if starts
                else (f"YE-{months[first.month - 1]}" if ends else None)
            )
        elif days % 7 == 0 and len(set(unique_times.day_of_week)) == 1:
            weeks = int(days // 7)
            offset = f"{weeks if weeks > 1 else ''}W-{first.day_name()[:3].upper()}"
        elif days == 1 and bool((unique_times.day_of_week < 5).all()) and len(unique_times) >= 10:
            offset = "B"
        elif days < 28 and bool((unique_times == unique_times.normalize()).all()):
            offset = f"{int(days)}D" if days > 1 else "D"
    elif days < 1:
        offset = step
    if offset is None:
        return None
    offset = to_offset(offset)
    if not all(offset.is_on_offset(t) for t in unique_times[:3]):
        return None
    return offset


def _describe_freq(freq):
    if freq is None:
        return "integer"
    if re.match(r"^\d", freq):
        return f"{freq}-step"
    return frequency_name(freq) or f"{freq}-step"


def _assemble(values, times, codes, labels, layout, fill, line_numbers, targets, time_col, notes):
    n_rows, k = values.shape
    n_series = len(labels) if layout == "long" else k
    if times is None:
        if layout == "long":
            position = pd.Series(codes).groupby(codes).cumcount().to_numpy()
        else:
            position = np.arange(n_rows)
        length = int(position.max()) + 1
        index = pd.RangeIndex(length)
        freq = None
    else:
        position, index, freq = _place_on_grid(times, codes, line_numbers, notes)
        length = len(index)

    matrix = np.full((length, n_series), np.nan)
    present = np.zeros((length, n_series), dtype=bool)
    if layout == "long":
        matrix[position, codes] = values[:, 0]
        present[position, codes] = True
    else:
        matrix[position] = values
        present[position] = True

    has_value = ~np.isnan(matrix)
    inside = (
        np.maximum.accumulate(has_value, axis=0)
        & np.maximum.accumulate(has_value[::-1], axis=0)[::-1]
    )
    missing_stamps = inside & ~present
    missing_values = inside & present & ~has_value
    if missing_stamps.any() or missing_values.any():
        if fill is None:
            _raise_gaps(
                missing_stamps,
                missing_values,
                index,
                labels,
                layout,
                position,
                codes,
                line_numbers,
                freq,
            )
        frame = pd.DataFrame(matrix)
        if fill == "interpolate":
            frame = frame.interpolate(limit_area="inside")
        elif fill == "ffill":
            frame = frame.ffill().where(inside | has_value)
        else:
            frame = frame.fillna(0.0).where(inside | has_value)
        matrix = frame.to_numpy()
        filled = [
            f"{count} {what}"
            for count, what in (
                (int(missing_stamps.sum()), "missing timestamp(s)"),
                (int(missing_values.sum()), "empty value(s)"),
            )
            if count
        ]
        notes.append(f"Filled {' and '.join(filled)} with fill={fill!r}.")

    keep = ~np.isnan(matrix).all(axis=1)
    first, last = int(np.argmax(keep)), len(keep) - int(np.argmax(keep[::-1]))
    if first > 0 or last < len(keep):
        notes.append(f"Dropped {first + len(keep) - last} leading/trailing row(s) without values.")
    matrix = matrix[first:last]
    index = index[first:last]
    if isinstance(index, pd.DatetimeIndex) and freq is not None:
        index = pd.DatetimeIndex(index, freq=freq, name=time_col)
    if layout == "single":
        return pd.Series(matrix[:, 0], index=index, name=targets[0]), freq
    frame = pd.DataFrame(matrix, index=index, columns=pd.Index(labels))
    return frame, freq


def _place_on_grid(times, codes, line_numbers, notes):
    is_dates = isinstance(times, pd.DatetimeIndex)
    keys = times.asi8 if is_dates else times.to_numpy(dtype=np.int64)
    if codes is None:
        duplicated = times.duplicated(keep=False)
    else:
        duplicated = pd.DataFrame({"id": codes, "t": keys}).duplicated(keep=False).to_numpy()
    if duplicated.any():
        rows = np.flatnonzero(duplicated)
        same = rows[keys[rows] == keys[rows[0]]]
        if codes is not None:
            same = same[codes[same] == codes[rows[0]]]
        shown = ", ".join(str(int(line_numbers[r])) for r in same[:_MAX_SHOWN])
        series = "" if codes is None else " in one series"
        raise DataError(
            f"duplicate timestamp {_stamp(times[rows[0]], None)} appears {len(same)} times{series} (lines {shown}); "
            "remove the duplicate rows or aggregate them (e.g. sum or average per timestamp) first."
        )
    if codes is None:
        order_ok = bool(np.all(np.diff(keys) > 0))
    else:
        order = np.argsort(codes, kind="stable")
        order_ok = bool(np.all(np.diff(keys[order])[np.diff(codes[order]) == 0] > 0))
    if not order_ok:
        notes.append(f"Rows were not in time order; sorted them by {times.name!r}.")
    if not is_dates:
        return _place_on_integer_grid(times, keys)
    unique_times = times.unique().sort_values()
    offset = _infer_offset(unique_times)
    if offset is None and len(unique_times) >= 2:
        unique_times, offset = _normalise_monthly(unique_times, notes)
        if offset is not None:
            times = times.to_period("M").to_timestamp()
    if offset is None:
        if len(unique_times) < 2:
            notes.append("Only one timestamp: the frequency is unknown.")
            return (
                unique_times.get_indexer(times),
                pd.DatetimeIndex(unique_times, name=times.name),
                None,
            )
        steps = pd.Series(np.diff(unique_times.asi8)).value_counts()
        unit = str(unique_times.unit)
        common = pd.Timedelta(int(steps.index[0]), unit=unit)
        odd = int(np.flatnonzero(np.diff(unique_times.asi8) != steps.index[0])[0]) + 1
        raise DataError(
            f"timestamps in {times.name!r} are irregular: most are {common} apart but "
            f"{unique_times[odd - 1]} is followed by {unique_times[odd]}; "
            "resample the data to a regular frequency (e.g. one row per day or month)."
        )
    grid_length = _grid_length(unique_times, offset)
    if grid_length > 20 * len(unique_times) + 1000:
        raise DataError(
            f"timestamps in {times.name!r} are irregular: a step of {offset.freqstr} from {unique_times[0]} to "
            f"{unique_times[-1]} would need {grid_length} rows for {len(unique_times)} timestamps; "
            "resample the data to a regular frequency."
        )
    grid = pd.date_range(unique_times[0], unique_times[-1], freq=offset, name=times.name)
    position = grid.get_indexer(times)
    if (position < 0).any():
        off = times[position < 0][0]
        raise DataError(
            f"timestamps in {times.name!r} are irregular: {off} is not on the {_describe_freq(offset.freqstr)} "
            f"({offset.freqstr}) grid that starts at {grid[0]}; resample the data to a regular frequency."
        )
    freq = offset.freqstr
    notes.append(
        f"Frequency {_describe_freq(freq)} ({freq!r}), season length {season_length(freq)}."
    )
    return position, grid, freq


def _place_on_integer_grid(times, keys):
    unique_keys = np.unique(keys)
    step = int(np.diff(unique_keys).min()) if len(unique_keys) > 1 else 1
    if np.any((unique_keys - unique_keys[0]) % step):
        odd = unique_keys[np.flatnonzero((unique_keys - unique_keys[0]) % step)[0]]
        raise DataError(
            f"time steps in {times.name!r} are irregular: the smallest step is {step} but {odd} is off that grid; "
            "number the rows with a constant step."
        )
    length = (int(unique_keys[-1]) - int(unique_keys[0])) // step + 1
    if length > 20 * len(unique_keys) + 1000:
        raise DataError(
            f"time steps in {times.name!r} are irregular: {len(unique_keys)} values spread over {length} steps "
            f"of {step}; number the rows with a constant step."
        )
    grid = pd.RangeIndex(int(unique_keys[0]), int(unique_keys[-1]) + step, step, name=times.name)
    return (keys - unique_keys[0]) // step, grid, None


def _grid_length(unique_times, offset):
    try:
        span = unique_times[-1] - unique_times[0]
        nominal = pd.Timedelta(offset.nanos, unit="ns")
        return int(span / nominal) + 1
    except ValueError:
        return len(unique_times)


def _normalise_monthly(unique_times, notes):
    steps = np.diff(unique_times.asi8) / (
        pd.Timedelta(days=1) / pd.Timedelta(1, unit=str(unique_times.unit))
    )
    if (
        unique_times.tz is None
        and len(set(unique_times.day)) == 1
        and 28 <= steps.min() <= 31
        and (unique_times == unique_times.normalize()).all()
    ):
        day = unique_times[0].day
        notes.append(f"Monthly timestamps on day {day} were moved to the first of each month.")
        return unique_times.to_period("M").to_timestamp().rename(unique_times.name), to_offset("MS")
    return unique_times, None


def _raise_gaps(
    missing_stamps, missing_values, index, labels, layout, position, codes, line_numbers, freq
):
    if missing_stamps.any():
        rows = np.flatnonzero(missing_stamps.any(axis=1))
        shown = ", ".join(_stamp(index[r], freq) for r in rows[:_MAX_SHOWN])
        more = f" (first {_MAX_SHOWN} of {len(rows)})" if len(rows) > _MAX_SHOWN else ""
        series = ""
        if layout == "long":
            columns = np.flatnonzero(missing_stamps.any(axis=0))
            series = f" in {len(columns)} series (first {labels[columns[0]]!r})"
        raise DataError(
            f"{len(rows)} missing timestamp(s){series} in the {_describe_freq(freq)} sequence: {shown}{more}; "
            f"add the rows or {_FILL_HINT}."
        )
    row, column = np.argwhere(missing_values)[0]
    if layout == "long":
        line = line_numbers[(position == row) & (codes == column)][0]
    else:
        line = line_numbers[position == row][0]
    total = int(missing_values.sum())
    name = labels[column]
    where = f"series {name!r}" if layout == "long" else f"column {name!r}"
    raise DataError(
        f"{where} has {total} empty value(s) inside the series, first on line {int(line)}"
        f" ({_stamp(index[row], freq)}); fill the cells or {_FILL_HINT}."
    )


def _stamp(value, freq):
    if isinstance(value, pd.Timestamp):
        if freq is not None and (freq.startswith(("MS", "ME", "Q", "Y"))):
            return value.strftime("%Y-%m")
        return str(value.date()) if value == value.normalize() else str(value)
    return str(value)

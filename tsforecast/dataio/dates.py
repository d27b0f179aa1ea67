"""Reading a time column: dates in the formats people write, years, or whole-number time steps.

Formats are guessed from the shape of every value (ISO 8601, ``31/01/2020``, ``2020Q1``,
``Jan 1980``, ...); when day and month cannot be told apart the reader refuses to guess and
asks for ``date_format``.
"""

import re
import warnings

import numpy as np
import pandas as pd

from tsforecast.dataio.checks import DataError

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
# a value that starts like a date: tells a header or time column from data
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}|^\d{4}$|^\d{4} ?-? ?[Qq][1-4]$")


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

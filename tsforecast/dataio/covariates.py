"""Covariate columns of a CSV file: placed on the time grid of the series they go with.

Covariates are numeric columns read next to the target (``read_csv(..., covariates=...)``)
or from a file of their own (:func:`read_covariates`, e.g. the future values of a
temperature or a promotion plan). In a single or wide file they form one table shared by
every series; in a long file (``unique_id, ds, ...``) one table per series. Their cells
are checked like the target's: text, infinite values and gaps are refused with the line
they are on unless ``fill`` says how to fill gaps.
"""

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tsforecast.dataio.checks import DataError
from tsforecast.dataio.columns import (
    _check_values,
    _detect_id_column,
    _numeric_shares,
    _read_time_column,
    _resolve_column,
    _to_numbers,
)
from tsforecast.dataio.dialect import _read_table
from tsforecast.dataio.grid import FILL_METHODS, _assemble

__all__ = ["CovariateData", "read_covariates"]


@dataclass
class CovariateData:
    """What :func:`read_covariates` read.

    Attributes
    ----------
    X : pandas.DataFrame or dict of str -> pandas.DataFrame
        One table (rows by time, a column per covariate), or one per series of a long file.
    columns : list of str
        The covariate columns, in file order.
    time_col, id_col : str or None
        The time column and the series-identifier column (long files) read.
    notes : list of str
        One sentence per inference or repair.
    """

    X: pd.DataFrame | dict
    columns: list
    time_col: str | None
    id_col: str | None
    notes: list = field(default_factory=list)


def resolve_covariates(frame, covariates, path):
    """The column names of ``covariates`` (names, case-insensitive names or positions)."""
    if covariates is None:
        return []
    items = [covariates] if isinstance(covariates, str) else list(covariates)
    names = [_resolve_column(frame, item, "covariates", path) for item in items]
    return list(dict.fromkeys(names))


def covariate_tables(cells, numbers, *, times, codes, labels, layout, fill, line_numbers,
                     time_col, notes):
    """The covariates ``cells`` (their numbers in ``numbers``) on the time grid.

    Returns one DataFrame indexed by time for a single or wide file, or a dict
    ``{series: DataFrame}`` for a long file (``codes`` and ``labels`` of its series).
    """
    _check_values(cells, numbers, line_numbers)
    columns = list(cells.columns)
    scratch = []
    if layout != "long":
        table, _ = _assemble(numbers.to_numpy(dtype=float), times, None, columns, "wide", fill,
                             line_numbers, columns, time_col, scratch)
    else:
        by_column = {
            column: _assemble(numbers[[column]].to_numpy(dtype=float), times, codes, labels,
                              "long", fill, line_numbers, [column], time_col, scratch)[0]
            for column in columns
        }
        table = {label: pd.DataFrame({c: by_column[c][label] for c in columns}).dropna(how="all")
                 for label in labels}
    notes.extend(note for note in scratch if note not in notes)
    return table


def read_covariates(path, *, columns=None, time_col=None, id_col=None, sep=None,
                    date_format=None, fill=None):
    """Read a CSV file of covariates: a time column, an optional series-identifier column,
    and numeric covariate columns.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    columns : list of str, optional
        The covariate columns (default: every numeric column but the time and id columns).
    time_col, id_col, sep, date_format, fill
        As in :func:`~tsforecast.dataio.read_csv`.

    Returns
    -------
    CovariateData

    Raises
    ------
    DataError
        For an unreadable file, an unknown column, no numeric column, text or infinite
        values, or timestamps that are duplicated, irregular or (without ``fill``) missing.
    """
    if fill is not None and fill not in FILL_METHODS:
        raise DataError(
            f"`fill`={fill!r} must be one of None, 'interpolate', 'ffill' or 'zero'; pass one of them."
        )
    path = Path(path)
    notes = []
    frame, line_numbers, decimal = _read_table(path, sep, notes)
    time_col = _resolve_column(frame, time_col, "time_col", path)
    id_col = _resolve_column(frame, id_col, "id_col", path)
    names = resolve_covariates(frame, columns, path)
    numbers = _to_numbers(frame, decimal)
    shares = _numeric_shares(frame, numbers)
    time_col, times = _read_time_column(frame, numbers, shares, time_col, (id_col, *names),
                                        date_format, line_numbers, notes)
    others = [c for c in frame.columns if c not in (time_col, id_col) and c not in names]
    if id_col is None:
        id_col = _detect_id_column(frame, shares, others, times, notes)
    if not names:
        names = [c for c in others if c != id_col and shares[c] >= 0.5]
    if not names:
        raise DataError(
            f"file '{path.name}' has no numeric column besides the time"
            f"{' and id' if id_col else ''} column (columns: {', '.join(map(str, frame.columns))}); "
            "the covariates must be numbers: check the delimiter (sep=...)."
        )
    codes, labels = None, None
    if id_col is not None:
        codes, labels = pd.factorize(frame[id_col], sort=False)
        labels = list(labels)
    X = covariate_tables(frame[names], numbers[names], times=times, codes=codes, labels=labels,
                         layout="long" if id_col is not None else "wide", fill=fill,
                         line_numbers=line_numbers, time_col=time_col, notes=notes)
    return CovariateData(X=X, columns=names, time_col=time_col, id_col=id_col, notes=notes)

"""Read time series from CSV files: :func:`read_csv` and the :class:`CSVData` it returns."""

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tsforecast.dataio.checks import DataError
from tsforecast.dataio.covariates import covariate_tables, resolve_covariates
from tsforecast.dataio.columns import (
    _check_values,
    _detect_id_column,
    _detect_targets,
    _numeric_shares,
    _read_time_column,
    _resolve_column,
    _resolve_targets,
    _to_numbers,
)
from tsforecast.dataio.dialect import _read_table
from tsforecast.dataio.grid import FILL_METHODS, _assemble
from tsforecast.frequency import season_length


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
    X : pandas.DataFrame, dict of str -> pandas.DataFrame or None
        The ``covariates`` columns: one table indexed by time (single and wide layouts), or
        one per series (long layout); None when none were asked for.
    """

    y: pd.Series | pd.DataFrame
    time_col: str | None
    target: str | list[str]
    id_col: str | None
    freq: str | None
    season_length: int
    layout: str
    notes: list[str] = field(default_factory=list)
    X: pd.DataFrame | dict | None = None

    @property
    def n_series(self):
        """Number of series read."""
        return 1 if isinstance(self.y, pd.Series) else self.y.shape[1]


def read_csv(
    path, *, time_col=None, target=None, id_col=None, sep=None, date_format=None, fill=None,
    covariates=None,
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
    covariates : str or list, optional
        Numeric columns read as covariates (:attr:`CSVData.X`), not as series; they are
        never detected as values or ids.

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
    frame, line_numbers, decimal = _read_table(path, sep, notes)

    time_col = _resolve_column(frame, time_col, "time_col", path)
    id_col = _resolve_column(frame, id_col, "id_col", path)
    targets = _resolve_targets(frame, target, path)
    covariates = resolve_covariates(frame, covariates, path)
    _check_roles(covariates, (time_col, id_col, *targets))

    numbers = _to_numbers(frame, decimal)
    shares = _numeric_shares(frame, numbers)
    time_col, times = _read_time_column(
        frame, numbers, shares, time_col, (id_col, *targets, *covariates), date_format,
        line_numbers, notes
    )
    _check_roles(covariates, (time_col,))

    others = [c for c in frame.columns
              if c != time_col and c not in targets and c != id_col and c not in covariates]
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
    notes.append(_layout_note(y, layout, targets, id_col))
    X = None
    if covariates:
        X = covariate_tables(frame[covariates], numbers[covariates], times=times, codes=codes,
                             labels=labels, layout=layout, fill=fill,
                             line_numbers=line_numbers, time_col=time_col, notes=notes)
        notes.append(f"Covariate column(s) {', '.join(map(repr, covariates))}.")
    return CSVData(
        y=y,
        time_col=time_col,
        target=target_out,
        id_col=id_col,
        freq=freq,
        season_length=season_length(freq),
        layout=layout,
        notes=notes,
        X=X,
    )


def _check_roles(covariates, others):
    both = [c for c in covariates if c in others]
    if both:
        raise DataError(
            f"column {both[0]!r} cannot be both a covariate and the time, id or value column; "
            "name it in one role only."
        )


def _layout_note(y, layout, targets, id_col):
    if layout == "single":
        return f"Target column {targets[0]!r}: {int(y.notna().sum())} values."
    if layout == "wide":
        shown = ", ".join(map(repr, targets[:5])) + (", ..." if len(targets) > 5 else "")
        return f"{y.shape[1]} series side by side (wide layout): columns {shown}."
    return f"{y.shape[1]} series stacked by {id_col!r} (long layout), values in {targets[0]!r}."

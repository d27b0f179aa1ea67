"""Read time series from CSV files, say what was inferred, and reject bad input clearly.

:func:`read_csv` accepts the files people actually have: comma, semicolon or tab separated,
with or without a header row, ISO or common day-first/month-first dates, time zones, rows in
any order, one series (``date,value``), several series side by side (wide: ``date,A,B``) or
stacked (long: ``unique_id,ds,y``, thousands of series). Every problem it cannot repair is a
:class:`DataError` whose one-line message names the problem and the fix, and everything it
guessed is listed in :attr:`CSVData.notes` so a wrong guess is visible and can be overridden.

The steps, one module each: :mod:`~tsforecast.dataio.dialect` (how the file is written),
:mod:`~tsforecast.dataio.columns` (which column is what), :mod:`~tsforecast.dataio.dates`
(reading the time column), :mod:`~tsforecast.dataio.grid` (the regular time grid, gaps and
filling) and :mod:`~tsforecast.dataio.reader` (:func:`read_csv` itself). The package is
``dataio``, not ``io``, so that it never shadows the standard library's :mod:`io`; the old
path ``tsforecast.io`` still works.
"""

from tsforecast.dataio.checks import DataError, check_length
from tsforecast.dataio.grid import FILL_METHODS, infer_freq
from tsforecast.dataio.reader import CSVData, read_csv

__all__ = ["FILL_METHODS", "CSVData", "DataError", "check_length", "infer_freq", "read_csv"]

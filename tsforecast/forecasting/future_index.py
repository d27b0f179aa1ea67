"""Where forecasts lie in time: the training index, the future timestamps, the tables.

:class:`ForecastIndexMixin` gives :class:`~tsforecast.forecasting.base.BaseForecaster` its
bookkeeping of time: what ``fit`` records of the index (cutoff, frequency, the end of each
series of a panel, the input layout), the timestamps of the steps ahead, and the tables
that ``predict``, ``predict_interval`` and ``predict_quantiles`` return (one row per
forecast timestamp; a series of a panel that ended earlier is forecast from its own end,
so the rows of a panel are the union of the series' timestamps).
"""

import numpy as np
import pandas as pd

from tsforecast.forecasting.horizons import forecast_steps
from tsforecast.forecasting.layout import present
from tsforecast.validation import InputValueError

__all__ = ["ForecastIndexMixin", "longest"]


class ForecastIndexMixin:
    """The time index of a fitted forecaster and the layout of its forecast tables."""

    def _record_layout(self, data):
        self.long_columns_ = data.long_columns
        self.period_freq_ = data.period_freq

    def _record_index(self, y):
        index = y.index
        self.series_names_ = list(y.columns) if isinstance(y, pd.DataFrame) else [y.name]
        self.n_series_ = len(self.series_names_)
        self.cutoff_ = index[-1]
        self.freq_ = index.freqstr if isinstance(index, pd.DatetimeIndex) else None
        # spacing of integer positions (e.g. 0, 2, 4, ...); 1 for timestamps
        self.index_step_ = 1 if self.freq_ is not None else int(index[-1] - index[-2])
        self.n_timepoints_ = len(index)
        # the series of a panel may end earlier than the panel: each is forecast from its end
        self.series_cutoffs_ = (
            [y[c].last_valid_index() for c in y.columns] if isinstance(y, pd.DataFrame) else None
        )

    def _cutoff_of(self, series):
        cutoffs = getattr(self, "series_cutoffs_", None)
        return self.cutoff_ if series is None or cutoffs is None else cutoffs[series]

    def _future_index(self, horizon, series=None):
        """The ``horizon`` timestamps after the cutoff (of series number ``series``)."""
        cutoff = self._cutoff_of(series)
        if self.freq_ is not None:
            return pd.date_range(cutoff, periods=horizon + 1, freq=self.freq_)[1:]
        step = getattr(self, "index_step_", 1)
        start = int(cutoff) + step
        return pd.RangeIndex(start, start + horizon * step, step)

    def _training_index(self, n, series=None):
        """Index of the last ``n`` training timepoints (of series number ``series``)."""
        cutoff = self._cutoff_of(series)
        if self.freq_ is not None:
            return pd.date_range(end=cutoff, periods=n, freq=self.freq_)
        step = getattr(self, "index_step_", 1)
        end = int(cutoff) + step
        return pd.RangeIndex(end - n * step, end, step)

    def _steps(self, horizon):
        """The steps ahead asked for, one array per series (one for a single series)."""
        if horizon is None:
            horizon = self._default_horizon()
            if horizon is None:
                raise InputValueError(
                    f"{type(self).__name__}.predict needs a horizon; pass e.g. `horizon=12`."
                )
        if self.n_series_ == 1:
            return [forecast_steps(horizon, cutoff=self.cutoff_, freq=self.freq_)]
        return [forecast_steps(horizon, cutoff=self._cutoff_of(j), freq=self.freq_)
                for j in range(self.n_series_)]

    def _aligned(self, steps):
        cutoffs = getattr(self, "series_cutoffs_", None) or [self.cutoff_]
        return all(c == cutoffs[0] for c in cutoffs) and all(
            np.array_equal(s, steps[0]) for s in steps
        )

    def _point_table(self, values, steps):
        horizon = longest(steps)
        if values.ndim == 1:
            index = _take(self._future_index(horizon), steps[0])
            return pd.Series(_take(values, steps[0]), index=index, name=self.series_names_[0])
        if self._aligned(steps):
            index = _take(self._future_index(horizon), steps[0])
            return pd.DataFrame(_take(values, steps[0]), index=index, columns=self.series_names_)
        columns = [
            pd.Series(_take(values[:, j], s), index=_take(self._future_index(horizon, j), s),
                      name=name)
            for j, (name, s) in enumerate(zip(self.series_names_, steps))
        ]
        return pd.concat(columns, axis=1, sort=True)

    def _parts_table(self, parts, steps):
        horizon = longest(steps)
        if next(iter(parts.values())).ndim == 1:
            index = _take(self._future_index(horizon), steps[0])
            return pd.DataFrame({label: _take(a, steps[0]) for label, a in parts.items()},
                                index=index)
        frames = {
            name: pd.DataFrame(
                {label: _take(a[:, j], s) for label, a in parts.items()},
                index=_take(self._future_index(horizon, j), s),
            )
            for j, (name, s) in enumerate(zip(self.series_names_, steps))
        }
        return pd.concat(frames, axis=1, sort=not self._aligned(steps))

    def _present(self, result, parts=False):
        return present(
            result,
            period_freq=getattr(self, "period_freq_", None),
            long_columns=getattr(self, "long_columns_", None),
            parts=parts,
            series=self.series_names_[0],
        )


def longest(steps):
    return int(max(s[-1] for s in steps))


def _take(values, steps):
    """The entries of ``values`` (steps 1, 2, ...) at ``steps``; all of them unchanged."""
    return values if len(steps) == len(values) else values[np.asarray(steps) - 1]

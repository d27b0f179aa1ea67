"""Conformal calibration of the window forecasters, from the refits of earlier cutoffs.

A :class:`~tsforecast.forecasting.window.WindowForecaster` refits its models on a few
cutoffs before the end of the training data (:func:`~tsforecast.forecasting.conformal.\
calibration_cutoffs`); from each cutoff on, it forecasts from every origin whose window
lies in the training data. :class:`ConformalCalibrationMixin` turns those forecasts into
the residuals of the conformal intervals and the calibration forecasts, and gives the
residuals of a new series forecast without refitting.
"""

import math
import warnings

import numpy as np
import pandas as pd

from tsforecast.forecasting.conformal import calibration_cutoffs
from tsforecast.forecasting.covariates import unknown_entries

__all__ = ["ConformalCalibrationMixin"]


class ConformalCalibrationMixin:
    """Calibration residuals of :class:`~tsforecast.forecasting.window.WindowForecaster`.

    Uses the forecaster's ``window``, ``horizon``, ``n_calibration``, ``_forecast`` and
    ``_train_horizon``.
    """

    def _residuals_for(self, names, scales, series_mode):
        """Calibration residuals for series ``names``: a training series' own, every
        training series' pooled for a new one; rescaled to each series' scale when the
        series are standardised."""
        if getattr(self, "residuals_", None) is None:
            return None
        ratio = (lambda j, sd: sd / self.series_scale_[j]) if series_mode else (lambda j, sd: 1.0)
        blocks = []
        for name, sd in zip(names, scales):
            sources = ([self.series_names_.index(name)] if name in self.series_names_
                       else range(len(self.series_names_)))
            blocks.append(np.concatenate([self.residuals_[j] * ratio(j, sd) for j in sources]))
        rows = max(len(b) for b in blocks)
        return np.stack([
            np.vstack([b, np.full((rows - len(b), b.shape[1]), np.nan)]) for b in blocks
        ])

    def _calibration_cuts(self, series):
        """How many values before the end each calibration fold cuts every series."""
        horizon, window = int(self.horizon), int(self.window)
        shortest = min(len(values) for values in series)
        offsets = calibration_cutoffs(
            shortest,
            horizon=horizon,
            min_train=window + self._train_horizon() + 1,
            n_folds=int(self.n_calibration),
        )
        if not offsets:
            warnings.warn(
                f"{type(self).__name__}: a series of {shortest} values is too short to "
                f"calibrate intervals for `horizon`={horizon} with `window`={window}; "
                "predict_interval will fail. Use a shorter window or horizon.",
                UserWarning,
                stacklevel=3,
            )
        return [shortest - c for c in offsets]

    def _calibration_residuals(self, series, cuts, fitted, covariates=None):
        """Rolling-origin residuals of the models ``fitted`` on the series shortened by
        ``cuts``, shape (n_series, n_residuals, horizon), and each fold's forecast from its
        own cutoff, shape (n_folds, n_series, horizon). With covariates, only origins whose
        covariates lie inside the training data are forecast."""
        horizon, window = int(self.horizon), int(self.window)
        per_series = [[] for _ in series]
        at_cutoff = np.full((len(cuts), len(series), horizon), np.nan)
        for k, (cut, fit) in enumerate(zip(cuts, fitted)):
            for j, values in enumerate(series):
                origins = np.arange(len(values) - cut, len(values))
                windows = np.stack([values[o - window : o] for o in origins])
                loc = np.repeat(fit.loc[j], len(origins))
                scale = np.repeat(fit.scale[j], len(origins))
                if covariates is None:
                    forecast = self._forecast(fit.estimators, windows, horizon, loc, scale)
                else:
                    timelines, known = self._calibration_timelines(covariates[j], origins, fit)
                    forecast = np.full((len(origins), horizon), np.nan)
                    forecast[known] = self._forecast(fit.estimators, windows[known], horizon,
                                                     loc[known], scale[known], timelines[known])
                actual = np.full((len(origins), horizon), np.nan)
                for r, o in enumerate(origins):
                    future = values[o : o + horizon]
                    actual[r, : len(future)] = future
                per_series[j].append(actual - forecast)
                at_cutoff[k, j] = forecast[0]
        stacked = [np.concatenate(blocks) for blocks in per_series]
        return np.stack(stacked), at_cutoff

    def _calibration_timelines(self, covariates, origins, fit):
        """Standardised covariate timelines from each origin's window on (NaN after the
        training data), and whether each origin has every value its forecast needs."""
        window, block = int(self.window), self._train_horizon()
        n_blocks = math.ceil(int(self.horizon) / block)
        length = window + n_blocks * block
        padded = np.vstack([covariates, np.full((length, covariates.shape[1]), np.nan)])
        timelines = np.stack([padded[o - window : o - window + length] for o in origins])
        missing = unknown_entries(timelines, window=window, n_past=len(self.past_covariates_),
                                  n_blocks=n_blocks, block=block)
        known = ~missing.any(axis=(1, 2))
        return (timelines - fit.covariate_loc) / fit.covariate_scale, known

    def _calibration_forecasts(self):
        if getattr(self, "calibration_forecasts_", None) is None:
            return None
        rows = []
        for k, cut in enumerate(self.calibration_cuts_):
            for j, name in enumerate(self.series_names_):
                cutoff = self._training_index(cut + 1, j)[0]
                for step, value in enumerate(self.calibration_forecasts_[k, j], start=1):
                    rows.append((name, k, cutoff, step, float(value)))
        return pd.DataFrame(rows, columns=["series", "fold", "cutoff", "step", "forecast"])

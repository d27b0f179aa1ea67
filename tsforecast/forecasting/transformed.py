"""A forecaster on a transformed scale: transforms fitted in ``fit``, forecasts mapped back.

:class:`TransformedForecaster` composes invertible target transforms
(:mod:`~tsforecast.forecasting.transforms`) with any forecaster. The transforms are fitted
inside its ``fit``, on the training values only, so nothing after the cutoff leaks into
the model.
"""

import numpy as np
import pandas as pd
from sklearn.base import clone

from tsforecast.forecasting.base import BaseForecaster
from tsforecast.forecasting.transforms import Difference, parse_transforms
from tsforecast.validation import InputTypeError

__all__ = ["TransformedForecaster"]


class TransformedForecaster(BaseForecaster):
    """A forecaster applied to a transformed series, with forecasts transformed back.

    The transforms are fitted inside ``fit`` on the training values only (no leakage
    from the future), applied in order, and inverted in reverse order on the forecasts.
    Prediction intervals of the inner forecaster are mapped back bound by bound: exact
    for the monotone transforms (log, Box-Cox, scalings). For ``Difference`` the level
    forecast integrates the differenced forecast and the interval half-widths are added
    along the lag chain (conservative unless the step errors are fully correlated).

    Parameters
    ----------
    transforms : list of transforms or str
        E.g. ``[LogTransform(), Difference(12)]``, or the string ``"log,diff12"``
        (see :func:`parse_transforms`).
    forecaster : BaseForecaster
        The model fitted on the transformed series. When it is global, the transforms
        are fitted per series.

    Attributes
    ----------
    transforms_ : list of list of transforms
        The fitted transforms, one list per series.
    forecaster_ : BaseForecaster
        The fitted inner forecaster.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from tsforecast.forecasting import WindowForecaster
    >>> y = np.exp(0.01 * np.arange(60.0))
    >>> f = TransformedForecaster(
    ...     "log,diff", WindowForecaster(LinearRegression(), window=3, horizon=2, conformal=False)
    ... )
    >>> np.round(f.fit(y).predict().to_numpy(), 4)
    array([1.8221, 1.8404])
    """

    def __init__(self, transforms, forecaster):
        self.transforms = transforms
        self.forecaster = forecaster

    def _instance_tags(self):
        if not hasattr(self.forecaster, "get_tag"):
            raise InputTypeError(
                f"`forecaster`={self.forecaster!r} is not a tsforecast forecaster; wrap a "
                "regressor first, e.g. WindowForecaster(Ridge(), window=24, horizon=12)."
            )
        return {
            "capability:global": bool(self.forecaster.get_tag("capability:global")),
            "capability:pred_int": bool(self.forecaster.get_tag("capability:pred_int")),
            "capability:exogenous": bool(self.forecaster.get_tag("capability:exogenous")),
        }

    def _resolve_horizon(self, horizon):
        if horizon is None:
            horizon = getattr(self.forecaster, "horizon", None)
        return super()._resolve_horizon(horizon)

    def _make_transforms(self):
        transforms = self.transforms
        if isinstance(transforms, str) or transforms is None:
            transforms = parse_transforms(transforms)
        elif not isinstance(transforms, (list, tuple)):
            transforms = [transforms]
        for t in transforms:
            if not (hasattr(t, "fit") and hasattr(t, "inverse_transform")):
                raise InputTypeError(
                    f"{t!r} is not a transform (it needs fit/transform/inverse_transform); "
                    "pass e.g. [LogTransform(), Difference(12)] or 'log,diff12'."
                )
        return [clone(t) for t in transforms]

    def _fit_one(self, values):
        fitted = []
        for t in self._make_transforms():
            values = t.fit_transform(values)
            fitted.append(t)
        return fitted, values

    def _fit(self, y, X=None):
        self._instance_tags()  # checks that the inner model is a forecaster
        if isinstance(y, pd.DataFrame):
            self.transforms_ = []
            columns = {}
            for name in y.columns:
                series = y[name].dropna()
                fitted, values = self._fit_one(series.to_numpy(dtype=float))
                self.transforms_.append(fitted)
                columns[name] = pd.Series(values, index=series.index[len(series) - len(values):])
            data = pd.DataFrame(columns).reindex(y.index)
            if data.isna().all(axis=1).any():
                data = data.loc[data.notna().any(axis=1).idxmax():]
        else:
            fitted, values = self._fit_one(y)
            self.transforms_ = [fitted]
            # keep the time index so the inner model infers frequency and season length
            data = pd.Series(values, index=self._training_index(len(values)), name=self.series_names_[0])
        self.forecaster_ = clone(self.forecaster).fit(data, X)
        self.calibration_forecasts_ = self._back_to_original_scale(
            self.forecaster_.calibration_forecasts(), y
        )
        return self

    def _back_to_original_scale(self, frame, y):
        """The inner model's calibration forecasts mapped back through the transforms, each
        from the history up to its own cutoff (differencing integrates from there)."""
        if frame is None:
            return None
        if isinstance(y, pd.DataFrame):
            histories = {name: y[name].dropna() for name in y.columns}
        else:
            histories = {self.series_names_[0]: pd.Series(y, index=self._training_index(len(y)))}
        frame = frame.copy()
        for (name, _), rows in frame.groupby(["series", "fold"], sort=False):
            transforms = self.transforms_[self.series_names_.index(name)]
            history = histories[name].loc[: rows["cutoff"].iloc[0]].to_numpy(dtype=float)
            frame.loc[rows.index, "forecast"] = _inverse_from(
                transforms, rows["forecast"].to_numpy(dtype=float), history
            )
        return frame

    def _calibration_forecasts(self):
        return self.calibration_forecasts_

    def _inner_arrays(self, result):
        if isinstance(result, pd.DataFrame) and isinstance(result.columns, pd.MultiIndex):
            names = self.series_names_
            return [
                tuple(result[(name, part)].to_numpy() for part in ("forecast", "lower", "upper"))
                for name in names
            ]
        if isinstance(result, pd.DataFrame) and "forecast" in result.columns:
            return [tuple(result[part].to_numpy() for part in ("forecast", "lower", "upper"))]
        if isinstance(result, pd.DataFrame):
            return [result[name].to_numpy() for name in self.series_names_]
        return [result.to_numpy()]

    def _predict(self, horizon, X=None):
        forecasts = self._inner_arrays(self.forecaster_.predict(horizon, X))
        out = []
        for transforms, values in zip(self.transforms_, forecasts):
            for t in reversed(transforms):
                values = t.inverse_transform(values)
            out.append(values)
        return out[0] if len(out) == 1 else np.column_stack(out)

    def _predict_interval(self, horizon, coverage, X=None):
        parts = self._inner_arrays(self.forecaster_.predict_interval(horizon, coverage, X))
        points, lowers, uppers = [], [], []
        for transforms, (point, lower, upper) in zip(self.transforms_, parts):
            for t in reversed(transforms):
                point, lower, upper = t._inverse_interval(point, lower, upper)
            points.append(point)
            lowers.append(np.minimum(lower, point))
            uppers.append(np.maximum(upper, point))
        if len(points) == 1:
            return points[0], lowers[0], uppers[0]
        return np.column_stack(points), np.column_stack(lowers), np.column_stack(uppers)


def _inverse_from(transforms, values, history):
    """Invert fitted ``transforms`` on forecasts made after the end of ``history``."""
    inputs = []
    for t in transforms:
        inputs.append(history)
        history = t.transform(history)
    for t, before in zip(reversed(transforms), reversed(inputs)):
        if isinstance(t, Difference):  # integrates from the values before the forecast
            values = t.inverse_transform(values, start=before[-int(t.lag):])
        else:
            values = t.inverse_transform(values)
    return values

"""A forecaster on a transformed scale: transforms fitted in ``fit``, forecasts mapped back.

:class:`TransformedForecaster` composes invertible target transforms
(:mod:`~tsforecast.forecasting.transforms`, or scikit-learn transformers adapted by
:mod:`~tsforecast.forecasting.sklearn_transforms`) with any forecaster. The transforms are fitted
inside its ``fit``, on the training values only, so nothing after the cutoff leaks into
the model.
"""

import numpy as np
import pandas as pd
from sklearn.base import clone

from tsforecast.forecasting.base import BaseForecaster
from tsforecast.forecasting.layout import Prepared
from tsforecast.forecasting.sklearn_transforms import as_target_transform
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
    transforms : transform, list of transforms or str
        E.g. ``[LogTransform(), Difference(12)]``, the string ``"log,diff12"`` (see
        :func:`parse_transforms`), or scikit-learn transformers with an
        ``inverse_transform`` (``StandardScaler()``, ``PowerTransformer()``,
        ``FunctionTransformer(np.log, inverse_func=np.exp)``, a ``Pipeline`` of them),
        which see the series as one column (see
        :class:`~tsforecast.forecasting.sklearn_transforms.SklearnTransform`).
    forecaster : BaseForecaster
        The model fitted on the transformed series. When it is global, the transforms
        are fitted per series. Forecasting from new data (``predict(y=...)``) fits the
        transforms to the new history, as ``fit`` does.

    Attributes
    ----------
    transforms_ : list of list of transforms
        The fitted transforms, one list per series (scikit-learn transformers wrapped in
        ``SklearnTransform``).
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
            tag: bool(self.forecaster.get_tag(tag))
            for tag in ("capability:global", "capability:pred_int", "capability:exogenous",
                        "capability:new_data")
        }

    def _default_horizon(self):
        return getattr(self.forecaster, "horizon", None)

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
                    "pass e.g. [LogTransform(), Difference(12)], 'log,diff12' or a "
                    "scikit-learn transformer such as StandardScaler()."
                )
        return [as_target_transform(clone(t)) for t in transforms]

    def _fit_one(self, values):
        fitted = []
        for t in self._make_transforms():
            values = t.fit_transform(values)
            fitted.append(t)
        return fitted, values

    def _transformed(self, y):
        """The transforms fitted to each series of ``y`` and the data on their scale."""
        if isinstance(y, pd.DataFrame):
            transforms = []
            columns = {}
            for name in y.columns:
                series = y[name].dropna()
                fitted, values = self._fit_one(series.to_numpy(dtype=float))
                transforms.append(fitted)
                columns[name] = pd.Series(values, index=series.index[len(series) - len(values):])
            data = pd.DataFrame(columns).reindex(y.index)
            if data.isna().all(axis=1).any():
                data = data.loc[data.notna().any(axis=1).idxmax():]
            return transforms, data
        fitted, values = self._fit_one(y)
        # keep the time index so the inner model infers frequency and season length
        index = self._training_index(len(values))
        return [fitted], pd.Series(values, index=index, name=self.series_names_[0])

    def _fit(self, y, X=None):
        self._instance_tags()  # checks that the inner model is a forecaster
        self.transforms_, data = self._transformed(y)
        self.forecaster_ = clone(self.forecaster).fit(data, X)
        self.calibration_forecasts_ = self._back_to_original_scale(
            self.forecaster_.calibration_forecasts(), y
        )
        return self

    def _adopt_history(self, y, X, *, trained):
        # transforms are fitted to each series, as in fit: the new history's own
        self.transforms_, data = self._transformed(y)
        self.forecaster_ = trained.forecaster_._with_history(Prepared(data, X, None, None))
        self.calibration_forecasts_ = None

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

    def _future_covariates(self, X, horizon):
        return X  # the inner forecaster picks the rows it needs

    def _predict(self, horizon, X=None):
        forecasts = _columns(self.forecaster_._point_values(horizon, X))
        out = []
        for transforms, values in zip(self.transforms_, forecasts):
            for t in reversed(transforms):
                values = t.inverse_transform(values)
            out.append(values)
        return out[0] if len(out) == 1 else np.column_stack(out)

    def _predict_intervals(self, horizon, levels, X=None):
        if not levels:
            return np.asarray(self._predict(horizon, X), dtype=float), {}
        inner_point, inner_bounds = self.forecaster_._interval_values(horizon, levels, X)
        points, bounds = [], {level: ([], []) for level in levels}
        for j, transforms in enumerate(self.transforms_):
            for level in levels:
                point = _columns(inner_point)[j]
                lower, upper = (_columns(b)[j] for b in inner_bounds[level])
                for t in reversed(transforms):
                    point, lower, upper = t._inverse_interval(point, lower, upper)
                bounds[level][0].append(np.minimum(lower, point))
                bounds[level][1].append(np.maximum(upper, point))
            points.append(point)
        if len(points) == 1:
            return points[0], {level: (lo[0], hi[0]) for level, (lo, hi) in bounds.items()}
        return np.column_stack(points), {
            level: (np.column_stack(lo), np.column_stack(hi)) for level, (lo, hi) in bounds.items()
        }

    def _predict_interval(self, horizon, coverage, X=None):
        point, bounds = self._predict_intervals(horizon, [coverage], X)
        return (point, *bounds[coverage])


def _columns(values):
    """The series of a forecast array: ``(horizon,)`` -> one, ``(horizon, n)`` -> n."""
    return [values] if values.ndim == 1 else [values[:, j] for j in range(values.shape[1])]


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

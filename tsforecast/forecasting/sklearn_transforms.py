"""Scikit-learn transformers as target transforms: one series in, one series out.

``StandardScaler``, ``PowerTransformer``, ``QuantileTransformer``, ``FunctionTransformer``
and ``Pipeline`` objects of them work on 2-D tables; the target transforms of
:class:`~tsforecast.forecasting.transformed.TransformedForecaster` work on one series.
:class:`SklearnTransform` adapts the first to the second: the series becomes one column
on the way in and a 1-D array again on the way out, and ``fit`` checks that
``inverse_transform`` undoes ``transform`` on the training values (a
``FunctionTransformer(np.log)`` without ``inverse_func`` would otherwise return
forecasts on the log scale).
"""

import numpy as np
from sklearn.base import clone

from tsforecast.forecasting.transforms import _as_1d, _as_finite_1d, _BaseTransform
from tsforecast.validation import InputTypeError, InputValueError

__all__ = ["SklearnTransform", "as_target_transform"]


class SklearnTransform(_BaseTransform):
    """A scikit-learn transformer applied to one series as a single column.

    Parameters
    ----------
    transformer : scikit-learn transformer
        Has ``fit``, ``transform`` and ``inverse_transform`` and maps one column to one
        column, e.g. ``StandardScaler()``, ``PowerTransformer()`` or
        ``FunctionTransformer(np.log1p, inverse_func=np.expm1)``. It is cloned.

    Attributes
    ----------
    transformer_ : scikit-learn transformer
        The fitted clone.

    Notes
    -----
    Interval bounds are mapped back one by one, which is exact for monotone transforms
    (decreasing ones swap the bounds).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import StandardScaler
    >>> t = SklearnTransform(StandardScaler()).fit(np.array([1.0, 2.0, 3.0]))
    >>> np.round(t.transform(np.array([2.0, 4.0])), 4)
    array([0.    , 2.4495])
    >>> t.inverse_transform(np.array([0.0]))
    array([2.])
    """

    def __init__(self, transformer):
        self.transformer = transformer

    def _name(self):
        return type(self.transformer).__name__

    def _apply(self, method, values):
        name = self._name()
        with np.errstate(all="ignore"):
            out = np.asarray(method(values[:, None]), dtype=float)
        if out.shape not in ((len(values), 1), (len(values),)):
            raise InputValueError(
                f"{name} turned one column of {len(values)} values into shape {out.shape}; a "
                "target transform must map one column to one column of the same length."
            )
        return out.reshape(len(values))

    def fit(self, y):
        """Fit the transformer to the training values ``y`` and check its inverse."""
        name = self._name()
        if not all(hasattr(self.transformer, m) for m in ("fit", "transform", "inverse_transform")):
            raise InputTypeError(
                f"{self.transformer!r} is not a transform (it needs fit/transform/"
                "inverse_transform); pass e.g. StandardScaler() or "
                "FunctionTransformer(np.log, inverse_func=np.exp)."
            )
        y = _as_finite_1d(y, name)
        with np.errstate(all="ignore"):  # values outside the domain are reported below
            self.transformer_ = clone(self.transformer).fit(y[:, None])
        z = self._finite(self._apply(self.transformer_.transform, y), y)
        back = self._apply(self.transformer_.inverse_transform, z)
        error = np.abs(back - y)
        if not np.all(error <= 1e-6 * np.maximum(1.0, np.abs(y))):
            worst = int(np.nanargmax(np.where(np.isfinite(error), error, np.inf)))
            raise InputValueError(
                f"{name}.inverse_transform does not undo transform on the training values "
                f"({float(y[worst])!r} comes back as {float(back[worst])!r}); forecasts could "
                "not be mapped back. Pass a transformer with an exact inverse, e.g. "
                "FunctionTransformer(np.log, inverse_func=np.exp)."
            )
        self.fitted_ = True
        return self

    def _finite(self, z, y):
        if not np.isfinite(z).all():
            position = int(np.argmin(np.isfinite(z)))
            raise InputValueError(
                f"{self._name()} gives a non-finite value for {float(y[position])!r} (position "
                f"{position}); transform values inside its domain (e.g. positive values for "
                "a log)."
            )
        return z

    def transform(self, y):
        """Return the transformed values of the series ``y``."""
        self._check_fitted()
        y = _as_finite_1d(y, self._name())
        return self._finite(self._apply(self.transformer_.transform, y), y)

    def inverse_transform(self, z):
        """Map values on the transformed scale (forecasts) back."""
        self._check_fitted()
        return self._apply(self.transformer_.inverse_transform, _as_1d(z, self._name()))

    def _inverse_interval(self, point, lower, upper):
        point, lower, upper = (self.inverse_transform(v) for v in (point, lower, upper))
        return point, np.minimum(lower, upper), np.maximum(lower, upper)


def as_target_transform(transform):
    """A target transform of tsforecast unchanged; anything else wrapped in
    :class:`SklearnTransform`."""
    return transform if isinstance(transform, _BaseTransform) else SklearnTransform(transform)

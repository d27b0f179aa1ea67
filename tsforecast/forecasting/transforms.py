"""Invertible target transforms: log, Box-Cox, differencing and scaling.

Each transform works on a 1-D array: ``fit(y)`` learns its parameters from the training
values only, ``transform(y)`` maps values to the model's scale and ``inverse_transform(z)``
maps forecasts back. :class:`~tsforecast.forecasting.transformed.TransformedForecaster`
fits the transforms inside its own ``fit``, so a forecast never depends on values after
the training cutoff. :func:`parse_transforms` reads the text form used by the command line
(``"log,diff12"``).

``Difference`` is the one transform that changes the length: ``transform`` drops the first
``lag`` values, and ``inverse_transform`` integrates a forecast starting from the last
``lag`` training values (or from the values passed as ``start``).
"""

import numbers

import numpy as np
from scipy import special, stats
from sklearn.base import BaseEstimator

from tsforecast.validation import InputTypeError, InputValueError

__all__ = [
    "BoxCox",
    "Difference",
    "LogTransform",
    "MinMaxScale",
    "RobustScale",
    "StandardScale",
    "parse_transforms",
]


def _as_1d(y, name):
    if np.iscomplexobj(y):
        raise InputTypeError(f"{name} needs real numbers, got complex values; pass y.real or abs(y).")
    try:
        array = np.asarray(y)
        if array.dtype.kind in "SUV":
            # numpy would parse "1.5" silently; text in a series is a reading error upstream
            raise TypeError
        array = array.astype(float, copy=False)
    except (TypeError, ValueError):
        raise InputTypeError(
            f"{name} needs a 1-D sequence of numbers, got {type(y).__name__} that cannot be "
            "converted to float; convert it first, e.g. pandas.to_numeric(y)."
        ) from None
    if array.ndim != 1:
        raise InputValueError(
            f"{name} works on one series (a 1-D array), got shape {array.shape}; "
            "transform each column separately."
        )
    return array


def _as_finite_1d(y, name):
    """The values of a series to fit or transform: 1-D, non-empty, finite."""
    array = _as_1d(y, name)
    if array.size == 0:
        raise InputValueError(f"{name} needs at least one value, got an empty series.")
    finite = np.isfinite(array)
    if not finite.all():
        position = int(np.argmin(finite))
        raise InputValueError(
            f"{name} needs finite values, got {float(array[position])} at position {position} "
            f"({int((~finite).sum())} NaN or infinite value(s)); fill or drop them first "
            "(e.g. y.interpolate())."
        )
    return array


_RESCALE = "rescale the series first (e.g. divide it by a power of 10)"


def _finite_result(compute, y, name, fix=_RESCALE):
    """``compute(y)``, refusing results that overflowed: finite values must stay finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = compute(y)
    if not np.isfinite(z).all():
        raise InputValueError(
            f"{name} overflows on these values (largest magnitude "
            f"{float(np.max(np.abs(y))):.3g}); {fix}."
        )
    return z


def _magnitude(y):
    """Largest absolute value (1 for an all-zero series): statistics are computed on
    ``y / magnitude`` so that sums of huge values do not overflow."""
    largest = float(np.max(np.abs(y)))
    return largest if largest > 0 else 1.0


class _BaseTransform(BaseEstimator):
    """Common ``fit_transform`` and fitted-state check of the target transforms."""

    # number of leading values that ``transform`` drops (differencing)
    n_dropped = 0

    def fit_transform(self, y):
        """Fit to ``y`` and return the transformed values."""
        return self.fit(y).transform(y)

    def _check_fitted(self):
        if not getattr(self, "fitted_", False):
            raise InputValueError(
                f"This {type(self).__name__} instance is not fitted yet; call `fit(y)` first."
            )

    def _inverse_interval(self, point, lower, upper):
        """Map a forecast and its interval back; monotone transforms map bounds to bounds."""
        return (
            self.inverse_transform(point),
            self.inverse_transform(lower),
            self.inverse_transform(upper),
        )


class LogTransform(_BaseTransform):
    """Natural logarithm: ``z = log(y)``, inverse ``y = exp(z)``.

    Turns multiplicative seasonality and growth into additive ones. Needs strictly
    positive values.

    Examples
    --------
    >>> import numpy as np
    >>> t = LogTransform().fit([1.0, 10.0])
    >>> np.round(t.inverse_transform(t.transform([2.0, 3.0])), 6)
    array([2., 3.])
    """

    def fit(self, y):
        """Check that ``y`` is finite and strictly positive; there is nothing to learn."""
        _check_positive(_as_finite_1d(y, "LogTransform"), "LogTransform")
        self.fitted_ = True
        return self

    def transform(self, y):
        """Return ``log(y)``."""
        self._check_fitted()
        y = _as_finite_1d(y, "LogTransform")
        _check_positive(y, "LogTransform")
        return np.log(y)

    def inverse_transform(self, z):
        """Return ``exp(z)``."""
        self._check_fitted()
        return np.exp(_as_1d(z, "LogTransform"))


class BoxCox(_BaseTransform):
    """Box-Cox power transform ``z = (y**lmbda - 1) / lmbda`` (``log(y)`` when ``lmbda=0``).

    Parameters
    ----------
    lmbda : float, optional
        The power. ``None`` estimates it on the training values by maximum likelihood
        (:func:`scipy.stats.boxcox_normmax` with ``method="mle"``).

    Attributes
    ----------
    lmbda_ : float
        The power used.

    Notes
    -----
    Values of ``z`` outside the range of the transform (``lmbda * z + 1 <= 0``), which a
    wide lower interval bound can reach, are mapped to 0, the lower end of its image.
    """

    def __init__(self, lmbda=None):
        self.lmbda = lmbda

    def fit(self, y):
        """Estimate (or take) ``lmbda`` from the training values ``y``."""
        y = _as_finite_1d(y, "BoxCox")
        _check_positive(y, "BoxCox")
        if self.lmbda is None:
            if len(y) < 3 or np.ptp(y) == 0:
                raise InputValueError(
                    "BoxCox cannot estimate `lmbda` from a constant or very short series; "
                    "pass a fixed power, e.g. `BoxCox(lmbda=0)` for a log transform."
                )
            try:
                lmbda = float(stats.boxcox_normmax(y, method="mle"))
            except (ArithmeticError, RuntimeError, ValueError) as error:
                # e.g. scipy's BracketError when the values are almost constant
                lmbda, reason = np.nan, f"{type(error).__name__}: {error}"
            else:
                reason = "the estimate is not finite"
            if not np.isfinite(lmbda):
                raise InputValueError(
                    f"BoxCox cannot estimate `lmbda` from these values ({reason}); pass a "
                    "fixed power, e.g. `BoxCox(lmbda=0)` for a log transform."
                )
            self.lmbda_ = lmbda
        elif (
            isinstance(self.lmbda, numbers.Real)
            and not isinstance(self.lmbda, bool)
            and np.isfinite(self.lmbda)
        ):
            self.lmbda_ = float(self.lmbda)
        else:
            raise InputTypeError(
                f"`lmbda`={self.lmbda!r} must be a finite real number or None (estimated); "
                "pass e.g. `BoxCox(lmbda=0.5)`."
            )
        self.fitted_ = True
        return self

    def transform(self, y):
        """Return the Box-Cox transform of ``y``."""
        self._check_fitted()
        y = _as_finite_1d(y, "BoxCox")
        _check_positive(y, "BoxCox")
        return _finite_result(
            lambda v: special.boxcox(v, self.lmbda_), y, f"BoxCox(lmbda={self.lmbda_:g})",
            fix="pass a smaller power, e.g. `BoxCox(lmbda=0)` (log), or rescale the series",
        )

    def inverse_transform(self, z):
        """Return the inverse Box-Cox transform of ``z``."""
        self._check_fitted()
        z = _as_1d(z, "BoxCox")
        # scipy's forward transform is the log for |lmbda| < 1e-19, while its inverse
        # divides by lmbda (and loses everything to underflow): invert the log instead
        lmbda = 0.0 if abs(self.lmbda_) < 1e-19 else self.lmbda_
        if lmbda > 0:
            z = np.maximum(z, -1.0 / lmbda)
        elif lmbda < 0:
            # the image of the transform is z < -1/lmbda; stay just inside it
            z = np.minimum(z, np.nextafter(-1.0 / lmbda, -np.inf))
        return special.inv_boxcox(z, lmbda)


class Difference(_BaseTransform):
    """Differencing at lag ``lag``: ``z[t] = y[t] - y[t - lag]``.

    ``lag=1`` removes a trend (a random walk becomes white noise); ``lag=12`` on monthly
    data removes a stable seasonal pattern. ``transform`` returns ``len(y) - lag`` values.
    ``inverse_transform`` integrates a forecast of the differences, starting from the
    last ``lag`` values of the training series.

    Parameters
    ----------
    lag : int, default=1
        The differencing lag (1 for the first difference, the season length for a
        seasonal difference).

    Attributes
    ----------
    initial_ : numpy.ndarray of shape (lag,)
        The first ``lag`` training values (to rebuild the training series).
    last_ : numpy.ndarray of shape (lag,)
        The last ``lag`` training values (to integrate a forecast).

    Examples
    --------
    >>> import numpy as np
    >>> d = Difference(lag=1).fit(np.array([1.0, 3.0, 6.0]))
    >>> d.transform(np.array([1.0, 3.0, 6.0]))
    array([2., 3.])
    >>> d.inverse_transform(np.array([4.0, 5.0]))  # continue after 6.0
    array([10., 15.])
    """

    def __init__(self, lag=1):
        self.lag = lag

    @property
    def n_dropped(self):
        return int(self.lag)

    def fit(self, y):
        """Store the first and last ``lag`` values of the training series ``y``."""
        lag = self.lag
        if isinstance(lag, bool) or not isinstance(lag, numbers.Integral) or lag < 1:
            raise InputValueError(
                f"`lag`={lag!r} must be a positive integer; pass e.g. `lag=1` or `lag=12`."
            )
        y = _as_finite_1d(y, "Difference")
        if len(y) <= lag:
            raise InputValueError(
                f"Difference(lag={lag}) needs more than {lag} values, got {len(y)}; "
                "pass a smaller lag or a longer series."
            )
        self.initial_ = y[:lag].copy()
        self.last_ = y[-lag:].copy()
        self.fitted_ = True
        return self

    def transform(self, y):
        """Return ``y[lag:] - y[:-lag]``."""
        self._check_fitted()
        y = _as_finite_1d(y, "Difference")
        lag = int(self.lag)
        return _finite_result(
            lambda v: v[lag:] - v[: max(len(v) - lag, 0)], y, f"Difference(lag={lag})"
        )

    def inverse_transform(self, z, *, start=None):
        """Integrate the differences ``z``.

        Parameters
        ----------
        z : array-like of shape (n,)
            Differences, e.g. a forecast of the differenced series.
        start : array-like of shape (lag,), optional
            The ``lag`` values just before ``z``. Defaults to the last ``lag`` training
            values, so a forecast continues the training series; pass ``initial_`` to
            rebuild the training series from its differences.

        Returns
        -------
        numpy.ndarray of shape (n,)
        """
        self._check_fitted()
        z = _as_1d(z, "Difference")
        lag = int(self.lag)
        start = self.last_ if start is None else _as_1d(start, "Difference")
        if len(start) != lag:
            raise InputValueError(
                f"`start` must hold the {lag} values before the differences, got {len(start)}."
            )
        out = np.concatenate([start, np.empty(len(z))])
        for i in range(len(z)):
            out[lag + i] = out[i] + z[i]
        return out[lag:]

    def _inverse_interval(self, point, lower, upper):
        # A level forecast h steps ahead sums the differenced forecasts along the lag
        # chain, so its error sums their errors. The distances from the forecast to each
        # bound are added along the chain: exact when the step errors are fully
        # correlated, conservative otherwise.
        point = _as_1d(point, "Difference")
        below = np.maximum(point - _as_1d(lower, "Difference"), 0.0)
        above = np.maximum(_as_1d(upper, "Difference") - point, 0.0)
        lag = int(self.lag)
        for i in range(lag, len(point)):
            below[i] += below[i - lag]
            above[i] += above[i - lag]
        level = self.inverse_transform(point)
        return level, level - below, level + above


class StandardScale(_BaseTransform):
    """Standardise with the training mean and standard deviation: ``z = (y - mean) / std``.

    The statistics are computed on the series divided by its largest magnitude and the
    scaling is applied as ``y / std - mean / std``, so values near the float limits
    (``1e307``) neither overflow nor lose precision.

    Attributes
    ----------
    mean_, scale_ : float
        Training mean and standard deviation (1 for a constant series).
    """

    def fit(self, y):
        """Learn the mean and standard deviation of the training values ``y``."""
        y = _as_finite_1d(y, "StandardScale")
        magnitude = _magnitude(y)
        unit = y / magnitude
        self.mean_ = float(np.mean(unit) * magnitude)
        self.scale_ = _safe_scale(float(np.std(unit) * magnitude))
        self.fitted_ = True
        return self

    def transform(self, y):
        """Return ``(y - mean_) / scale_``."""
        self._check_fitted()
        y = _as_finite_1d(y, "StandardScale")
        return _finite_result(
            lambda v: v / self.scale_ - self.mean_ / self.scale_, y, "StandardScale"
        )

    def inverse_transform(self, z):
        """Return ``z * scale_ + mean_``."""
        self._check_fitted()
        return (_as_1d(z, "StandardScale") + self.mean_ / self.scale_) * self.scale_


class MinMaxScale(_BaseTransform):
    """Scale the training range to ``feature_range``.

    A constant training series is shifted to the lower end of ``feature_range``. The
    arithmetic works on halves (``y/2 - min/2``), so a range wider than the largest float
    (``-1e308 .. 1e308``) does not overflow.

    Parameters
    ----------
    feature_range : tuple of float, default=(0.0, 1.0)
        Where the training minimum and maximum are mapped to.

    Attributes
    ----------
    min_, max_ : float
        Training minimum and maximum.
    """

    def __init__(self, feature_range=(0.0, 1.0)):
        self.feature_range = feature_range

    def _range(self):
        try:
            low, high = (float(v) for v in self.feature_range)
        except (TypeError, ValueError):
            low = high = None
        if low is None or not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise InputValueError(
                f"`feature_range`={self.feature_range!r} must be (low, high) with finite "
                "low < high; pass e.g. `feature_range=(0, 1)`."
            )
        return low, high

    def fit(self, y):
        """Learn the minimum and maximum of the training values ``y``."""
        self._range()
        y = _as_finite_1d(y, "MinMaxScale")
        self.min_ = float(np.min(y))
        self.max_ = float(np.max(y))
        self.fitted_ = True
        return self

    def _half_range(self):
        # half of max - min (computed without overflow); 1/2 for a constant series, so
        # that it is shifted, not scaled
        half = self.max_ / 2 - self.min_ / 2
        return half if half > 0 else 0.5

    def transform(self, y):
        """Map ``[min_, max_]`` onto ``feature_range``."""
        self._check_fitted()
        low, high = self._range()
        y = _as_finite_1d(y, "MinMaxScale")
        half = self._half_range()
        return _finite_result(
            lambda v: (v / 2 - self.min_ / 2) / half * (high - low) + low, y, "MinMaxScale"
        )

    def inverse_transform(self, z):
        """Map ``feature_range`` back onto ``[min_, max_]``."""
        self._check_fitted()
        low, high = self._range()
        z = _as_1d(z, "MinMaxScale")
        return ((z - low) / (high - low) * self._half_range() + self.min_ / 2) * 2


class RobustScale(_BaseTransform):
    """Centre on the training median and divide by the interquartile range.

    Attributes
    ----------
    median_, scale_ : float
        Training median and interquartile range (1 when it is 0).
    """

    def fit(self, y):
        """Learn the median and interquartile range of the training values ``y``."""
        y = _as_finite_1d(y, "RobustScale")
        magnitude = _magnitude(y)
        q1, median, q3 = np.percentile(y / magnitude, [25, 50, 75])
        self.median_ = float(median * magnitude)
        self.scale_ = _safe_scale(float((q3 - q1) * magnitude))
        self.fitted_ = True
        return self

    def transform(self, y):
        """Return ``(y - median_) / scale_``."""
        self._check_fitted()
        y = _as_finite_1d(y, "RobustScale")
        return _finite_result(
            lambda v: v / self.scale_ - self.median_ / self.scale_, y, "RobustScale"
        )

    def inverse_transform(self, z):
        """Return ``z * scale_ + median_``."""
        self._check_fitted()
        return (_as_1d(z, "RobustScale") + self.median_ / self.scale_) * self.scale_


def _safe_scale(scale):
    return scale if np.isfinite(scale) and scale > 0 else 1.0


def _check_positive(y, name):
    if y.size and not np.all(y > 0):
        raise InputValueError(
            f"{name} needs strictly positive values, got minimum {np.min(y)!r}; shift the "
            "series first (e.g. y - y.min() + 1) or drop the log/Box-Cox transform."
        )


_TRANSFORM_NAMES = {
    "log": LogTransform,
    "boxcox": BoxCox,
    "standard": StandardScale,
    "minmax": MinMaxScale,
    "robust": RobustScale,
}


def parse_transforms(spec):
    """Build a list of transforms from a comma-separated specification.

    Parameters
    ----------
    spec : str or None
        Names applied in order: ``log``, ``boxcox`` (estimated power) or ``boxcox<p>``
        (fixed power, e.g. ``boxcox0.5``), ``diff`` / ``diff<lag>`` (e.g. ``diff12`` for a
        seasonal difference), ``standard``, ``minmax``, ``robust``. ``""``, ``"none"`` and
        ``None`` give no transform.

    Returns
    -------
    list of transforms

    Examples
    --------
    >>> parse_transforms("log,diff12,standard")
    [LogTransform(), Difference(lag=12), StandardScale()]
    """
    if spec is None:
        return []
    if not isinstance(spec, str):
        raise InputTypeError(f"`spec`={spec!r} must be a string such as 'log,diff12,standard'.")
    transforms = []
    for token in (part.strip().lower() for part in spec.split(",")):
        if token in ("", "none"):
            continue
        if token in _TRANSFORM_NAMES:
            transforms.append(_TRANSFORM_NAMES[token]())
        elif token.startswith("diff") and (token == "diff" or token[4:].isdigit()):
            lag = int(token[4:]) if len(token) > 4 else 1
            if lag < 1:
                raise InputValueError(f"Transform {token!r}: the lag must be >= 1, e.g. 'diff12'.")
            transforms.append(Difference(lag=lag))
        elif token.startswith("boxcox") and _is_float(token[6:]):
            transforms.append(BoxCox(lmbda=float(token[6:])))
        else:
            raise InputValueError(
                f"Unknown transform {token!r} in {spec!r}; use a comma-separated list of "
                "log, boxcox, boxcox<power>, diff, diff<lag>, standard, minmax, robust "
                "(e.g. 'log,diff12')."
            )
    return transforms


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True

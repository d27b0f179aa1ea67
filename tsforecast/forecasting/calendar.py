"""Calendar features of timestamps, known in advance for any forecast horizon.

:class:`CalendarFeatures` is a scikit-learn transformer from a time index to a table of
features: seasonal dummies (one column per month but the first, ...), cyclic encodings
(sine and cosine of the position in the cycle) and Fourier terms of the season. They are
future covariates: ``WindowForecaster(..., calendar=True)`` adds them by itself, and any
forecaster taking ``X`` (ARIMA included) can be given ``CalendarFeatures().fit_transform(y.index)``
in ``fit`` and ``transform(future_index)`` in ``predict``.
"""

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from tsforecast.frequency import frequency_name, infer_frequency
from tsforecast.frequency import season_length as season_length_of
from tsforecast.validation import InputTypeError, InputValueError, check_int

__all__ = ["CALENDAR_ATTRIBUTES", "CalendarFeatures"]

#: Calendar attributes and the length of their cycle.
CALENDAR_ATTRIBUTES = {
    "month": 12,
    "quarter": 4,
    "week_of_year": 53,
    "day_of_week": 7,
    "day_of_month": 31,
    "day_of_year": 366,
    "hour": 24,
    "minute": 60,
}

# the attributes of attributes="auto", by the everyday name of the frequency
_AUTO = {
    "monthly": ("month",),
    "quarterly": ("quarter",),
    "daily": ("day_of_week",),
    "business-daily": ("day_of_week",),
    "hourly": ("hour", "day_of_week"),
    "minutely": ("minute", "hour"),
}


def _index_of(X):
    """The time index behind ``X``: an index, the index of a pandas object, or dates."""
    if isinstance(X, (pd.Series, pd.DataFrame)):
        X = X.index
    if not isinstance(X, pd.Index):
        X = pd.Index(np.asarray(X).ravel())
        if not pd.api.types.is_numeric_dtype(X):
            X = pd.DatetimeIndex(pd.to_datetime(X))
    if isinstance(X, pd.PeriodIndex):
        X = X.to_timestamp()
    return X


def _attribute(index, name):
    if name == "week_of_year":
        return index.isocalendar().week.to_numpy(dtype=int)
    return np.asarray(getattr(index, name), dtype=int)


class CalendarFeatures(TransformerMixin, BaseEstimator):
    """Features of the timestamps: seasonal dummies, cyclic encodings, Fourier terms.

    Parameters
    ----------
    attributes : "auto", sequence of str or None, default="auto"
        Calendar attributes among ``month``, ``quarter``, ``week_of_year``,
        ``day_of_week``, ``day_of_month``, ``day_of_year``, ``hour`` and ``minute``.
        ``"auto"`` picks them from the frequency seen in ``fit``: the month for monthly
        data, the quarter for quarterly, the day of the week for daily and business-daily
        data, hour and day of the week for hourly, minute and hour for minutely data,
        none otherwise.
    encoding : {"onehot", "cyclic"}, default="onehot"
        ``"onehot"``: one 0/1 column per value seen in ``fit`` but the first
        (``month_2`` ... ``month_12``; a value not seen in ``fit`` gives zeros);
        ``"cyclic"``: ``<attribute>_sin`` and ``<attribute>_cos``, the position in the
        attribute's cycle on a circle.
    fourier_terms : int or "auto", default="auto"
        Number ``K`` of sine/cosine pairs ``fourier_sin_k``, ``fourier_cos_k`` of the
        season (``sin(2 pi k t / m)``, ``k = 1..K``; ``t`` counts periods from the first
        timestamp seen in ``fit``, ``m`` is ``season_length``). ``"auto"``: none when
        attributes give features, else ``min(3, m // 2)`` (weekly data: 3 pairs of the
        52-week year).
    season_length : int, optional
        ``m`` of the Fourier terms; inferred from the frequency when omitted (52 for
        weekly data). Needed for integer positions.

    Attributes
    ----------
    attributes_ : list of str
        The attributes used.
    categories_ : dict of str -> list of int
        The values of each attribute seen in ``fit`` (one-hot encoding).
    fourier_terms_, season_length_ : int
        The Fourier pairs and the season they describe (0 and 1 when unused).
    freq_ : str or None
        The frequency of the timestamps seen in ``fit``.
    anchor_ : pandas.Timestamp or int
        The first timestamp seen in ``fit`` (``t = 0`` of the Fourier terms).
    feature_names_out_ : list of str
        The output columns.

    Examples
    --------
    >>> index = pd.date_range("2020-01-01", periods=24, freq="MS")
    >>> features = CalendarFeatures().fit(index)
    >>> features.transform(pd.date_range("2022-01-01", periods=2, freq="MS")).iloc[:, :3]
                month_2  month_3  month_4
    2022-01-01      0.0      0.0      0.0
    2022-02-01      1.0      0.0      0.0
    """

    def __init__(self, attributes="auto", *, encoding="onehot", fourier_terms="auto",
                 season_length=None):
        self.attributes = attributes
        self.encoding = encoding
        self.fourier_terms = fourier_terms
        self.season_length = season_length

    def fit(self, X, y=None):
        """Learn the frequency, the attribute values and the Fourier origin of ``X``.

        Parameters
        ----------
        X : pandas.DatetimeIndex, pandas.PeriodIndex, pandas object or array of dates
            The timestamps (the index of a Series or DataFrame).
        y : None
            Ignored.

        Returns
        -------
        self : CalendarFeatures
        """
        if self.encoding not in ("onehot", "cyclic"):
            raise InputValueError(
                f"`encoding`={self.encoding!r} must be 'onehot' or 'cyclic'."
            )
        index = _index_of(X)
        dated = isinstance(index, pd.DatetimeIndex)
        if not len(index):
            raise InputValueError("CalendarFeatures needs at least one timestamp to fit.")
        self.freq_ = infer_frequency(index) if dated else None
        self.anchor_ = index[0]
        self.index_step_ = 1 if dated or len(index) < 2 else int(index[1] - index[0])
        self.attributes_ = self._resolve_attributes(dated)
        self.categories_ = {
            name: sorted(set(_attribute(index, name).tolist())) for name in self.attributes_
        }
        self.season_length_, self.fourier_terms_ = self._resolve_fourier()
        names = []
        for name in self.attributes_:
            if self.encoding == "onehot":
                names += [f"{name}_{value}" for value in self.categories_[name][1:]]
            else:
                names += [f"{name}_sin", f"{name}_cos"]
        for k in range(1, self.fourier_terms_ + 1):
            names += [f"fourier_sin_{k}", f"fourier_cos_{k}"]
        if not names:
            raise InputValueError(
                f"CalendarFeatures found no feature for {frequency_name(self.freq_) or 'these'} "
                "timestamps; pass `attributes` (e.g. ['month']) or `fourier_terms` with "
                "`season_length`."
            )
        self.feature_names_out_ = names
        self.n_features_in_ = 1
        return self

    def _resolve_attributes(self, dated):
        attributes = self.attributes
        if attributes == "auto":
            return list(_AUTO.get(frequency_name(self.freq_), ())) if dated else []
        attributes = [] if attributes is None else (
            [attributes] if isinstance(attributes, str) else list(attributes))
        unknown = [a for a in attributes if a not in CALENDAR_ATTRIBUTES]
        if unknown:
            raise InputValueError(
                f"Unknown calendar attribute(s) {unknown}; choose among "
                f"{', '.join(CALENDAR_ATTRIBUTES)}."
            )
        if attributes and not dated:
            raise InputTypeError(
                f"Calendar attributes {attributes} need timestamps, got integer positions; "
                "use `fourier_terms` with `season_length` instead."
            )
        return attributes

    def _resolve_fourier(self):
        m = check_int(self.season_length, "season_length", allow_none=True,
                      meaning="None infers it from the frequency")
        if m is None:
            m = season_length_of(self.freq_) if self.freq_ is not None else 1
        terms = self.fourier_terms
        if terms == "auto":
            terms = 0 if self.attributes_ or m < 2 else min(3, m // 2)
        elif not (isinstance(terms, numbers.Integral) and not isinstance(terms, bool)
                  and 0 <= terms):
            raise InputValueError(
                f"`fourier_terms`={terms!r} must be 'auto' or an integer >= 0; pass e.g. 3."
            )
        terms = int(terms)
        if terms and (m < 2 or 2 * terms > m):
            raise InputValueError(
                f"`fourier_terms`={terms} needs a season of at least {2 * terms} periods, got "
                f"season_length {m}; pass `season_length` or fewer terms."
            )
        if terms and self.freq_ is None and isinstance(self.anchor_, pd.Timestamp):
            raise InputValueError(
                "Fourier terms count periods, but the timestamps have no regular frequency; "
                "pass a regular index (e.g. y.asfreq('MS').index)."
            )
        return (m, terms) if terms else (1, 0)

    def _positions(self, index):
        """Periods from ``anchor_`` to each timestamp."""
        if not isinstance(index, pd.DatetimeIndex):
            return (np.asarray(index, dtype=float) - float(self.anchor_)) / self.index_step_
        grid = pd.date_range(min(self.anchor_, index.min()), max(self.anchor_, index.max()),
                             freq=self.freq_)
        positions = grid.get_indexer(index)
        if (positions < 0).any():
            raise InputValueError(
                f"Timestamp {index[positions < 0][0]!r} is not on the {self.freq_!r} grid the "
                "calendar features were fitted on."
            )
        return (positions - grid.get_loc(self.anchor_)).astype(float)

    def transform(self, X):
        """The features of the timestamps of ``X``.

        Parameters
        ----------
        X : pandas.DatetimeIndex, pandas.PeriodIndex, pandas object or array of dates

        Returns
        -------
        pandas.DataFrame
            One row per timestamp (indexed by them; periods by their start times), the
            columns ``feature_names_out_``.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "feature_names_out_")
        index = _index_of(X)
        if self.attributes_ and not isinstance(index, pd.DatetimeIndex):
            raise InputTypeError(
                f"CalendarFeatures was fitted on timestamps; pass timestamps, got {index.dtype}."
            )
        columns = []
        for name in self.attributes_:
            values = _attribute(index, name)
            if self.encoding == "onehot":
                columns += [(values == v).astype(float) for v in self.categories_[name][1:]]
            else:
                angle = 2 * np.pi * values / CALENDAR_ATTRIBUTES[name]
                columns += [np.sin(angle), np.cos(angle)]
        if self.fourier_terms_:
            t = self._positions(index)
            for k in range(1, self.fourier_terms_ + 1):
                angle = 2 * np.pi * k * t / self.season_length_
                columns += [np.sin(angle), np.cos(angle)]
        data = np.column_stack(columns) if columns else np.empty((len(index), 0))
        return pd.DataFrame(data, index=index, columns=self.feature_names_out_)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Returns
        -------
        numpy.ndarray of str
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "feature_names_out_")
        return np.asarray(self.feature_names_out_, dtype=object)

"""Seasonality of a series: the season length to use, whether there is a season, its shape.

* :func:`resolve_season_length`: the season length a forecaster uses (given, or implied by
  the frequency of the training index);
* :func:`seasonality_test`: M4's 90% autocorrelation test (used by ``Naive2``);
* :func:`seasonal_strength`: the STL strength of seasonality (used by ``AutoARIMA`` to
  choose seasonal differencing);
* :func:`multiplicative_seasonal_indices`: the seasonal indices of a classical
  multiplicative decomposition (used by ``Naive2``);
* :func:`seasonal_period_strengths` and :func:`detect_seasonal_periods`: which of several
  candidate periods (a day and a week of hourly data) the series really shows (used by
  ``MSTL``).
"""

import numpy as np

import pandas as pd

from tsforecast.frequency import season_length as _season_length_of
from tsforecast.frequency import seasonal_periods
from tsforecast.statistical._context import quiet_statsmodels
from tsforecast.validation import InputValueError, check_int

__all__ = [
    "PERIOD_STRENGTH_THRESHOLD",
    "detect_seasonal_periods",
    "multiplicative_seasonal_indices",
    "resolve_season_length",
    "seasonal_period_strengths",
    "seasonal_strength",
    "seasonality_test",
]

#: Strength (share of the detrended variance) from which a candidate period is confirmed.
PERIOD_STRENGTH_THRESHOLD = 0.3
#: Cycles a candidate period needs in the series to be judged (one goes to the trend).
_DETECTION_MIN_CYCLES = 4
#: Detection looks at most at this many cycles of the longest candidate (the most recent):
#: enough for stable phase means, and a pattern that drifts over decades is judged as it
#: is now.
_DETECTION_CYCLES = 50


def resolve_season_length(forecaster, value):
    """Season length to use: ``value`` when given, else the one of the training frequency.

    ``forecaster.freq_`` must already be recorded (the base class does it before ``_fit``).
    """
    if value is None:
        return _season_length_of(getattr(forecaster, "freq_", None))
    return check_int(
        value, "season_length", example=12,
        meaning="e.g. 12 for monthly data, or None to infer it from the index frequency",
    )


def seasonality_test(y, season_length):
    """M4's 90% autocorrelation test for seasonality at lag ``season_length``.

    The series is called seasonal when ``|r_m| > 1.645 * sqrt((1 + 2 sum_{k<m} r_k^2) / n)``
    (``r_k`` the sample autocorrelations); series shorter than three seasons, or constant,
    are never called seasonal. This is the test of the M4 competition's benchmark code.

    Parameters
    ----------
    y : array-like
        The series.
    season_length : int
        The lag ``m`` to test.

    Returns
    -------
    bool
    """
    y = np.asarray(y, dtype=float)
    m = int(season_length)
    n = len(y)
    if m < 2 or n < 3 * m:
        return False
    centred = y - y.mean()
    denominator = float(centred @ centred)
    if denominator == 0:
        return False
    acf = np.array([centred[:-k] @ centred[k:] for k in range(1, m + 1)]) / denominator
    limit = 1.645 * np.sqrt((1.0 + 2.0 * np.sum(acf[:-1] ** 2)) / n)
    return bool(abs(acf[-1]) > limit)


def seasonal_strength(y, season_length):
    """Strength of seasonality ``max(0, 1 - var(R) / var(S + R))`` from an STL decomposition.

    The measure of Wang, Smith & Hyndman (2006) used by ``forecast::nsdiffs`` (its default
    ``"seas"`` test): remainder ``R`` and seasonal ``S`` of ``statsmodels`` STL with a
    seasonal smoother of 11 (``forecast::mstl``'s first window). 0 for series shorter than
    two seasons or constant.

    Parameters
    ----------
    y : array-like
        The series.
    season_length : int
        Number of periods in a season, at least 2.

    Returns
    -------
    float
        In ``[0, 1]``.
    """
    from statsmodels.tsa.seasonal import STL

    y = np.asarray(y, dtype=float)
    if season_length < 2 or len(y) < 2 * season_length + 1 or np.ptp(y) == 0:
        return 0.0
    with quiet_statsmodels():
        decomposition = STL(y, period=int(season_length), seasonal=11).fit()
    remainder = decomposition.resid
    deseasonalised_variance = np.var(remainder + decomposition.seasonal, ddof=1)
    if deseasonalised_variance == 0:
        return 0.0
    return float(np.clip(1.0 - np.var(remainder, ddof=1) / deseasonalised_variance, 0.0, 1.0))


def multiplicative_seasonal_indices(y, season_length):
    """Seasonal indices of a classical multiplicative decomposition (R's ``decompose``).

    The trend is a centred moving average of order ``m`` (``2 x m`` for even ``m``); the
    index of each phase is the mean ratio of the series to its trend, normalised to
    average 1. Element ``i`` belongs to positions ``i, i + m, i + 2m, ...`` of ``y``.

    Parameters
    ----------
    y : array-like
        A strictly positive series at least two seasons long.
    season_length : int
        Number of periods in a season, at least 2.

    Returns
    -------
    numpy.ndarray
        Shape ``(season_length,)``.
    """
    y = np.asarray(y, dtype=float)
    m = int(season_length)
    if m % 2 == 0:
        weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        weights = np.ones(m) / m
    trend = np.full(len(y), np.nan)
    half = len(weights) // 2
    trend[half : len(y) - half] = np.convolve(y, weights, mode="valid")
    ratio = y / trend
    indices = np.array([np.nanmean(ratio[phase::m]) for phase in range(m)])
    return indices / indices.mean()


def _centred_moving_average(x, m):
    """Centred moving average of order ``m`` (``2 x m`` for even ``m``), NaN at the ends."""
    weights_sum = np.cumsum(np.r_[0.0, x])
    if m % 2:
        half = m // 2
        inner = (weights_sum[m:] - weights_sum[:-m]) / m
    else:
        half = m // 2
        # 2 x m: the mean of two consecutive moving averages of order m
        simple = (weights_sum[m:] - weights_sum[:-m]) / m
        inner = (simple[1:] + simple[:-1]) / 2
    trend = np.full(len(x), np.nan)
    trend[half : half + len(inner)] = inner
    return trend


def _phase_profile(x, m, offset):
    """Seasonal profile of period ``m`` of ``x`` (centred) and its strength."""
    trend = _centred_moving_average(x, m)
    valid = np.flatnonzero(np.isfinite(trend))
    detrended = x[valid] - trend[valid]
    phase = (valid + offset) % m
    counts = np.bincount(phase, minlength=m)
    profile = np.bincount(phase, weights=detrended, minlength=m) / counts
    remainder = detrended - profile[phase]
    # One-way analysis of variance with the phases as groups: the spread of the phase
    # means less what the noise alone would give ((m - 1) noise variances), so that noise
    # scores about 0 however few cycles there are.
    n = len(detrended)
    noise_variance = float(remainder @ remainder) / (n - m)
    centred = profile - detrended.mean()
    between = float(counts @ centred**2)
    seasonal_variance = max(between - (m - 1) * noise_variance, 0.0) / n
    total = seasonal_variance + noise_variance
    profile -= profile.mean()
    return profile, (seasonal_variance / total if total > 0 else 0.0)


def seasonal_period_strengths(y, candidates, *, threshold=PERIOD_STRENGTH_THRESHOLD):
    """Strength of each candidate seasonal period, beyond the shorter confirmed ones.

    The candidates are tried from the shortest. For each, the working series (the series
    less the seasonal profiles of the shorter confirmed periods) is detrended by a
    centred moving average of the period's order, and the mean of each phase of the
    cycle gives its seasonal profile. The strength is the share of the detrended
    variance that the profile explains, ``var(S) / (var(S) + var(R))``, with the
    variance that the noise adds to the phase means removed (so that noise scores
    about 0 however few cycles there are). A period whose strength reaches
    ``threshold`` is confirmed and its profile removed before the longer ones are
    tried: a weekly cycle of hourly data is confirmed only when the days of the week
    differ, not merely because every day repeats.

    Only the last 50 cycles of the longest candidate are used, so the cost is linear in
    the length of that window and bounded for any series length.

    Strongly autocorrelated noise (a random walk) can pass for a cycle when the series
    covers only four or five of them; with more cycles, and for white noise, that
    practically never happens (``tests/test_long_series.py`` checks both).

    Parameters
    ----------
    y : array-like
        The series (finite values).
    candidates : iterable of int
        Periods to try, each at least 2. A period the series does not cover four times
        (one cycle goes to the moving-average trend) has strength NaN and is not
        confirmed.
    threshold : float, default=0.3
        Strength from which a period is confirmed.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, strongest first: ``period``, ``strength`` (in [0, 1]) and
        ``confirmed``.

    Examples
    --------
    >>> t = np.arange(24 * 7 * 6)
    >>> y = np.sin(2 * np.pi * t / 24) + np.random.default_rng(0).normal(0, 0.1, t.size)
    >>> seasonal_period_strengths(y, [24, 168]).round(2).to_dict("list")
    {'period': [24, 168], 'strength': [0.98, 0.0], 'confirmed': [True, False]}
    """
    x = np.asarray(y, dtype=float)
    if not np.isfinite(x).all():
        raise InputValueError(
            "seasonal_period_strengths needs finite values; fill or drop the NaN and "
            "infinite values first."
        )
    periods = sorted({check_int(p, "candidate period", minimum=2) for p in candidates})
    fitting = [p for p in periods if len(x) >= _DETECTION_MIN_CYCLES * p]
    window = min(len(x), _DETECTION_CYCLES * max(fitting)) if fitting else len(x)
    offset = len(x) - window  # phases stay aligned with positions in the whole series
    x = x[offset:].copy()
    rows = []
    for period in periods:
        if period not in fitting:
            rows.append({"period": period, "strength": np.nan, "confirmed": False})
            continue
        profile, strength = _phase_profile(x, period, offset)
        confirmed = bool(strength >= threshold)
        if confirmed:
            x -= profile[(np.arange(len(x)) + offset) % period]
        rows.append({"period": period, "strength": strength, "confirmed": bool(confirmed)})
    frame = pd.DataFrame(rows, columns=["period", "strength", "confirmed"])
    return frame.sort_values("strength", ascending=False, na_position="last",
                             kind="stable").reset_index(drop=True)


def detect_seasonal_periods(y, candidates=None, *, freq=None,
                            threshold=PERIOD_STRENGTH_THRESHOLD):
    """The candidate seasonal periods the series shows, shortest first.

    Parameters
    ----------
    y : array-like
        The series.
    candidates : iterable of int, optional
        Periods to try; None takes the calendar periods of ``freq`` that the series
        covers at least twice (:func:`tsforecast.frequency.seasonal_periods`).
    freq : str, optional
        Frequency of the series, used when ``candidates`` is None.
    threshold : float, default=0.3
        Strength from which a period is confirmed (see :func:`seasonal_period_strengths`).

    Returns
    -------
    tuple of int
        The confirmed periods in increasing order; empty when none is.

    Examples
    --------
    >>> t = np.arange(24 * 7 * 6)
    >>> weekend = ((t // 24) % 7 >= 5).astype(float)
    >>> y = np.sin(2 * np.pi * t / 24) + weekend
    >>> detect_seasonal_periods(y, freq="h")
    (24, 168)
    """
    y = np.asarray(y, dtype=float)
    if candidates is None:
        candidates = seasonal_periods(freq, n_obs=len(y))
    candidates = list(candidates)
    if not candidates or np.ptp(y) == 0:
        return ()
    strengths = seasonal_period_strengths(y, candidates, threshold=threshold)
    return tuple(sorted(int(p) for p in strengths.loc[strengths["confirmed"], "period"]))

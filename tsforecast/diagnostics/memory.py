"""Effective memory: how far back in the window the forecast actually looks.

The sensitivity of forecast step ``j`` (1 = the next value) to the input at lag ``k``
(1 = the last value of the window) is ``|d yhat_j / d x_k|``, averaged over the windows and
summed over the input features. From it:

``memory``
    Per forecast step, the smallest ``K`` such that the ``K`` most recent inputs hold
    :data:`MASS` of the step's sensitivity; ``effective_memory`` is the largest over the
    steps (the window must serve every step).
``recommended_window``
    The effective memory; with seasonal normalisation at least one season and a whole
    number of seasons (the normalisation needs complete seasons).
``profile``
    The sensitivity by distance from the forecast target, ``d = k + j - 1``: step ``j``
    reading lag ``k`` looks ``d`` steps back from the value it forecasts. Each step's
    sensitivity is scaled to sum to 1, then averaged over the steps that reach ``d``. A
    network that learned a season of length ``m`` peaks at ``d = m, 2m, ...`` for every
    step.
``peaks``
    The local maxima of the profile above :data:`PEAK_LEVEL` of its largest value, highest
    first.
"""

import math

import numpy as np

__all__ = ["MASS", "PEAK_LEVEL", "describe_memory", "profile_peaks"]

#: Share of the sensitivity mass that the effective memory holds.
MASS = 0.95
#: Smallest height of a peak, as a share of the profile's maximum.
PEAK_LEVEL = 0.3


def profile_peaks(profile, level=PEAK_LEVEL):
    """Distances (1-based) of the local maxima of ``profile`` above ``level`` of its maximum,
    highest first."""
    profile = np.asarray(profile, dtype=float)
    top = np.max(profile) if profile.size else 0.0
    if not top > 0:
        return []
    padded = np.concatenate([[-np.inf], profile, [-np.inf]])
    is_peak = (padded[1:-1] >= padded[:-2]) & (padded[1:-1] > padded[2:])
    index = np.nonzero(is_peak & (profile >= level * top))[0]
    return [int(i) + 1 for i in index[np.argsort(-profile[index], kind="stable")]]


def describe_memory(sensitivity, *, normalize=None, season_length=None):
    """Effective memory, recommended window and the sensitivity profile.

    Parameters
    ----------
    sensitivity : numpy.ndarray of shape (n_outputs, window, n_features)
        Mean ``|d yhat_j / d x_t|`` with ``t`` in input time order (oldest first).
    normalize : str, optional
        The forecaster's normalisation.
    season_length : int, optional

    Returns
    -------
    dict
    """
    by_lag = np.asarray(sensitivity, dtype=float).sum(axis=2)[:, ::-1]  # column k-1 = lag k
    n_steps, window = by_lag.shape
    totals = by_lag.sum(axis=1, keepdims=True)
    shares = np.divide(by_lag, totals, out=np.zeros_like(by_lag), where=totals > 0)
    cumulative = np.cumsum(shares, axis=1)
    memory = [int(np.argmax(row >= MASS - 1e-9)) + 1 if row[-1] > 0 else window
              for row in cumulative]
    effective = max(memory)
    recommended = effective
    m = int(season_length or 1)
    if normalize == "seasonal" and m > 1:
        recommended = m * max(1, math.ceil(effective / m))
    distance_sum = np.zeros(window + n_steps - 1)
    distance_count = np.zeros(window + n_steps - 1)
    for j in range(n_steps):
        distance_sum[j : j + window] += shares[j]
        distance_count[j : j + window] += 1
    profile = distance_sum / distance_count
    peaks = profile_peaks(profile)
    return {
        "memory": memory,
        "effective_memory": int(effective),
        "recommended_window": int(recommended),
        "window": int(window),
        "mass": MASS,
        "sensitivity_by_lag": by_lag,
        "profile": profile,
        "peaks": peaks,
        "season_length": m if m > 1 else None,
        "peaks_at_season_multiples": (
            bool(peaks) and all(p % m == 0 for p in peaks) if m > 1 else None
        ),
    }

"""Synthetic series for pretraining: trends, seasonalities, shifts, intermittency and noise.

Real corpora small enough to ship offline (M1, Tourism, the shipped series) hold a few
thousand series; a generator adds the variety a network needs to forecast series it has
never seen. Each series is a sum or product of components drawn at random:

* trend: none, linear, damped, piecewise linear with change points, a random walk, or
  exponential growth;
* seasonality: one or two periods (the frequency's season and, for sub-daily and daily
  data, a longer one), shaped by a few Fourier terms with random amplitudes and phases,
  additive or multiplicative, with a slowly drifting amplitude;
* a Gaussian-process sample with a random composite kernel (linear, RBF, periodic,
  rational quadratic: the KernelSynth idea of Chronos) for short series;
* an autoregressive component, level shifts, outliers;
* noise: Gaussian, Student-t or proportional to the level; intermittent demand (mostly
  zeros) for a share of the series.

Every series is positive (as most business series are) unless drawn as a zero-mean
process. Draws depend only on the seed.
"""

import numpy as np

__all__ = ["FREQUENCIES", "generate_series"]

#: Frequency label -> (season length, longer period or None, typical lengths (min, max)).
FREQUENCIES = {
    "yearly": (1, None, (10, 60)),
    "quarterly": (4, None, (16, 160)),
    "monthly": (12, None, (36, 400)),
    "weekly": (52, None, (80, 600)),
    "daily": (7, 365, (60, 1000)),
    "hourly": (24, 168, (200, 1500)),
}


def _trend(rng, n):
    t = np.arange(n, dtype=float) / n
    kind = rng.choice(["none", "linear", "damped", "piecewise", "walk", "exponential"],
                      p=[0.15, 0.25, 0.15, 0.2, 0.15, 0.1])
    if kind == "none":
        return np.zeros(n)
    if kind == "linear":
        return rng.normal(0, 1.0) * t
    if kind == "damped":
        phi = rng.uniform(0.8, 0.98)
        return rng.normal(0, 0.05) * (1 - phi ** np.arange(n)) / (1 - phi)
    if kind == "piecewise":
        points = np.sort(rng.uniform(0, 1, rng.integers(1, 4)))
        slopes = rng.normal(0, 1.0, len(points) + 1)
        return np.interp(t, np.r_[0, points, 1],
                         np.cumsum(np.r_[0, slopes * np.diff(np.r_[0, points, 1])]))
    if kind == "walk":
        return np.cumsum(rng.normal(0, rng.uniform(0.005, 0.05), n))
    return np.expm1(rng.uniform(0.2, 1.5) * t)


def _seasonal(rng, n, period):
    if period <= 1:
        return np.zeros(n)
    t = np.arange(n, dtype=float)
    terms = min(int(rng.integers(1, 5)), max(1, period // 2))
    shape = np.zeros(n)
    for k in range(1, terms + 1):
        shape += rng.normal(0, 1.0 / k) * np.sin(2 * np.pi * k * t / period + rng.uniform(0, 2 * np.pi))
    drift = 1 + np.cumsum(rng.normal(0, 0.002, n))
    return shape / max(np.std(shape), 1e-9) * drift


def _kernel_process(rng, n):
    """A Gaussian-process sample with a random sum/product of kernels (short series only)."""
    t = np.linspace(0, 1, n)[:, None]
    d = t - t.T

    def draw():
        kind = rng.choice(["rbf", "periodic", "linear", "rq"])
        if kind == "rbf":
            return np.exp(-0.5 * (d / rng.uniform(0.02, 0.5)) ** 2)
        if kind == "periodic":
            p = 1 / rng.choice([4, 6, 7, 12, 24, 52])
            return np.exp(-2 * np.sin(np.pi * np.abs(d) / p) ** 2 / rng.uniform(0.3, 2) ** 2)
        if kind == "linear":
            return (t - rng.uniform(0, 1)) @ (t - rng.uniform(0, 1)).T
        alpha = rng.uniform(0.5, 3)
        return (1 + d**2 / (2 * alpha * rng.uniform(0.05, 0.5) ** 2)) ** -alpha

    kernel = draw()
    for _ in range(int(rng.integers(0, 3))):
        kernel = kernel + draw() if rng.random() < 0.5 else kernel * draw()
    kernel += 1e-6 * np.eye(n)
    try:
        factor = np.linalg.cholesky(kernel)
    except np.linalg.LinAlgError:
        return np.zeros(n)
    sample = factor @ rng.standard_normal(n)
    return sample / max(np.std(sample), 1e-9)


def _ar(rng, n):
    phi = rng.uniform(-0.5, 0.9)
    e = rng.standard_normal(n)
    out = np.zeros(n)
    for i in range(1, n):
        out[i] = phi * out[i - 1] + e[i]
    return out / max(np.std(out), 1e-9)


def _one(rng, frequency, n):
    season, long_period, _ = FREQUENCIES[frequency]
    signal = _trend(rng, n)
    strength = rng.uniform(0, 0.3) if rng.random() < 0.7 else 0.0
    seasonal = strength * _seasonal(rng, n, season)
    if long_period is not None and n >= 2 * long_period and rng.random() < 0.5:
        seasonal += rng.uniform(0, 0.2) * _seasonal(rng, n, long_period)
    if n <= 400 and rng.random() < 0.25:
        signal = signal + rng.uniform(0.05, 0.5) * _kernel_process(rng, n)
    if rng.random() < 0.4:
        signal = signal + rng.uniform(0.01, 0.1) * _ar(rng, n)
    if rng.random() < 0.15:  # level shift
        signal = signal + rng.normal(0, 0.2) * (np.arange(n) >= rng.integers(n // 4, n))
    noise_scale = rng.uniform(0.005, 0.1)
    kind = rng.choice(["gaussian", "student", "proportional"])
    if kind == "student":
        noise = noise_scale * rng.standard_t(3, n) / 1.7
    else:
        noise = noise_scale * rng.standard_normal(n)
    # levels are exponentiated: the components act multiplicatively, as in most business
    # series, and the series stays positive
    values = np.exp(signal + seasonal + noise) if kind != "proportional" else \
        np.exp(signal + seasonal) * (1 + noise)
    if rng.random() < 0.05:  # outliers
        spikes = rng.random(n) < 0.01
        values[spikes] *= rng.uniform(1.5, 3, spikes.sum())
    values *= 10 ** rng.uniform(0, 5)
    if rng.random() < 0.05:  # intermittent demand
        values = np.where(rng.random(n) < rng.uniform(0.3, 0.8), 0.0, np.round(values / values.mean() * 5))
    return np.maximum(values, 0.0)


def generate_series(n_series, *, seed=0, frequencies=None):
    """Draw synthetic series.

    Parameters
    ----------
    n_series : int
    seed : int, default=0
    frequencies : sequence of str, optional
        Labels of :data:`FREQUENCIES` to draw from (uniformly); all by default.

    Returns
    -------
    list of (numpy.ndarray, int, str)
        Each series with its season length and frequency label.

    Examples
    --------
    >>> series = generate_series(3, seed=1)
    >>> [(len(values) > 0, m >= 1) for values, m, _ in series]
    [(True, True), (True, True), (True, True)]
    """
    rng = np.random.default_rng(seed)
    labels = list(frequencies or FREQUENCIES)
    out = []
    for _ in range(int(n_series)):
        frequency = labels[int(rng.integers(len(labels)))]
        low, high = FREQUENCIES[frequency][2]
        n = int(np.exp(rng.uniform(np.log(low), np.log(high))))
        out.append((_one(rng, frequency, n), FREQUENCIES[frequency][0], frequency))
    return out

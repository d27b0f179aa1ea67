"""Generator of the M4-like panel of ``bench_scale.py``, and its statsforecast side.

The panel (:func:`series_values`) is shared by both sides, so this module imports only
numpy at the top: ``bench_scale.py`` imports the generator from here, and the peer side
runs here in a peer environment with statsforecast (tsforecast is not needed there)::

    /tmp/tsf-bench/venv/bin/python tests/benchmarks/bench_scale_peer.py \
        --sizes 1000,10000 --sample 200

prints one JSON line per size and model: statsforecast's ``AutoETS``, ``Theta`` and
``AutoARIMA`` fitted to each series of an evenly spaced sample of the panel, forecasting
its holdout (the last ``horizon`` values of its frequency). ``ms_per_series`` is the mean
fit + forecast time per series after one warm-up series per frequency (numba compiles on
first use; ``first_s`` is that warm-up), ``mase`` the mean holdout MASE (scaled by the
in-sample errors of seasonal naive, as in M4).

The panel
---------
Series ``i`` of the panel with seed ``s`` is drawn from its own generator
``default_rng([s, i])``, so any series, sample or chunk of the panel is generated on its
own, in the same way in both environments, and a panel of any size never has to be held
in memory. Each series has:

* a frequency drawn with M4's shares (hourly and weekly folded into daily): yearly
  (season 1, horizon 6) 23%, quarterly (4, 8) 24%, monthly (12, 18) 48%, daily (7, 14) 5%;
* a length log-uniform between 50 and 2,000 values;
* a level between 10^0.5 and 10^5, and on the log scale a linear trend (a total change
  between -0.5 and +1.5), a seasonal cycle of two harmonics (amplitude up to 0.25,
  none for yearly), a random walk and white noise; values are the exponential, so all
  are positive and the seasonality is multiplicative.
"""

import argparse
import json
import sys
import time

import numpy as np

#: name -> (season length, horizon, share of the panel), M4's shares.
FREQUENCIES = {
    "yearly": (1, 6, 0.23),
    "quarterly": (4, 8, 0.24),
    "monthly": (12, 18, 0.48),
    "daily": (7, 14, 0.05),
}
MIN_LENGTH, MAX_LENGTH = 50, 2000


def series_values(i, seed=0):
    """Series ``i`` of the panel: ``(frequency name, season length, horizon, values)``."""
    rng = np.random.default_rng([seed, i])
    names = list(FREQUENCIES)
    shares = np.array([FREQUENCIES[name][2] for name in names])
    name = names[rng.choice(len(names), p=shares / shares.sum())]
    m, horizon, _ = FREQUENCIES[name]
    n = int(np.exp(rng.uniform(np.log(MIN_LENGTH), np.log(MAX_LENGTH + 1))))
    t = np.arange(n)
    log_values = (
        rng.uniform(0.5, 5) * np.log(10)
        + rng.uniform(-0.5, 1.5) * t / n
        + np.cumsum(rng.normal(0, rng.uniform(0, 0.02), n))
        + rng.normal(0, rng.uniform(0.01, 0.1), n)
    )
    if m > 1:
        amplitude = rng.uniform(0, 0.25)
        phase = rng.uniform(0, 2 * np.pi, 2)
        log_values += amplitude * (np.sin(2 * np.pi * t / m + phase[0])
                                   + 0.5 * np.sin(4 * np.pi * t / m + phase[1]))
    return name, m, horizon, np.exp(log_values)


def sample_ids(n_series, n_sample):
    """Evenly spaced ids of a sample of ``n_sample`` series of a panel of ``n_series``."""
    return np.unique(np.linspace(0, n_series - 1, min(n_sample, n_series)).astype(int))


def holdout_mase(train, test, forecast, season_length):
    """MASE of ``forecast`` on ``test``, scaled by seasonal naive's in-sample errors."""
    m = season_length if len(train) > season_length else 1
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    return float(np.mean(np.abs(np.asarray(test) - np.asarray(forecast))) / scale)


def peak_rss_mib():
    """Peak resident memory of this process so far (``VmHWM``), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------- statsforecast side
#: statsforecast's models, by the name of the tsforecast model they stand next to.
PEER_MODELS = {"ets": "AutoETS", "theta": "Theta", "autoarima": "AutoARIMA"}


def _peer_model(name, season_length):
    from statsforecast import models

    return getattr(models, PEER_MODELS[name])(season_length=season_length)


def _fit_forecast(name, values, season_length, horizon):
    train = values[:-horizon]
    forecast = _peer_model(name, season_length).fit(train).predict(horizon)["mean"]
    return holdout_mase(train, values[-horizon:], forecast, season_length)


def _warm_up(name, seed):
    """Fit once per frequency (numba compiles per code path); the seconds it took."""
    start = time.perf_counter()
    for m, horizon, _ in FREQUENCIES.values():
        t = np.arange(8 * max(m, 12))
        values = 100 + t + 10 * np.sin(2 * np.pi * t / max(m, 2)) + (seed + t) % 3
        _fit_forecast(name, values, m, horizon)
    return time.perf_counter() - start


def run_peer(name, n_series, n_sample, seed):
    """One statsforecast model on the sample of a panel: one JSON-able record."""
    first = _warm_up(name, seed)
    scores, seconds = [], 0.0
    for i in sample_ids(n_series, n_sample):
        _, m, horizon, values = series_values(int(i), seed)
        start = time.perf_counter()
        scores.append(_fit_forecast(name, values, m, horizon))
        seconds += time.perf_counter() - start
    return {"side": "statsforecast", "model": name, "peer": PEER_MODELS[name],
            "series": n_series, "sample": len(scores), "ms_per_series": 1000 * seconds / len(scores),
            "first_s": first, "mase": float(np.mean(scores)), "peak_rss_mib": peak_rss_mib()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated panel sizes")
    parser.add_argument("--sample", type=int, default=200, help="series fitted per size")
    parser.add_argument("--models", default=",".join(PEER_MODELS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    import warnings

    warnings.simplefilter("ignore")  # statsforecast's convergence notes
    for size in [int(s) for s in args.sizes.split(",")]:
        for name in args.models.split(","):
            print(json.dumps(run_peer(name, size, args.sample, args.seed)), flush=True)


if __name__ == "__main__":
    sys.exit(main())

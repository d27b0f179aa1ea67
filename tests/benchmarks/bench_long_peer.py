"""Peer side of ``bench_long.py``: statsforecast's MSTL, AutoETS and AutoARIMA and darts'
ExponentialSmoothing on the same generated hourly series, the same holdout and the same score.

Runs in a peer environment (numpy, scipy, statsforecast and darts; tsforecast is not needed, so
the peers keep their own pandas), e.g. the one ``../shared/bench/setup.sh`` creates::

    "$BENCH_HOME"/venv/bin/python tests/benchmarks/bench_long_peer.py sf-mstl 100000

prints one JSON line: model, n, seconds (fit + forecast, including numba's compilation,
as a user running it once sees it) and the holdout MASE (last ``HORIZON`` values, scaled
by the in-sample errors of seasonal naive with ``SEASON``), the same score as
``tsforecast fit``'s holdout. ``hourly_values`` is the generator of ``bench_long.py``.
"""

import json
import sys
import time

import numpy as np

SEASON, WEEK, HORIZON = 24, 168, 24
PEERS = ("sf-mstl", "sf-autoets", "sf-autoarima", "darts-ets")


def hourly_values(n, seed=0):
    """Hourly values: daily and weekly cycles, a slow trend and AR(1) noise."""
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    t = np.arange(n)
    daily = 10 * np.sin(2 * np.pi * t / 24) + 4 * np.cos(4 * np.pi * t / 24)
    weekly = 6 * np.sin(2 * np.pi * t / WEEK) + 8 * ((t // 24) % 7 >= 5)
    noise = lfilter([1.0], [1.0, -0.6], rng.normal(0, 2, n))
    return 100 + 0.001 * t + daily + weekly + noise


def holdout_mase(train, test, forecast, season=SEASON):
    """MASE of ``forecast`` on ``test``, scaled by seasonal naive's in-sample errors."""
    scale = np.mean(np.abs(train[season:] - train[:-season]))
    return float(np.mean(np.abs(np.asarray(test) - np.asarray(forecast))) / scale)


def _model(name):
    from statsforecast.models import MSTL, AutoARIMA, AutoETS

    if name == "sf-mstl":  # statsforecast's default trend forecaster: AutoETS(model="ZZN")
        return MSTL(season_length=[SEASON, WEEK])
    if name == "sf-autoets":
        return AutoETS(season_length=SEASON)
    return AutoARIMA(season_length=SEASON)


def _darts_forecast(train):
    """darts' ExponentialSmoothing (statsmodels' Holt-Winters, additive daily season) on
    an hourly TimeSeries."""
    import pandas as pd
    from darts import TimeSeries
    from darts.models import ExponentialSmoothing

    index = pd.date_range("2000-01-03", periods=len(train), freq="h")
    series = TimeSeries.from_series(pd.Series(train, index=index))
    model = ExponentialSmoothing(seasonal_periods=SEASON)
    model.fit(series)
    return model.predict(HORIZON).values()[:, 0]


def main():
    name, n = sys.argv[1], int(sys.argv[2])
    if name not in PEERS:
        raise SystemExit(f"unknown peer {name!r}; choose among {', '.join(PEERS)}")
    y = hourly_values(n)
    train, test = y[:-HORIZON], y[-HORIZON:]
    start = time.perf_counter()
    if name == "darts-ets":
        forecast = _darts_forecast(train)
    else:
        forecast = _model(name).fit(train).predict(HORIZON)["mean"]
    seconds = time.perf_counter() - start
    print(json.dumps({"model": name, "n": n, "seconds": round(seconds, 2),
                      "mase": round(holdout_mase(train, test, forecast), 3)}), flush=True)


if __name__ == "__main__":
    main()

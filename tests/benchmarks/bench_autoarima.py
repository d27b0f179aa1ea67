#!/usr/bin/env python3
"""Automatic ARIMA on AirPassengers: tsforecast AutoARIMA vs pmdarima vs statsforecast.

Same data as the peer kit's ``bench_arima.py``: the first 132 monthly values (float64,
original units, no transform), season length 12, stepwise search, each library's defaults
otherwise. ``fit_s`` = construction + order search + final fit; predict = 12 steps.
Repeats run in one process (repeat 0 includes one-off costs such as numba compilation).

    python tests/benchmarks/bench_autoarima.py --lib tsforecast --out tsf.json
    /tmp/tsf-bench/venv/bin/python tests/benchmarks/bench_autoarima.py --lib pmdarima
    /tmp/tsf-bench/venv/bin/python tests/benchmarks/bench_autoarima.py --lib statsforecast

Each library reports its AIC on its own likelihood (statsforecast, like R, uses the
likelihood of the differenced series, so its number is on another scale). For a like-for-like
comparison ``report.py`` refits every selected order with statsmodels SARIMAX on the same
data (``common_aic``): lower is better.
"""
import time

T_START = time.perf_counter()

import argparse
import json
import os
import platform
import sys

BENCH_DIR = os.environ.get("TSF_PEER_BENCH", "/work/shared/bench")
sys.path.insert(0, BENCH_DIR)
import common as C

p = argparse.ArgumentParser()
p.add_argument("--lib", required=True, choices=["tsforecast", "pmdarima", "statsforecast"])
p.add_argument("--repeats", type=int, default=int(os.environ.get("REPEATS", "3")))
p.add_argument("--out", default=None)
args = p.parse_args()
wlog = C.WarningLog()

import numpy as np

M = 12
if args.lib == "tsforecast":
    import tsforecast
    from tsforecast.statistical import AutoARIMA

    versions = {"tsforecast": tsforecast.__version__}

    def fit(y):
        return AutoARIMA(season_length=M).fit(y)

    def predict(m, h):
        return np.asarray(m.predict(h))

    def selected(m):
        return dict(order=list(m.order_), seasonal_order=list(m.seasonal_order_),
                    constant=m.trend_ is not None, own_aic=float(m.aic_),
                    n_models=int(getattr(m, "n_fits_", -1)))
elif args.lib == "pmdarima":
    import pmdarima as pm

    versions = {"pmdarima": pm.__version__}

    def fit(y):
        return pm.auto_arima(y, seasonal=True, m=M, stepwise=True, suppress_warnings=True,
                             error_action="ignore")

    def predict(m, h):
        return np.asarray(m.predict(n_periods=h))

    def selected(m):
        return dict(order=list(m.order), seasonal_order=list(m.seasonal_order),
                    constant=bool(m.with_intercept), own_aic=float(m.aic()), n_models=None)
else:
    import statsforecast
    from statsforecast.models import AutoARIMA

    versions = {"statsforecast": statsforecast.__version__}

    def fit(y):
        return AutoARIMA(season_length=M).fit(y)

    def predict(m, h):
        return np.asarray(m.predict(h=h)["mean"])

    def selected(m):
        p_, q_, P_, Q_, m_, d_, D_ = m.model_["arma"]
        names = list(m.model_["coef"].keys())
        return dict(order=[p_, d_, q_], seasonal_order=[P_, D_, Q_, m_],
                    constant=any(k in ("intercept", "drift") for k in names),
                    own_aic=float(m.model_["aic"]), n_models=None)

import_s = C.now() - T_START
task = C.Task("airpassengers")
y_train = task.y[: task.n_train].copy()
truth = task.y[task.n_train:]

runs = []
for r in range(args.repeats):
    with C.Span() as span:
        t0 = C.now()
        model = fit(y_train)
        fit_s = C.now() - t0
    tp = C.now()
    fc = predict(model, C.HORIZON)
    cold = (C.now() - tp) * 1e3
    warm = []
    for _ in range(3):
        tp = C.now()
        predict(model, C.HORIZON)
        warm.append((C.now() - tp) * 1e3)
    sel = selected(model)
    runs.append(dict(seed=r, fit_s=fit_s, predict_first_ms=cold, predict_warm_ms=warm,
                     mae=float(np.mean(np.abs(fc - truth))), **sel, **span.info("fit")))
    print(f"run {r}: fit {fit_s:.3f}s {sel['order']}{sel['seasonal_order']} "
          f"const={sel['constant']} aic={sel['own_aic']:.2f} mae {runs[-1]['mae']:.2f}", flush=True)

result = dict(benchmark="autoarima", system=args.lib, dataset="airpassengers", versions=versions,
              n_train=len(y_train), season_length=M, import_s=import_s, runs=runs,
              fit_s_first=runs[0]["fit_s"], fit_s_median=C.median([x["fit_s"] for x in runs]),
              predict_ms_median=C.median([w for x in runs for w in x["predict_warm_ms"]]),
              order=runs[-1]["order"], seasonal_order=runs[-1]["seasonal_order"],
              constant=runs[-1]["constant"], own_aic=runs[-1]["own_aic"], mae=runs[-1]["mae"],
              calib_start_ms=task.calib_start_ms, calib_end_ms=C.calibrate(),
              peak_rss_mb_inproc=C.hwm_mb(), python=sys.version.split()[0],
              platform=platform.platform(), warnings=wlog.as_list())
print(f"[autoarima-{args.lib}] fit {result['fit_s_median']:.3f}s (first {result['fit_s_first']:.3f}s) "
      f"{result['order']}{result['seasonal_order']} aic {result['own_aic']:.2f}", flush=True)
if args.out:
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1, default=str)

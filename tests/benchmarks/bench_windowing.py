#!/usr/bin/env python3
"""``make_windows`` on a 10-million-point series: time, memory, and proof of no copy.

    python tests/benchmarks/bench_windowing.py --out results/windowing.json

For each input (float64 ndarray, float32 ndarray, pandas Series) and window/horizon
(24/12 and 168/24): median wall time of ``--repeats`` calls (first call reported apart),
Python-level allocations during the call (``tracemalloc`` peak), the process RSS growth
(VmRSS before/after), and ``numpy.shares_memory`` of both outputs with the series.
For scale, ``numpy.ascontiguousarray`` of the first million windows (the copy a model
needs) is timed once.
"""
import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from tsforecast.windowing import make_windows


def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def measure(y, window, horizon, repeats):
    source = y.to_numpy() if isinstance(y, pd.Series) else y
    gc.collect()
    rss0 = rss_mb()
    t0 = time.perf_counter()
    Xw, Yw = make_windows(y, window, horizon)
    first_ms = (time.perf_counter() - t0) * 1e3
    rss1 = rss_mb()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        make_windows(y, window, horizon)
        times.append((time.perf_counter() - t0) * 1e3)
    tracemalloc.start()
    make_windows(y, window, horizon)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    m = len(source) - window - horizon + 1
    row = min(123_457, m - 1)
    ok_values = bool(Xw[row, 5] == source[row + 5]
                     and Yw[-1, -1] == source[-1] and Xw.shape == (m, window)
                     and Yw.shape == (m, horizon))
    result = dict(input=type(y).__name__ + f"[{source.dtype}]", n=len(source), window=window,
               horizon=horizon, series_mb=source.nbytes / 2**20,
               windows_logical_mb=(Xw.size + Yw.size) * source.itemsize / 2**20,
               first_call_ms=first_ms, median_ms=statistics.median(times),
               min_ms=min(times), max_ms=max(times), repeats=repeats,
               tracemalloc_peak_kb=peak / 1024.0, rss_growth_mb=rss1 - rss0,
               xw_shares_memory=bool(np.shares_memory(Xw, source)),
               yw_shares_memory=bool(np.shares_memory(Yw, source)),
               xw_writeable=bool(Xw.flags.writeable), values_ok=ok_values,
               xw_shape=list(Xw.shape), yw_shape=list(Yw.shape))
    del Xw, Yw
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000_000)
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--out", default=None)
    args = p.parse_args()

    rng = np.random.default_rng(0)
    y64 = rng.standard_normal(args.n)
    y32 = y64.astype(np.float32)
    s64 = pd.Series(y64)
    rows = []
    for y in (y64, y32, s64):
        for window, horizon in ((24, 12), (168, 24)):
            rows.append(measure(y, window, horizon, args.repeats))
            r = rows[-1]
            print(f"{r['input']:>16} w={window:<3} h={horizon:<2}: median {r['median_ms']:.3f} ms "
                  f"(first {r['first_call_ms']:.3f}) tracemalloc peak {r['tracemalloc_peak_kb']:.1f} KiB "
                  f"rss +{r['rss_growth_mb']:.1f} MB shares_memory X={r['xw_shares_memory']} "
                  f"Y={r['yw_shares_memory']} (windows view {r['windows_logical_mb']:.0f} MB "
                  f"over a {r['series_mb']:.0f} MB series)", flush=True)

    # The copy a model needs, on the first million windows only (the full copy of the
    # 10-million-window float32 array would be ~0.9 GB).
    Xw, _ = make_windows(y32, 24, 12)
    t0 = time.perf_counter()
    copy = np.ascontiguousarray(Xw[:1_000_000])
    copy_ms = (time.perf_counter() - t0) * 1e3
    copy_mb = copy.nbytes / 2**20
    del copy
    print(f"for scale: np.ascontiguousarray(first 1e6 float32 windows of 24) "
          f"{copy_ms:.0f} ms, {copy_mb:.0f} MB")

    result = dict(benchmark="windowing", rows=rows, contiguous_copy_ms=copy_ms,
                  contiguous_copy_mb=copy_mb, numpy=np.__version__, pandas=pd.__version__,
                  python=sys.version.split()[0], platform=platform.platform(),
                  target_ms=100.0,
                  all_no_copy=all(r["xw_shares_memory"] and r["yw_shares_memory"] for r in rows),
                  worst_median_ms=max(r["median_ms"] for r in rows),
                  worst_first_call_ms=max(r["first_call_ms"] for r in rows))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as fh:
            json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()

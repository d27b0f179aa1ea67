"""Scaling benchmark of the comparison harness: many series, 1 and 2 workers, memory.

Compares the baseline forecasters (naive, drift, and the default seasonal naive and
naive-2) on a generated monthly panel of ``--n-series`` series of different lengths, with
a 3-fold rolling-origin backtest, once per worker count. Reports series per second and
the peak resident memory (RSS) of the main process and of the worker processes, sampled
every 20 ms with psutil, and the CPU seconds used by the main process and the workers
with the 1-minute load average: on a shared machine (load above the core count) the wall
time says little about scaling, the CPU split does. Running several panel sizes (``--sizes``) shows that worker
memory does not grow with the panel (each task carries only its own series) and that
the main process grows only with the results it collects. The leaderboards of all worker
counts are checked to be identical (timings excluded).

Usage::

    python tests/benchmarks/bench_scale.py --sizes 250,1000 --workers 1,2
"""

import argparse
import os
import threading
import time

import numpy as np
import pandas as pd
import psutil
from tsforecast.comparison import compare, markdown_table
from tsforecast.model_selection import RollingOriginSplit

from tsforecast.registry import make_forecaster


def make_panel(n_series, seed=0):
    """Monthly panel: trend + seasonality + noise, lengths 60-240 (later starts are NaN)."""
    rng = np.random.default_rng(seed)
    length = 240
    t = np.arange(length)
    index = pd.date_range("2000-01-01", periods=length, freq="MS")
    columns = {}
    for i in range(n_series):
        level = rng.uniform(50, 5000)
        series = level * (
            1
            + rng.uniform(-0.002, 0.004) * t
            + rng.uniform(0, 0.3) * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6))
            + rng.normal(0, rng.uniform(0.01, 0.1), length)
        )
        series[: length - int(rng.integers(60, length + 1))] = np.nan
        columns[f"s{i:05d}"] = series
    return pd.DataFrame(columns, index=index)


class PeakMemory:
    """Samples the RSS of this process and its children in a background thread."""

    def __init__(self, interval=0.02):
        self.interval = interval
        self.main_peak = 0
        self.workers_peak = 0
        self.worker_peak = 0
        self._stop = threading.Event()

    def _sample(self):
        me = psutil.Process(os.getpid())
        while not self._stop.is_set():
            try:
                self.main_peak = max(self.main_peak, me.memory_info().rss)
                sizes = []
                for child in me.children(recursive=True):
                    try:
                        sizes.append(child.memory_info().rss)
                    except psutil.Error:
                        pass
                self.workers_peak = max(self.workers_peak, sum(sizes))
                self.worker_peak = max(self.worker_peak, max(sizes, default=0))
            except psutil.Error:
                pass
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def cpu_seconds():
    """CPU seconds used so far by this process and by each live child process."""
    me = psutil.Process(os.getpid())
    times = {"main": sum(me.cpu_times()[:2])}
    for child in me.children(recursive=True):
        try:
            times[child.pid] = sum(child.cpu_times()[:2])
        except psutil.Error:
            pass
    return times


def run(n_series, n_jobs, backend, models):
    panel = make_panel(n_series)
    forecasters = {name: make_forecaster(name, season_length=12) for name in models}
    cv = RollingOriginSplit(n_folds=3, horizon=12)
    load = os.getloadavg()[0]
    before = cpu_seconds()
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = compare(forecasters, panel, cv, n_jobs=n_jobs, backend=backend, coverage=0.9)
        wall = time.perf_counter() - started
    after = cpu_seconds()
    used = {key: value - before.get(key, 0.0) for key, value in after.items()}
    workers_cpu = sum(value for key, value in used.items() if key != "main")
    n_tasks = len(result.timings)
    row = {
        "series": n_series,
        "workers": n_jobs,
        "backend": backend if n_jobs > 1 or backend == "dask" else "serial",
        "tasks": n_tasks,
        "wall s": wall,
        "series/s": n_series / wall,
        "main CPU s": used["main"],
        "workers CPU s": workers_cpu,
        "load avg": load,
        "main peak RSS MB": memory.main_peak / 2**20,
        "largest worker RSS MB": memory.worker_peak / 2**20,
    }
    return row, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated panel sizes")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--backend", default="loky", choices=["loky", "dask"])
    parser.add_argument("--models", default="naive,drift", help="added to snaive and naive2")
    args = parser.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        reference = None
        for workers in [int(w) for w in args.workers.split(",")]:
            row, result = run(size, workers, args.backend, models)
            rows.append(row)
            board = result.leaderboard.drop(columns=["fit_seconds", "predict_ms"])
            if reference is None:
                reference = board
            else:
                pd.testing.assert_frame_equal(board, reference)
            print(row, flush=True)
    print()
    print(markdown_table(pd.DataFrame(rows), digits=1))
    print(f"\ncores: {os.cpu_count()}; leaderboards identical across worker counts: yes")


if __name__ == "__main__":
    main()

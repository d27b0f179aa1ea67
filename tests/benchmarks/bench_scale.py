"""Scaling benchmark: time and memory for 1,000, 10,000 and 100,000 series.

The panel is the M4-like one of ``bench_scale_peer.py`` (yearly, quarterly, monthly and
daily series of 50 to 2,000 values, levels over four orders of magnitude, trend, seasonality,
noise), generated series by series from a seed: any size, chunk or sample is generated on
its own, and a chunked run never holds the panel. Every forecaster takes one season length,
so the panel is handled as M4 is, by frequency: a wide frame per frequency (positions as
index, series aligned at their ends, leading NaN for shorter ones), each with its season
length and horizon (yearly 1/6, quarterly 4/8, monthly 12/18, daily 7/14). The global
network is the exception: one network over all series together.

Parts (``--part``; each at each of ``--sizes``):

``zeroshot``
    forecasts of the shipped pretrained network (``PretrainedRNNForecaster``: ``fit``
    stores the histories and calibrates the intervals with forecasts from the 24 latest
    origins of every series, ``predict`` is one forward pass), three ways: ``whole`` (one
    wide frame per frequency, the whole panel in memory; only up to ``--whole-max``
    series), ``chunked`` (frames of ``--chunk`` series generated, forecast and dropped in
    turn) and ``chunked-clear`` (the same, with ``jax.clear_caches()`` after each chunk).
    Columns: fit and predict seconds, XLA compilations and their seconds (a new program
    for every new batch shape), the resident memory left at the end (``end MB``), and a
    checksum of the forecasts (mean log forecast) that all ways must share.
``global``
    one global network trained over the whole panel (one wide frame of all series):
    ``LSTMForecaster(global_model=True, window=24, horizon=12)`` for ``--epochs`` epochs
    on its default budget of 10,000 training windows (``max_windows``), without
    calibration folds (``conformal=False``). ``windows/s`` is windows trained x epochs per
    second of ``fit``; ``index s`` the part of ``fit`` spent listing the panel's windows
    (``WindowForecaster._window_source``); ``fit added MB`` the peak during ``fit`` above
    the memory held before it (panel included). The way ``finetune`` (only when named in
    ``--ways``) fine-tunes the pretrained network instead (``fine_tune=--epochs``, one fit
    per frequency).
``compare``
    ``compare`` with the baselines (seasonal naive, naive-2 and ``--models``; 3 folds
    whose cutoffs are a third of the horizon apart) serially (``serial``), on joblib
    workers (``joblib``) and on a Dask ``LocalCluster`` (``dask``; one cluster for all
    frequencies, passed as ``address``), ``--workers`` each; the leaderboards must be
    identical. ``dask-overhead`` measures the scheduler of a real ``LocalCluster``: tasks/s
    of trivial tasks (``client.map``; and submitted one by one with a bounded number in
    flight, as ``compare`` does, without and with a payload of the mean size of a
    ``compare`` task), and the pickled bytes of the tasks ``compare`` submits (function and
    arguments, recorded by a ``Client`` subclass on 200 series) and of their results.
``statistical``
    per-series fit + forecast time of tsforecast's ``ets``, ``theta`` and ``autoarima``
    (``make_forecaster``) on an evenly spaced sample of ``--sample`` series of each size,
    each model first fitted once per frequency (imports, numba), scored on the holdout
    (the last ``horizon`` values, MASE), next to statsforecast's AutoETS, Theta and
    AutoARIMA on the same series (``bench_scale_peer.py`` under ``--peer-python``), one
    side after the other. The cost per series does not depend on the panel, so the total
    for a size is extrapolated (one core).

Each (part, way, size) runs in a fresh process of this script, one at a time, so its peak
memory is its own: ``base MB`` is the resident memory after imports and a warm-up, before
the panel; ``peak MB`` the process' peak after that (``VmHWM``, reset at ``base``);
``largest worker MB`` the largest worker process (psutil, every 20 ms). A size above
``--limit`` (``--dask-limit`` for ``dask``) runs on its first series only and its times
are extrapolated linearly (``measured`` < ``series``, ``extrapolated`` true, peak memory
that of the measured run); ``whole`` and ``global`` always run on the full panel. Results
are merged into ``results/scale.json`` (one object per part, way and size) and printed as
one table per part.

Usage::

    nice -n 10 python tests/benchmarks/bench_scale.py --part zeroshot --sizes 1000,10000
    nice -n 10 python tests/benchmarks/bench_scale.py --part global,compare --sizes 1000
    nice -n 10 python tests/benchmarks/bench_scale.py --part statistical --sizes 1000 \
        --sample 20 --peer-python /tmp/tsf-bench/venv/bin/python
"""

import argparse
import gc
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

os.environ.setdefault("KERAS_BACKEND", "jax")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_scale_peer import FREQUENCIES, holdout_mase, sample_ids, series_values

RESULTS = HERE / "results" / "scale.json"
#: The ways each part is run, one process each; all but ``finetune`` by default.
WAYS = {
    "zeroshot": ("whole", "chunked", "chunked-clear"),
    "global": ("lstm", "finetune"),
    "compare": ("serial", "joblib", "dask", "dask-overhead"),
    "statistical": ("tsforecast",),
}
STATISTICAL = ("ets", "theta", "autoarima")


# ------------------------------------------------------------------------ panel
def frequency_chunks(n_series, chunk, seed=0):
    """The first ``n_series`` series of the panel, by frequency, ``chunk`` at a time.

    Yields ``(frequency, season length, horizon, {name: values})`` as soon as a frequency
    has ``chunk`` series, then the rest of each frequency: with ``chunk >= n_series`` the
    whole panel is held before the first yield, with a small ``chunk`` at most about four
    chunks are.
    """
    buckets = {}
    for i in range(n_series):
        name, _, _, values = series_values(i, seed)
        bucket = buckets.setdefault(name, {})
        bucket[f"s{i:07d}"] = values
        if len(bucket) == chunk:
            yield (name, *FREQUENCIES[name][:2], buckets.pop(name))
    for name, bucket in buckets.items():
        yield (name, *FREQUENCIES[name][:2], bucket)


def wide_frame(columns):
    """A wide frame of the series in ``columns``, aligned at their ends (leading NaN)."""
    length = max(len(values) for values in columns.values())
    data = np.full((length, len(columns)), np.nan)
    for j, values in enumerate(columns.values()):
        data[length - len(values):, j] = values
    return pd.DataFrame(data, columns=list(columns))


# ---------------------------------------------------------------------- measures
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


def status_mib(field):
    """A memory field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def baseline_mib():
    """Resident memory now, after a garbage collection; the peak is reset to it, so that
    ``VmHWM`` then reports the peak of what follows (imports and warm-ups excluded)."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    return status_mib("VmRSS")


class CompileTime:
    """Number and seconds of XLA compilations while active (JAX's monitoring events)."""

    def __init__(self):
        self.count, self.seconds, self._active = 0, 0.0, False

    def _listen(self, event, duration, **_):
        from jax._src.dispatch import BACKEND_COMPILE_EVENT

        if self._active and event == BACKEND_COMPILE_EVENT:
            self.count += 1
            self.seconds += duration

    def __enter__(self):
        import jax.monitoring

        jax.monitoring.register_event_duration_secs_listener(self._listen)
        self._active = True
        return self

    def __exit__(self, *exc):
        self._active = False


def scaled(row, measured, n_series, keys):
    """Times of a run on ``measured`` series extrapolated linearly to ``n_series``."""
    factor = n_series / measured
    row.update({"series": n_series, "measured": measured, "extrapolated": measured < n_series})
    for key in keys:
        row[key] = row[key] * factor
    return row


def rates(row, seconds, n_series):
    """Add series per second and milliseconds per series to ``row``."""
    row["series/s"] = n_series / seconds
    row["ms/series"] = 1000 * seconds / n_series
    return row


# ----------------------------------------------------------------- zero-shot
def _warm_pretrained():
    """Load the network and run it once, so that the timings leave imports out."""
    from tsforecast import PretrainedRNNForecaster

    t = np.arange(120.0)
    PretrainedRNNForecaster(season_length=12).fit(100 + t + 5 * np.sin(t)).predict(12)


def zeroshot(n_series, way, args):
    """Zero-shot forecasts of the panel, whole or in chunks; one row."""
    from tsforecast import PretrainedRNNForecaster

    if way == "whole" and n_series > args.whole_max:
        return {"way": way, "series": n_series,
                "note": f"not run: above --whole-max {args.whole_max} (memory grows with "
                        "the panel, see the smaller sizes)"}
    measured = n_series if way == "whole" else min(n_series, args.limit or n_series)
    chunk = measured if way == "whole" else args.chunk
    _warm_pretrained()
    base = baseline_mib()
    fit_s = predict_s = generate_s = 0.0
    log_sum, frames = 0.0, 0
    with CompileTime() as compiles:
        chunks = frequency_chunks(measured, chunk, args.seed)
        while True:
            started = time.perf_counter()
            item = next(chunks, None)
            if item is None:
                break
            _, m, horizon, columns = item
            frame = wide_frame(columns)
            del columns
            generate_s += time.perf_counter() - started
            started = time.perf_counter()
            model = PretrainedRNNForecaster(season_length=m, horizon=horizon).fit(frame)
            fitted = time.perf_counter()
            forecast = model.predict(horizon).to_numpy()
            predict_s += time.perf_counter() - fitted
            fit_s += fitted - started
            if forecast.shape != (horizon, frame.shape[1]) or not np.isfinite(forecast).all():
                raise RuntimeError(f"bad forecasts: shape {forecast.shape}")
            log_sum += float(np.log(forecast).mean(axis=0).sum())
            frames += 1
            del model, frame, forecast
            if way == "chunked-clear":
                # every new batch shape is a new compiled program, kept until cleared
                import jax

                jax.clear_caches()
    row = {"way": way, "chunk": chunk, "frames": frames,
           "wall s": fit_s + predict_s, "fit s": fit_s, "predict s": predict_s,
           "compile s": compiles.seconds, "compiles": compiles.count,
           "generate s": generate_s, "checksum": log_sum / measured}
    row = scaled(row, measured, n_series,
                 ["wall s", "fit s", "predict s", "compile s", "compiles", "generate s"])
    rates(row, row["wall s"], n_series)
    gc.collect()
    return row | {"base MB": base, "peak MB": status_mib("VmHWM"),
                  "end MB": status_mib("VmRSS")}


# -------------------------------------------------------------------- global
def _timed_window_source(cls, spent):
    """Wrap ``cls._window_source`` so that ``spent`` accumulates its seconds."""
    original = cls._window_source

    def timed(self, *a, **k):
        started = time.perf_counter()
        try:
            return original(self, *a, **k)
        finally:
            spent[0] += time.perf_counter() - started

    cls._window_source = timed


def _global_lstm(args):
    from tsforecast import LSTMForecaster

    return LSTMForecaster(global_model=True, window=24, horizon=12, epochs=args.epochs,
                          conformal=False, random_state=0)


def global_network(n_series, way, args):
    """One global network trained over the whole panel; one row."""
    if way == "finetune":
        return fine_tune(n_series, args)
    from tsforecast.forecasting.window import WindowForecaster

    # warm-up on more windows than the budget: the same shapes as the timed fit
    t = np.arange(400.0)
    _global_lstm(args).fit(wide_frame({f"w{j}": 100 + j + 10 * np.sin(t / (j + 2))
                                       for j in range(30)}))
    spent = [0.0]
    _timed_window_source(WindowForecaster, spent)
    base = baseline_mib()
    started = time.perf_counter()
    frame = wide_frame({name: values for _, _, _, chunk
                        in frequency_chunks(n_series, 10_000, args.seed)
                        for name, values in chunk.items()})
    generate_s = time.perf_counter() - started
    frame_mb = frame.memory_usage(deep=True).sum() / 2**20
    before_fit = status_mib("VmRSS")
    model = _global_lstm(args)
    started = time.perf_counter()
    model.fit(frame)
    fit_s = time.perf_counter() - started
    peak = status_mib("VmHWM")
    started = time.perf_counter()
    forecast = model.predict().to_numpy()
    predict_s = time.perf_counter() - started
    if not np.isfinite(forecast).all():
        raise RuntimeError("non-finite forecasts")
    windows = model.n_windows_ * args.epochs
    row = {"way": "lstm", "series": n_series, "measured": n_series, "extrapolated": False,
           "epochs": args.epochs, "windows available": model.n_windows_available_,
           "windows trained": windows, "windows/s": windows / fit_s, "fit s": fit_s,
           "index s": spent[0], "predict s": predict_s, "generate s": generate_s,
           "frame MB": frame_mb, "base MB": base, "before fit MB": before_fit,
           "peak MB": peak, "fit added MB": peak - before_fit}
    return rates(row, fit_s, n_series)


def fine_tune(n_series, args):
    """The pretrained network fine-tuned on the panel, one fit per frequency; one row."""
    from tsforecast import PretrainedRNNForecaster

    _warm_pretrained()
    base = baseline_mib()
    fit_s = 0.0
    for _, m, horizon, columns in frequency_chunks(n_series, n_series, args.seed):
        frame = wide_frame(columns)
        started = time.perf_counter()
        PretrainedRNNForecaster(season_length=m, horizon=horizon,
                                fine_tune=args.epochs).fit(frame)
        fit_s += time.perf_counter() - started
        del frame, columns
    row = {"way": "finetune", "series": n_series, "measured": n_series,
           "extrapolated": False, "epochs": args.epochs, "fit s": fit_s,
           "base MB": base, "peak MB": status_mib("VmHWM")}
    return rates(row, fit_s, n_series)


# -------------------------------------------------------------------- compare
def _board_digest(boards):
    """Digest of the leaderboards, timings left out (equal digests: equal tables)."""
    digest = hashlib.sha256()
    for board in boards:
        kept = board.drop(columns=["fit_seconds", "predict_ms"], errors="ignore")
        digest.update(kept.round(10).to_csv().encode())
    return digest.hexdigest()[:16]


def _local_cluster(n_workers):
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return cluster, Client(cluster)


def compare_panel(n_series, way, args):
    """``compare`` of the baselines on the panel, serially, on joblib or on Dask; one row."""
    if way == "dask-overhead":
        return dask_overhead(n_series, args)
    from tsforecast.comparison import compare
    from tsforecast.model_selection import RollingOriginSplit

    from tsforecast.registry import make_forecaster

    limit = args.dask_limit if way == "dask" else args.limit
    measured = min(n_series, limit or n_series)
    t = np.arange(60.0)
    compare({"naive": make_forecaster("naive")}, wide_frame({"w": 100 + t}),
            RollingOriginSplit(n_folds=3, horizon=6), season_length=12)  # imports
    base = baseline_mib()
    groups = [(m, horizon, wide_frame(columns)) for _, m, horizon, columns
              in frequency_chunks(measured, measured, args.seed)]
    cluster = client = None
    started = time.perf_counter()
    if way == "dask":
        cluster, client = _local_cluster(args.workers)
    cluster_s = time.perf_counter() - started
    n_jobs = 1 if way == "serial" else args.workers
    backend = "dask" if way == "dask" else "loky"
    load = os.getloadavg()[0]
    before = cpu_seconds()
    boards, tasks = [], 0
    with PeakMemory() as memory:
        started = time.perf_counter()
        for m, horizon, frame in groups:
            forecasters = {name: make_forecaster(name, season_length=m) for name in args.models}
            result = compare(forecasters, frame, folds(horizon),
                             n_jobs=n_jobs, backend=backend, address=client, coverage=0.9,
                             season_length=m)
            boards.append(result.leaderboard)
            tasks += len(result.timings)
        wall = time.perf_counter() - started
        after = cpu_seconds()
    if client is not None:
        client.close()
        cluster.close()
    used = {key: value - before.get(key, 0.0) for key, value in after.items()}
    row = {"way": way, "workers": n_jobs, "tasks": tasks, "wall s": wall,
           "main CPU s": used["main"],
           "workers CPU s": sum(v for k, v in used.items() if k != "main"),
           "ms/task": 1000 * wall / tasks, "cluster start s": cluster_s, "load avg": load,
           "leaderboards": _board_digest(boards), "base MB": base,
           "peak MB": max(status_mib("VmHWM"), memory.main_peak / 2**20),
           "workers MB": memory.workers_peak / 2**20,
           "largest worker MB": memory.worker_peak / 2**20}
    row = scaled(row, measured, n_series, ["tasks", "wall s", "main CPU s", "workers CPU s"])
    return rates(row, row["wall s"], n_series)


def folds(horizon):
    """Three folds whose cutoffs are a third of the horizon apart: the shortest series (50
    values) keep at least 20 training values, a full season of every frequency."""
    from tsforecast.model_selection import RollingOriginSplit

    return RollingOriginSplit(n_folds=3, horizon=horizon, step=max(1, horizon // 3))


def _noop(x):
    return x


def _windowed_rate(client, n_tasks, payload=None):
    """Tasks/s of ``n_tasks`` trivial tasks submitted one by one with a bounded number in
    flight, as ``compare`` submits its tasks (``max(32, 8 x threads)``)."""
    from dask.distributed import as_completed

    in_flight = max(32, 8 * sum(client.nthreads().values()))
    pending = as_completed()
    submitted = 0
    started = time.perf_counter()
    while submitted < min(in_flight, n_tasks):
        pending.add(client.submit(_noop, payload, pure=False))
        submitted += 1
    for future in pending:
        future.result()
        future.release()
        if submitted < n_tasks:
            pending.add(client.submit(_noop, payload, pure=False))
            submitted += 1
    return n_tasks / (time.perf_counter() - started)


def _compare_task_bytes(cluster, args):
    """Pickled bytes of the tasks ``compare`` submits to Dask (function and arguments),
    and of their results, on 200 series of the panel."""
    import cloudpickle
    from dask.distributed import Client
    from tsforecast.comparison import compare

    from tsforecast.registry import make_forecaster

    class SizedClient(Client):
        """A client that records what each submitted task pickles to."""

        sent, kept = [], []

        def submit(self, func, *a, **k):
            self.sent.append(len(cloudpickle.dumps((func, a))))
            if len(self.kept) < 100:
                self.kept.append((func, a))
            return super().submit(func, *a, **k)

    client = SizedClient(cluster)
    try:
        for _, m, horizon, columns in frequency_chunks(200, 200, args.seed):
            forecasters = {name: make_forecaster(name, season_length=m) for name in args.models}
            compare(forecasters, wide_frame(columns), folds(horizon),
                    backend="dask", address=client, season_length=m)
    finally:
        client.close()
    results = [len(cloudpickle.dumps(func(*a))) for func, a in SizedClient.kept]
    return np.array(SizedClient.sent), np.array(results)


def dask_overhead(n_series, args):
    """Scheduler throughput of a real ``LocalCluster`` and the bytes of a task; one row."""
    started = time.perf_counter()
    cluster, client = _local_cluster(args.workers)
    cluster_s = time.perf_counter() - started
    try:
        client.submit(_noop, 0, pure=False).result()
        n = args.dask_tasks
        started = time.perf_counter()
        client.gather(client.map(_noop, range(n), pure=False))
        map_rate = n / (time.perf_counter() - started)
        window_rate = _windowed_rate(client, n)
        sent, results = _compare_task_bytes(cluster, args)
        payload = b"x" * int(sent.mean())
        payload_rate = _windowed_rate(client, n, payload)
    finally:
        client.close()
        cluster.close()
    return {"way": "dask-overhead", "series": n_series, "measured": 200,
            "extrapolated": False, "workers": args.workers, "cluster start s": cluster_s,
            "trivial tasks": n, "map tasks/s": map_rate, "windowed tasks/s": window_rate,
            "windowed + payload tasks/s": payload_rate,
            "task bytes mean": float(sent.mean()), "task bytes max": int(sent.max()),
            "result bytes mean": float(results.mean()), "load avg": os.getloadavg()[0]}


# --------------------------------------------------------------- statistical
def warm_up_values(m):
    """A short seasonal series on which each model is fitted once before timing."""
    t = np.arange(8 * max(m, 12), dtype=float)
    return 100 + t + 10 * np.sin(2 * np.pi * t / max(m, 2)) + t % 3


def statistical(n_series, way, args):
    """tsforecast's statistical models on a sample of the panel; one row per model."""
    import warnings

    from tsforecast.registry import make_forecaster

    warnings.simplefilter("ignore")  # statsmodels' convergence notes
    ids = sample_ids(n_series, args.sample)
    rows = []
    for name in args.statistical:
        for m, horizon, _ in FREQUENCIES.values():
            make_forecaster(name, season_length=m, horizon=horizon).fit(
                warm_up_values(m)).predict(horizon)
        scores, seconds, failed = [], 0.0, 0
        for i in ids:
            _, m, horizon, values = series_values(int(i), args.seed)
            train = values[:-horizon]
            started = time.perf_counter()
            try:
                model = make_forecaster(name, season_length=m, horizon=horizon)
                forecast = np.asarray(model.fit(train).predict(horizon), dtype=float)
            except Exception:  # noqa: BLE001 - counted and reported
                failed += 1
                continue
            finally:
                seconds += time.perf_counter() - started
            scores.append(holdout_mase(train, values[-horizon:], forecast, m))
        rows.append({"side": "tsforecast", "model": name, "series": n_series,
                     "sample": len(ids), "failed": failed,
                     "ms_per_series": 1000 * seconds / len(ids),
                     "mase": float(np.mean(scores)), "peak_rss_mib": status_mib("VmHWM")})
    return rows


def peer_rows(n_series, args):
    """statsforecast's side of ``statistical`` from the peer environment."""
    command = [args.peer_python, str(HERE / "bench_scale_peer.py"), "--sizes", str(n_series),
               "--sample", str(args.sample), "--models", ",".join(args.statistical),
               "--seed", str(args.seed)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout,
                          check=True)
    seconds = time.perf_counter() - started
    return [json.loads(line) | {"process s": seconds}
            for line in done.stdout.splitlines() if line.startswith("{")]


def statistical_table(ours, peers, n_series):
    """One row per model: both sides' cost per series, their ratio and holdout MASE."""
    theirs = {row["model"]: row for row in peers}
    rows = []
    for row in ours:
        peer = theirs.get(row["model"], {})
        peer_ms = peer.get("ms_per_series", float("nan"))
        rows.append({
            "part": "statistical", "way": row["model"], "series": n_series,
            "process s": row["process s"] + peer.get("process s", 0.0),
            "sample": row["sample"], "extrapolated": True,
            "tsforecast ms/series": row["ms_per_series"], "statsforecast ms/series": peer_ms,
            "ratio ts/sf": row["ms_per_series"] / peer_ms,
            "tsforecast MASE": row["mase"], "statsforecast MASE": peer.get("mase"),
            "tsforecast failed": row["failed"], "statsforecast model": peer.get("peer"),
            "statsforecast first s": peer.get("first_s"),
            "tsforecast total s (1 core)": row["ms_per_series"] * n_series / 1000,
            "statsforecast total s (1 core)": peer_ms * n_series / 1000,
            "peak MB": row["peak_rss_mib"], "statsforecast peak MB": peer.get("peak_rss_mib"),
        })
    return rows


# ------------------------------------------------------------------ one process
RUNNERS = {"zeroshot": zeroshot, "global": global_network, "compare": compare_panel,
           "statistical": statistical}


def run_one(spec, args):
    """Run ``part:way:size`` in this process; print its rows as JSON lines."""
    part, way, size = spec.split(":")
    rows = RUNNERS[part](int(size), way, args)
    for row in rows if isinstance(rows, list) else [rows]:
        print(json.dumps({"part": part, **row}), flush=True)


def run_child(part, way, size, args):
    """Run one ``(part, way, size)`` in a fresh process of this script; its rows."""
    command = [sys.executable, __file__, *args.argv, "--run", f"{part}:{way}:{size}"]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return [{"part": part, "way": way, "series": size,
                 "note": f"gave up after {args.timeout} s"}]
    seconds = time.perf_counter() - started
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not rows:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return [{"part": part, "way": way, "series": size, "note": f"failed: {tail}"}]
    for row in rows:
        row["process s"] = seconds
    return rows


# ------------------------------------------------------------------- results
def save(rows):
    """Merge ``rows`` into ``results/scale.json``, replacing those of the same part,
    way, size (and zero-shot chunk)."""
    stamp = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
             "cores": os.cpu_count()}
    old = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    key = lambda row: (row["part"], row.get("way"), row.get("series"), row.get("chunk"))
    new = {key(row): {**row, **stamp} for row in rows}
    kept = [row for row in old if key(row) not in new]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(kept + list(new.values()), indent=1) + "\n")


#: The columns of each part's table.
COLUMNS = {
    "zeroshot": ["series", "measured", "way", "chunk", "wall s", "series/s", "ms/series",
                 "fit s", "predict s", "compile s", "compiles", "base MB", "peak MB", "end MB",
                 "checksum"],
    "global": ["series", "way", "epochs", "windows available", "windows trained",
               "windows/s", "fit s", "index s", "ms/series", "frame MB", "before fit MB",
               "peak MB", "fit added MB"],
    "compare": ["series", "measured", "way", "workers", "tasks", "wall s", "series/s",
                "ms/series", "ms/task", "main CPU s", "workers CPU s", "load avg",
                "peak MB", "largest worker MB", "leaderboards"],
    "dask-overhead": ["workers", "cluster start s", "map tasks/s", "windowed tasks/s",
                      "windowed + payload tasks/s", "task bytes mean", "task bytes max",
                      "result bytes mean"],
    "statistical": ["series", "sample", "way", "tsforecast ms/series",
                    "statsforecast ms/series", "ratio ts/sf", "tsforecast MASE",
                    "statsforecast MASE", "tsforecast failed", "tsforecast total s (1 core)",
                    "statsforecast total s (1 core)"],
}


def print_tables(rows):
    """Print one markdown table per part (and one for the Dask scheduler)."""
    from tsforecast.evaluation import markdown_table

    frame = pd.DataFrame(rows)
    for part, wanted in COLUMNS.items():
        if part == "dask-overhead":
            chosen = frame[frame.get("way", pd.Series(dtype=object)) == part]
        elif part == "compare":
            chosen = frame[(frame["part"] == part) & (frame["way"] != "dask-overhead")]
        else:
            chosen = frame[frame["part"] == part]
        if chosen.empty:
            continue
        columns = [c for c in [*wanted, "process s", "note"] if c in chosen]
        table = chosen[columns].reset_index(drop=True)
        for column in table.columns:  # counts as integers, not "12000.00"
            values = table[column].dropna()
            if (pd.api.types.is_float_dtype(values) and len(values)
                    and (values == values.round()).all()
                    and not column.endswith((" s", "MB", "/s", "ms/series", "MASE"))):
                table[column] = table[column].round().astype("Int64")
        print(f"\n{part}\n")
        print(markdown_table(table, digits=2))


def check_consistency(rows):
    """Lines saying whether the ways of a part agree at each size: the same zero-shot
    forecasts (checksum) and the same ``compare`` leaderboards."""
    lines = []
    for part, field in (("zeroshot", "checksum"), ("compare", "leaderboards")):
        for size in sorted({row["series"] for row in rows if row["part"] == part}):
            values = {row["way"]: row[field] for row in rows
                      if row["part"] == part and row["series"] == size and field in row}
            if len(values) > 1:
                same = (len(set(values.values())) == 1 if part == "compare" else
                        np.ptp(list(values.values())) < 1e-6)
                lines.append(f"{part} {size}: {field} identical across "
                             f"{', '.join(values)}: {'yes' if same else 'NO'}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="zeroshot",
                        help="comma-separated parts: " + ", ".join(WAYS) + ", or all")
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated panel sizes")
    parser.add_argument("--ways", default=None,
                        help="comma-separated ways of the parts (default: all but finetune)")
    parser.add_argument("--limit", type=int, default=10_000,
                        help="series run at most per size (chunked zero-shot, compare); "
                             "larger sizes are extrapolated; 0 for none")
    parser.add_argument("--dask-limit", type=int, default=2000,
                        help="as --limit, for compare on Dask")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=500, help="series per zero-shot chunk")
    parser.add_argument("--whole-max", type=int, default=2000,
                        help="largest panel zero-shot forecast whole")
    parser.add_argument("--epochs", type=int, default=2, help="global training epochs")
    parser.add_argument("--workers", type=int, default=2, help="joblib and Dask workers")
    parser.add_argument("--models", default="naive,drift",
                        help="compare: added to snaive and naive2")
    parser.add_argument("--dask-tasks", type=int, default=2000,
                        help="trivial tasks per scheduler measurement")
    parser.add_argument("--sample", type=int, default=200, help="statistical: series per size")
    parser.add_argument("--statistical", default=",".join(STATISTICAL),
                        help="statistical: models")
    parser.add_argument("--peer-python", default="/tmp/tsf-bench/venv/bin/python",
                        help="statistical: interpreter with statsforecast ('' to skip)")
    parser.add_argument("--timeout", type=int, default=7200, help="seconds per process")
    parser.add_argument("--run", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    args.statistical = [m.strip() for m in args.statistical.split(",") if m.strip()]
    if args.run:
        return run_one(args.run, args)
    args.argv = [a for a in (sys.argv[1:] if argv is None else argv)]
    parts = list(WAYS) if args.part == "all" else args.part.split(",")
    chosen_ways = args.ways.split(",") if args.ways else None
    default_ways = [w for ways in WAYS.values() for w in ways if w != "finetune"]
    rows = []
    for part in parts:
        for size in [int(s) for s in args.sizes.split(",")]:
            for way in WAYS[part]:
                if way not in (chosen_ways or default_ways) and part != "statistical":
                    continue
                got = run_child(part, way, size, args)
                if part == "statistical" and "note" not in got[0]:
                    peers = peer_rows(size, args) if args.peer_python else []
                    got = statistical_table(got, peers, size)
                for row in got:
                    print(json.dumps(row), flush=True)
                rows += got
                save(got)
    print_tables(rows)
    print("", *check_consistency(rows), sep="\n")
    print(f"\ncores: {os.cpu_count()}; load average now: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

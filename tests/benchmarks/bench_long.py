"""Long-series benchmark: the command line and the statistical models, time, memory, accuracy.

Three parts (``--part``), each run in its own processes, one at a time, under ``nice``:

``cli``
    the length-scaling table: ``tsforecast fit`` and ``tsforecast compare`` (their
    defaults) on a CSV of the generated hourly series of each size, each under
    ``/usr/bin/time -v``: wall time, peak resident memory (the whole process, libraries
    included) and holdout MASE (``fit``: its holdout of the last day, the default model's
    score and the best baseline's; ``compare``: the default network's mean over the 3
    folds, and the leaderboard's best). Side by side, when a peer environment with
    statsforecast is given (``--peer-python``; ``../shared/bench/setup.sh`` makes one),
    statsforecast's MSTL (24 and 168), AutoETS and AutoARIMA and darts'
    ExponentialSmoothing (``bench_long_peer.py``) on the same series, fitted once and
    scored on the same last day.
``elecdemand``
    ``fit`` and ``compare`` on the shipped half-hourly ``elecdemand`` series (target
    ``Demand``), with their tables as the commands print them.
``models``
    each statistical model on its own, as below.

Part ``models``: each statistical model (by registry name, built by ``make_forecaster`` with season length
24 and horizon 168) is fitted to a generated hourly series of each size (a daily and a
weekly cycle, a slow trend, AR(1) noise), forecasts the last week, and reports:

* wall time of fit + forecast;
* peak resident memory (RSS) added by fit + forecast: the series is generated and the
  model fitted once to a short series (so that the libraries it uses are imported), the
  peak is reset (``/proc/self/clear_refs``), and the peak (``VmHWM``) is read after the
  forecast; alongside, :func:`tsforecast.statistical.estimate_memory`'s estimate;
* holdout MASE (scaled by the weekly seasonal naive errors of the training values).

Every (model, size) runs in its own process, one at a time, under ``nice``, so that the
peak memory is that model's own and a slow run can be given up on (``--timeout``).
``sarimax-default`` is statsmodels' SARIMAX(1,0,1)(0,1,1)[24] fitted with its defaults
(every per-step covariance kept), the mode that ran out of memory on long series; it
validates the full-memory estimate and is refused above 20,000 values.

Usage::

    python tests/benchmarks/bench_long.py --part cli --sizes 10000,100000,1000000 \
        --peer-python /tmp/tsf-bench/venv/bin/python
    python tests/benchmarks/bench_long.py --part elecdemand
    python tests/benchmarks/bench_long.py --sizes 10000,100000
    python tests/benchmarks/bench_long.py --sizes 1000000 --models snaive,mstl,theta
    python tests/benchmarks/bench_long.py --sizes 2000,5000 --models sarimax-default,arima-exact
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_long_peer import PEERS, hourly_values

MODELS = ("naive", "snaive", "drift", "naive2", "arima", "autoarima", "ets", "theta", "mstl",
          "arima-exact", "sarimax-default")
DEFAULT_MODELS = MODELS[:9]
SEASON, WEEK = 24, 168
#: Largest series the statsmodels-default run accepts (it keeps k x k matrices per step).
_MAX_FULL_MEMORY_SIZE = 20_000


def hourly_series(n, seed=0):
    """Hourly series: daily and weekly cycles, a slow trend and AR(1) noise."""
    return pd.Series(hourly_values(n, seed),
                     index=pd.date_range("2000-01-03", periods=n, freq="h"), name="load")


def _rss_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _model(name):
    from tsforecast.defaults import make_forecaster
    from tsforecast.statistical import ARIMA

    if name == "snaive":
        return make_forecaster(name, season_length=WEEK)
    if name == "arima-exact":
        return ARIMA((1, 0, 1), (0, 1, 1, SEASON), approximation=False)
    return make_forecaster(name, season_length=SEASON, horizon=WEEK)


def _statsmodels_default(train, horizon):
    import warnings

    from statsmodels.tsa.statespace.sarimax import SARIMAX

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = SARIMAX(train.to_numpy(), order=(1, 0, 1),
                          seasonal_order=(0, 1, 1, SEASON)).fit(disp=False)
        return results.forecast(horizon)


def worker(name, n):
    """Fit and forecast one model on one series; one JSON line on stdout."""
    import gc

    from tsforecast.evaluation import mase
    from tsforecast.statistical import estimate_memory

    y = hourly_series(n)
    train, test = y.iloc[:-WEEK], y.iloc[-WEEK:]
    model = None if name == "sarimax-default" else _model(name)
    if name == "sarimax-default":
        estimate = estimate_memory(_model("arima-exact"), len(train), SEASON,
                                   conserve_memory=False)
    else:
        season = WEEK if name in ("snaive", "mstl") else SEASON
        estimate = estimate_memory(model, len(train), season)
    warm_up = hourly_series(8 * WEEK, seed=1)
    if model is None:
        _statsmodels_default(warm_up, WEEK)
    else:
        _model(name).fit(warm_up).predict(WEEK)
    gc.collect()
    before = _rss_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # reset the peak (VmHWM) to the current RSS
    start = time.perf_counter()
    if model is None:
        forecast = _statsmodels_default(train, WEEK)
    else:
        forecast = model.fit(train).predict(WEEK)
    seconds = time.perf_counter() - start
    peak = _rss_kib("VmHWM")
    record = {
        "model": name, "n": n, "seconds": round(seconds, 2),
        "peak_mib": round((peak - before) / 1024, 1), "estimate_mib": round(estimate / 2**20, 1),
        "mase": round(float(mase(test, np.asarray(forecast), y_train=train,
                                 season_length=WEEK)), 3),
        "n_fit": getattr(model, "n_fit_", len(train)),
        "method": getattr(model, "method_", ""),
        "periods": list(getattr(model, "periods_", ())),
    }
    print(json.dumps(record), flush=True)


# ------------------------------------------------------------------ command line
def _timed(command, timeout):
    """Run ``command`` under ``/usr/bin/time -v`` and ``nice``: ``(wall seconds, peak RSS
    MiB, stdout, stderr, return code)``; None on timeout."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        full = ["nice", "-n", "10", "/usr/bin/time", "-v", "-o", report.name, *command]
        start = time.perf_counter()
        try:
            done = subprocess.run(full, capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            return None
        seconds = time.perf_counter() - start
        text = Path(report.name).read_text()
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    peak = int(match.group(1)) / 1024 if match else float("nan")
    return seconds, peak, done.stdout, done.stderr, done.returncode


def _mib(peak):
    """Peak memory in whole MiB, None when ``time`` could not report it (a killed run)."""
    return round(peak) if np.isfinite(peak) else None


def _tsforecast():
    return shutil.which("tsforecast") or str(Path(sys.executable).with_name("tsforecast"))


def _cli_row(kind, n, csv, workdir, timeout, extra=()):
    command = [_tsforecast(), kind, str(csv), "--json", *extra]
    if kind == "fit":
        command += ["-o", str(workdir / f"model_{n}.tsf")]
    outcome = _timed(command, timeout)
    system = " ".join(["tsforecast", kind, *extra])
    if outcome is None:
        return {"system": system, "n": n, "note": f"gave up after {timeout:.0f} s"}
    seconds, peak, stdout, stderr, code = outcome
    row = {"system": system, "n": n, "seconds": round(seconds, 1), "peak_mib": _mib(peak)}
    if code:
        row["note"] = f"failed: {(stderr.strip().splitlines() or ['?'])[-1]}"
        return row
    document = json.loads(stdout)
    if kind == "fit":
        scores = {r["model"]: r["mase"] for r in document["holdout"] if r["mase"] is not None}
        model = document["description"]
        row["mase"] = scores.get("auto")
        others = {k: v for k, v in scores.items() if k != "auto"}
        best = min(others, key=others.get) if others else None
        row["note"] = (f"auto = {model}; best baseline {best} {others[best]:.3f}" if best
                       else f"auto = {model}")
    else:
        board = {r["model"]: r["mase_mean"] for r in document["leaderboard"]}
        row["mase"] = round(board.get("auto", float("nan")), 3)
        best = min(board, key=board.get)
        row["note"] = (f"best {best} {board[best]:.3f}; "
                       + ", ".join(f"{k} {v:.3f}" for k, v in board.items()))
    row["stderr_tail"] = stderr.strip().splitlines()[-3:]
    return row


def _peer_row(peer_python, name, n, timeout):
    outcome = _timed([peer_python, str(Path(__file__).with_name("bench_long_peer.py")), name,
                      str(n)], timeout)
    if outcome is None:
        return {"system": name, "n": n, "note": f"gave up after {timeout:.0f} s"}
    seconds, peak, stdout, stderr, code = outcome
    row = {"system": name, "n": n, "seconds": round(seconds, 1), "peak_mib": _mib(peak)}
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if code or not lines:
        row["note"] = f"failed: {(stderr.strip().splitlines() or ['?'])[-1]}"
        return row
    record = json.loads(lines[-1])
    row["mase"] = record["mase"]
    row["note"] = f"fit + forecast {record['seconds']:.1f} s in the process"
    return row


def _print_row(row, output):
    # other processes on the machine slow the runs down: the 1-minute load says how busy
    row["load"] = round(os.getloadavg()[0], 1)
    seconds = f"{row['seconds']:>9.1f}" if "seconds" in row else f"{'-':>9}"
    peak = f"{row['peak_mib']:>9.0f}" if row.get("peak_mib") is not None else f"{'-':>9}"
    mase = row.get("mase")
    mase = f"{mase:>7.3f}" if isinstance(mase, float) and np.isfinite(mase) else f"{'-':>7}"
    print(f"{row['system']:22}{row['n']:>10,}{seconds}{peak}{mase}{row['load']:>6}  "
          f"{row.get('note', '')}", flush=True)
    if output:
        with open(output, "a") as file:
            file.write(json.dumps(row) + "\n")


def cli_part(sizes, peer_python, peers, timeout, output, kinds=("fit", "compare"), extra=()):
    """The length-scaling table (see the module docstring)."""
    print(f"{'system':22}{'n':>10}{'seconds':>9}{'RSS MiB':>9}{'MASE':>7}{'load':>6}  note")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for n in sizes:
            csv = workdir / f"hourly_{n}.csv"
            hourly_series(n).rename_axis("time").to_frame().to_csv(csv, float_format="%.4f")
            for kind in kinds:
                _print_row(_cli_row(kind, n, csv, workdir, timeout, extra), output)
            if peer_python:
                for name in peers:
                    _print_row(_peer_row(peer_python, name, n, timeout), output)


def elecdemand_part(timeout, output):
    """``fit`` and ``compare`` on the shipped ``elecdemand`` series, as printed."""
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("fit", "compare"):
            command = [_tsforecast(), kind, "elecdemand", "--target", "Demand"]
            if kind == "fit":
                command += ["-o", str(Path(tmp) / "elecdemand.tsf")]
            outcome = _timed(command, timeout)
            if outcome is None:
                print(f"{kind}: gave up after {timeout:.0f} s", flush=True)
                continue
            seconds, peak, stdout, stderr, code = outcome
            print(f"$ tsforecast {kind} elecdemand --target Demand   "
                  f"({seconds:.1f} s, peak RSS {peak:.0f} MiB, exit {code})")
            print(stderr.rstrip())
            print(stdout.rstrip(), flush=True)
            if output:
                with open(output, "a") as file:
                    file.write(json.dumps({"kind": kind, "seconds": round(seconds, 1),
                                           "peak_mib": round(peak), "code": code,
                                           "stderr": stderr, "stdout": stdout}) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("models", "cli", "elecdemand"), default="models",
                        help="what to run (see the module docstring)")
    parser.add_argument("--peer-python",
                        default=os.path.join(os.environ.get("BENCH_HOME", "/tmp/tsf-bench"),
                                             "venv", "bin", "python"),
                        help="python of an environment with statsforecast (part cli)")
    parser.add_argument("--commands", default="fit,compare",
                        help="the commands of part cli, e.g. fit")
    parser.add_argument("--extra", default="",
                        help="options added to the commands of part cli, e.g. "
                             "'--max-windows 2000'")
    parser.add_argument("--peers", default="sf-mstl,sf-autoets,sf-autoarima,darts-ets",
                        help=f"comma-separated peers among {', '.join(PEERS)}")
    parser.add_argument("--sizes", default="10000,100000",
                        help="comma-separated series lengths")
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS),
                        help=f"comma-separated models among {', '.join(MODELS)}")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds after which a run is given up")
    parser.add_argument("--output", help="append the JSON lines to this file")
    parser.add_argument("--worker", nargs=2, metavar=("MODEL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]))
        return
    if args.part == "cli":
        peer_python = args.peer_python if os.path.exists(args.peer_python) else None
        if peer_python is None:
            print(f"no peer environment at {args.peer_python}: statsforecast left out")
        cli_part([int(s) for s in args.sizes.split(",")], peer_python,
                 [p.strip() for p in args.peers.split(",") if p.strip()], args.timeout,
                 args.output, kinds=args.commands.split(","), extra=args.extra.split())
        return
    if args.part == "elecdemand":
        elecdemand_part(args.timeout, args.output)
        return
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        parser.error(f"unknown models {unknown}; choose among {', '.join(MODELS)}")
    print(f"{'model':16}{'n':>10}{'seconds':>10}{'peak MiB':>10}{'estimate':>10}"
          f"{'MASE':>8}  n_fit  method")
    for n in (int(s) for s in args.sizes.split(",")):
        for name in models:
            if name == "sarimax-default" and n > _MAX_FULL_MEMORY_SIZE:
                print(f"{name:16}{n:>10}  skipped (keeps every per-step covariance)")
                continue
            command = ["nice", "-n", "10", sys.executable, os.path.abspath(__file__),
                       "--worker", name, str(n)]
            try:
                done = subprocess.run(command, capture_output=True, text=True,
                                      timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print(f"{name:16}{n:>10}  gave up after {args.timeout:.0f} s", flush=True)
                continue
            lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
            if done.returncode or not lines:
                tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
                print(f"{name:16}{n:>10}  failed: {tail[0]}", flush=True)
                continue
            r = json.loads(lines[-1])
            print(f"{name:16}{n:>10}{r['seconds']:>10.2f}{r['peak_mib']:>10.1f}"
                  f"{r['estimate_mib']:>10.1f}{r['mase']:>8.3f}  {r['n_fit']:<6} {r['method']}",
                  flush=True)
            if args.output:
                with open(args.output, "a") as file:
                    file.write(lines[-1] + "\n")


if __name__ == "__main__":
    main()

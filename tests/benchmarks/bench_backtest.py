#!/usr/bin/env python3
"""Rolling-origin backtest with a refit per fold: tsforecast vs darts, same folds, same model.

Model: the peer task's LSTM(64) + linear head, 24 lags -> 12 steps, Adam 1e-3, MSE,
batch 32, 10 epochs, float32 (``common.py`` of the peer kit). Data: the task's z-scored
series (full length). Folds: ``--folds`` expanding-window folds, horizon 12, cutoffs
``--step`` apart, the last test window ending with the last value
(``RollingOriginSplit(n_folds, horizon=12, step)``); AirPassengers: 10 folds, step 6,
training ends 78, 84, ..., 132; sines5000: 10 folds, step 12, training ends 4880 ... 4988.

    # tsforecast: backtest(LSTMForecaster(...), y, RollingOriginSplit(...), coverage=None)
    python tests/benchmarks/bench_backtest.py --system tsforecast --dataset airpassengers
    # darts: BlockRNNModel(...).historical_forecasts(retrain=True, stride=step,
    #        forecast_horizon=12, last_points_only=False), run in the peer venv
    /tmp/tsf-bench/venv/bin/python tests/benchmarks/bench_backtest.py --system darts ...

Each repeat is one complete backtest (10 fits + 10 forecasts) in the same process: repeat 0
includes every one-off cost (JAX compilation, Lightning set-up), later repeats show the
steady state. ``--compilation-cache DIR`` (tsforecast): the same in a second process with
JAX's persistent compilation cache warm. ``--n-jobs 2`` (tsforecast): folds fitted in two
threads (darts' PyTorch already computes on both cores of this machine by itself). Writes one JSON (``--out``).
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
p.add_argument("--system", required=True, choices=["tsforecast", "darts"])
p.add_argument("--dataset", default="airpassengers", choices=list(C.DATASETS))
p.add_argument("--folds", type=int, default=10)
p.add_argument("--step", type=int, default=None, help="default: 6 (airpassengers), 12 (sines)")
p.add_argument("--repeats", type=int, default=int(os.environ.get("REPEATS", "2")))
p.add_argument("--out", default=None)
p.add_argument("--compilation-cache", default=None, metavar="DIR",
               help="tsforecast only: JAX's persistent compilation cache in DIR (as the CLI); "
                    "an empty DIR is first filled by an untimed child process")
p.add_argument("--n-jobs", type=int, default=None,
               help="tsforecast only: backtest(..., n_jobs=N), folds fitted in N threads")
p.add_argument("--no-warm-up", action="store_true", help=argparse.SUPPRESS)
args = p.parse_args()
if args.compilation_cache and not args.no_warm_up and not (
        os.path.isdir(args.compilation_cache) and os.listdir(args.compilation_cache)):
    import subprocess

    subprocess.run([sys.executable, os.path.abspath(__file__), "--system", args.system,
                    "--dataset", args.dataset, "--folds", str(args.folds), "--repeats", "1",
                    "--compilation-cache", args.compilation_cache, "--no-warm-up"]
                   + (["--n-jobs", str(args.n_jobs)] if args.n_jobs else [])
                   + (["--step", str(args.step)] if args.step else []),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
step = args.step or (6 if args.dataset == "airpassengers" else 12)

import numpy as np

task = C.Task(args.dataset)
y = task.ys                                   # float32, z-scored with the train part's stats
n = len(y)
ends = [n - C.HORIZON - (args.folds - 1 - k) * step for k in range(args.folds)]
truth = np.stack([task.y[e:e + C.HORIZON] for e in ends])


def mae(scaled):
    return float(np.mean(np.abs(task.inverse(scaled) - truth)))


if args.system == "tsforecast":
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    import pandas as pd
    from tsforecast.model_selection import RollingOriginSplit, backtest
    from tsforecast.window_forecaster import LSTMForecaster

    import tsforecast

    versions = {"tsforecast": tsforecast.__version__, "keras": keras.__version__,
                "backend": keras.backend.backend()}
    if args.compilation_cache:
        from tsforecast.backend import enable_compilation_cache

        enable_compilation_cache(args.compilation_cache)
    series = pd.Series(y.astype(np.float64))
    cv = RollingOriginSplit(n_folds=args.folds, horizon=C.HORIZON, step=step)
    assert [int(tr[-1]) + 1 for tr, _ in cv.split(series)] == ends

    def run_backtest(seed):
        forecaster = LSTMForecaster(
            window=C.LAGS, horizon=C.HORIZON, normalize=None, conformal=False,
            random_state=seed, units=(C.UNITS,), epochs=C.EPOCHS, batch_size=C.BATCH,
            learning_rate=C.LR, clipnorm=None, early_stopping=False, reduce_lr=False)
        table = backtest(forecaster, series, cv, coverage=None, n_jobs=args.n_jobs)
        forecasts = table.pivot(index="fold", columns="step", values="forecast").to_numpy()
        fold_fit = table.groupby("fold")["fit_seconds"].first().tolist()
        fold_pred = table.groupby("fold")["predict_ms"].first().tolist()
        return forecasts, dict(fold_fit_s=fold_fit, fold_predict_ms=fold_pred)

    api = ("backtest(LSTMForecaster(normalize=None, conformal=False, ...), y, RollingOriginSplit(...), "
           f"coverage=None{f', n_jobs={args.n_jobs}' if args.n_jobs else ''})")
else:
    import logging
    import tempfile

    import darts
    import torch
    from darts import TimeSeries
    from darts.models import BlockRNNModel

    for name in ("pytorch_lightning", "lightning", "lightning.pytorch", "darts"):
        logging.getLogger(name).setLevel(logging.ERROR)
    versions = {"darts": darts.__version__, "torch": torch.__version__}
    workdir = tempfile.mkdtemp(prefix="darts_backtest_")
    series = TimeSeries.from_values(y)

    def run_backtest(seed):
        model = BlockRNNModel(
            model="LSTM", input_chunk_length=C.LAGS, output_chunk_length=C.HORIZON,
            hidden_dim=C.UNITS, n_rnn_layers=1, dropout=0.0, n_epochs=C.EPOCHS,
            batch_size=C.BATCH, optimizer_cls=torch.optim.Adam, optimizer_kwargs={"lr": C.LR},
            loss_fn=torch.nn.MSELoss(), random_state=seed, save_checkpoints=False,
            force_reset=True, work_dir=workdir, log_tensorboard=False,
            pl_trainer_kwargs={"accelerator": "cpu", "enable_progress_bar": False,
                               "enable_model_summary": False, "logger": False,
                               "enable_checkpointing": False})
        fcs = model.historical_forecasts(
            series, start=ends[0], start_format="position", forecast_horizon=C.HORIZON,
            stride=step, retrain=True, last_points_only=False, overlap_end=False,
            verbose=False, show_warnings=False)
        assert len(fcs) == args.folds, len(fcs)
        starts = [int(series.get_index_at_point(f.start_time())) for f in fcs]
        assert starts == ends, (starts, ends)
        return np.stack([f.values().ravel() for f in fcs]), {}

    api = "BlockRNNModel(...).historical_forecasts(retrain=True, stride, forecast_horizon=12, last_points_only=False)"

import_s = C.now() - T_START
runs = []
for r in range(args.repeats):
    with C.Span() as span:
        t0 = C.now()
        forecasts, extra = run_backtest(r)
        wall = C.now() - t0
    runs.append(dict(seed=r, backtest_s=wall, mae=mae(forecasts), **extra, **span.info("backtest")))
    print(f"run {r}: backtest {wall:.3f}s ({args.folds} folds) mae {runs[-1]['mae']:.4f} "
          f"cpu/wall {span.cpu / span.wall:.2f}", flush=True)

system = (args.system + (f"+{args.n_jobs}-threads" if args.n_jobs else "")
          + ("+xla-cache" if args.compilation_cache else ""))
result = dict(benchmark="backtest", system=system, compilation_cache=args.compilation_cache, dataset=args.dataset, versions=versions,
              api=api, folds=args.folds, step=step, horizon=C.HORIZON, train_ends=ends,
              model="LSTM(64) + linear head, 24 -> 12, Adam 1e-3, MSE, batch 32, 10 epochs",
              import_s=import_s, runs=runs, backtest_s_first=runs[0]["backtest_s"],
              backtest_s_median=C.median([x["backtest_s"] for x in runs]),
              backtest_s_rest_median=C.median([x["backtest_s"] for x in runs[1:]]),
              mae_median=C.median([x["mae"] for x in runs]), peak_rss_mb_inproc=C.hwm_mb(),
              calib_start_ms=task.calib_start_ms, calib_end_ms=C.calibrate(),
              python=sys.version.split()[0], platform=platform.platform(),
              total_process_s=C.now() - T_START)
print(f"[backtest-{system}/{args.dataset}] first {result['backtest_s_first']:.3f}s "
      f"median {result['backtest_s_median']:.3f}s mae {result['mae_median']:.4f}", flush=True)
if args.out:
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1, default=str)

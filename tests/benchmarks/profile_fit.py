#!/usr/bin/env python3
"""Profile tsforecast on the peer task with pyinstrument (where the time of a miss goes).

    python tests/benchmarks/profile_fit.py --dataset airpassengers --what fit-predict
    python tests/benchmarks/profile_fit.py --dataset sines5000 --what refit
    python tests/benchmarks/profile_fit.py --what backtest

``--what``: ``fit-predict`` (first fit + first forecast of the process, compile included),
``refit`` (a second fit of the same architecture), ``backtest`` (10 folds on AirPassengers,
as ``bench_backtest.py``), ``autoarima`` (AutoARIMA on AirPassengers), ``cli-fit``
(``tsforecast fit`` on the shipped AirPassengers file, in-process). Writes a text profile
to ``results/profiles/<what>-<dataset>.txt`` (and ``.html`` with ``--html``).
"""
import argparse
import os
import sys
import tempfile
import time

BENCH_DIR = os.environ.get("TSF_PEER_BENCH", "/work/shared/bench")
sys.path.insert(0, BENCH_DIR)
import common as C

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="airpassengers", choices=list(C.DATASETS))
    p.add_argument("--what", default="fit-predict",
                   choices=["fit-predict", "refit", "backtest", "autoarima", "cli-fit"])
    p.add_argument("--html", action="store_true")
    p.add_argument("--interval", type=float, default=0.001)
    args = p.parse_args()

    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras  # noqa: F401  (imports are not part of the profile, as in the benchmarks)
    import numpy as np
    import pandas as pd
    from pyinstrument import Profiler
    from tsforecast.window_forecaster import LSTMForecaster

    import tsforecast  # noqa: F401

    task = C.Task(args.dataset)

    def forecaster(seed=0):
        return LSTMForecaster(window=C.LAGS, horizon=C.HORIZON, normalize=None, conformal=False,
                              random_state=seed, units=(C.UNITS,), epochs=C.EPOCHS,
                              batch_size=C.BATCH, learning_rate=C.LR, clipnorm=None,
                              early_stopping=False, reduce_lr=False)

    if args.what == "refit":
        forecaster(0).fit(task.train_s).predict()

    profiler = Profiler(interval=args.interval)
    t0 = time.perf_counter()
    profiler.start()
    if args.what in ("fit-predict", "refit"):
        f = forecaster(1).fit(task.train_s)
        f.predict()
    elif args.what == "backtest":
        from tsforecast.model_selection import RollingOriginSplit, backtest

        series = pd.Series(task.ys.astype(np.float64))
        step = 6 if args.dataset == "airpassengers" else 12
        backtest(forecaster(0), series, RollingOriginSplit(n_folds=10, horizon=12, step=step),
                 coverage=None)
    elif args.what == "autoarima":
        from tsforecast.statistical import AutoARIMA

        AutoARIMA(season_length=12).fit(task.y[: task.n_train])
    else:
        from click.testing import CliRunner
        from tsforecast.cli.main import cli

        data = os.path.join(os.path.dirname(os.path.dirname(HERE)), "datasets", "air_passengers.csv")
        with tempfile.TemporaryDirectory() as tmp:
            out = CliRunner().invoke(cli, ["fit", data, "-o", os.path.join(tmp, "m.tsf")])
            print(out.output[-1500:])
    profiler.stop()
    wall = time.perf_counter() - t0

    outdir = os.path.join(HERE, "results", "profiles")
    os.makedirs(outdir, exist_ok=True)
    stem = os.path.join(outdir, f"{args.what}-{args.dataset}")
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    with open(stem + ".txt", "w") as fh:
        fh.write(f"# {args.what} on {args.dataset}: wall {wall:.3f} s\n{text}")
    if args.html:
        with open(stem + ".html", "w") as fh:
            fh.write(profiler.output_html())
    print(text)
    print(f"wall {wall:.3f} s -> {stem}.txt")


if __name__ == "__main__":
    main()

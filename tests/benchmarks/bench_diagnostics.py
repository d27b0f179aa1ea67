#!/usr/bin/env python
"""Inside the network: the cost of ``track_gradients`` and SimpleRNN, GRU and LSTM side by side.

Two measurements, each in one process:

``overhead``
    The training time of a recurrent regressor fitted with ``track_gradients=True`` as a
    ratio to the same fit without it, on the windows of a shipped series (log, standardised).
    Both fits are compiled first (one untimed fit each), then timed alternately
    ``--repeats`` times; the ratio is of the medians. The two fits train the same weights
    (tracking only reads them), so they run the same number of epochs.
``side by side``
    ``SimpleRNNForecaster``, ``GRUForecaster`` and ``LSTMForecaster`` with the same
    settings (``highway=False``, so that the forecast goes through the recurrent cell only)
    fitted on the series without its last ``horizon`` values, explained on their training
    windows (:func:`tsforecast.diagnostics.explain`), and scored on the held-out values
    (MASE). For each seed: the effective memory (lags holding 95% of the sensitivity), the
    lag beyond which the loss gradient vanishes, the first-to-last-step gradient ratio and
    the sensitivity peaks. Figures: the three networks side by side
    (:func:`~tsforecast.diagnostics.plot_comparison`) and each one's summary page.

Also the time of ``explain`` on a 5,000-step series (default ``max_windows`` and all windows).

    python tests/benchmarks/bench_diagnostics.py --dataset air_passengers \\
        --output tests/benchmarks/results/diagnostics

writes ``OUTPUT/DATASET/diagnostics.json`` and the figures next to it.
"""

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")

HERE = Path(__file__).resolve().parent
CELLS = ("SimpleRNN", "GRU", "LSTM")
#: Resolution of the saved figures (small files to keep in the repository).
DPI = 80


def load_series(name):
    from tsforecast import datasets

    y = datasets.load(name)
    y = y.iloc[:, 0] if y.ndim == 2 else y
    return y.interpolate()  # co2 misses a few weeks


def overhead(y, *, window, horizon, units, epochs, repeats):
    """Median fit times with and without ``track_gradients`` and their ratio."""
    import tsforecast as tsf

    values = np.log(y.to_numpy(dtype=float)) if (y > 0).all() else y.to_numpy(dtype=float)
    values = (values - values.mean()) / values.std()
    X, Y = tsf.make_windows(values, window, horizon)
    X, Y = X.astype(np.float32), Y.astype(np.float32)
    # the default training: early stopping on the last 10% of the windows, so that every
    # epoch ends with a validation pass (as without tracking)
    options = {"units": units, "epochs": epochs, "random_state": 0}

    def fit(track):
        started = time.perf_counter()
        model = tsf.LSTMRegressor(track_gradients=track, **options).fit(X, Y)
        return time.perf_counter() - started, model

    first = {track: fit(track)[0] for track in (False, True)}  # compile both
    times = {False: [], True: []}
    models = {}
    for _ in range(repeats):
        for track in (False, True):
            seconds, models[track] = fit(track)
            times[track].append(seconds)
    plain, tracked = (statistics.median(times[t]) for t in (False, True))
    same = bool(np.array_equal(models[False].predict(X), models[True].predict(X)))
    n_epochs = models[True].n_epochs_
    return {
        "model": f"LSTMRegressor(units={units}), at most {epochs} epochs, batch 32",
        "epochs_run": {"plain": models[False].n_epochs_, "tracked": n_epochs},
        "n_windows": int(X.shape[0]), "window": window, "horizon": horizon,
        "repeats": repeats, "first_fit_s": {"plain": first[False], "tracked": first[True]},
        "fit_s": {"plain": times[False], "tracked": times[True]},
        "median_s": {"plain": plain, "tracked": tracked}, "ratio": tracked / plain,
        "per_epoch_ms": 1000 * (tracked - plain) / n_epochs,
        "same_predictions": same,
        "history_keys": sorted(k for k in models[True].history_ if k not in ("loss",)),
    }


def side_by_side(y, *, window, horizon, units, seeds, output):
    from tsforecast.metrics import mase

    import tsforecast as tsf
    from tsforecast.diagnostics import explain, plot_comparison
    from tsforecast.diagnostics.gradient_flow import input_layer
    from tsforecast.frequency import season_length

    season = season_length(y.index.freq, len(y))
    train, test = y.iloc[:-horizon], y.to_numpy(dtype=float)[-horizon:]
    rows, shown = [], {}
    for seed in seeds:
        for cell in CELLS:
            forecaster = getattr(tsf, f"{cell}Forecaster")(
                window=window, horizon=horizon, units=units, highway=False, conformal=False,
                random_state=seed)
            model = tsf.TransformedForecaster("log", forecaster) if (y > 0).all() else forecaster
            started = time.perf_counter()
            model.fit(train)
            fit_s = time.perf_counter() - started
            forecast = np.asarray(model.predict(horizon), dtype=float)
            started = time.perf_counter()
            result = explain(model, y=train)
            explain_s = time.perf_counter() - started
            first = input_layer(result.flow)[0]
            gates = {k.rsplit("/", 1)[1]: float(np.mean(v)) for k, v in result.gates.items()}
            rows.append({
                "cell": cell, "seed": seed,
                "effective_memory": result.memory["effective_memory"],
                "recommended_window": result.memory["recommended_window"],
                "vanish_lag": first["vanish_lag"], "gradient_ratio": first["ratio"],
                "peaks": result.memory["peaks"][:4], "gates": gates,
                "epochs": result.training["n_epochs"],
                "mase": float(mase(test, forecast, y_train=train.to_numpy(dtype=float),
                                   season_length=season)),
                "fit_s": fit_s, "explain_s": explain_s, "verdict": result.verdict,
            })
            print(json.dumps(rows[-1]), flush=True)
            if seed == seeds[0]:
                shown[cell] = result
                result.plot()["summary"].savefig(output / f"summary_{cell.lower()}.png",
                                                 dpi=DPI)
    figure = plot_comparison(list(shown.values()),
                             labels=[f"{cell}({','.join(map(str, units))})" for cell in shown])
    figure.savefig(output / "side_by_side.png", dpi=DPI)
    return {"window": window, "horizon": horizon, "units": list(units), "season": season,
            "n_train": len(train), "rows": rows}


def markdown_table(rows):
    """One line per cell, with the numbers of every seed (in seed order)."""
    def cells(cell, key, form):
        return ", ".join(form(r[key]) for r in rows if r["cell"] == cell)

    header = ("| network | effective memory (lags) | gradient vanishes beyond lag | "
              "first/last-step gradient ratio | holdout MASE |")
    lines = [header, "|---|---|---|---|---|"]
    for cell in dict.fromkeys(r["cell"] for r in rows):
        lines.append(f"| {cell} | {cells(cell, 'effective_memory', str)} | "
                     f"{cells(cell, 'vanish_lag', lambda v: 'never' if v is None else str(v))} | "
                     f"{cells(cell, 'gradient_ratio', lambda v: f'{v:.2g}')} | "
                     f"{cells(cell, 'mase', lambda v: f'{v:.2f}')} |")
    return "\n".join(lines)


def long_series(*, repeats):
    """``explain`` on a GRU forecaster of a 5,000-step series."""
    import tsforecast as tsf
    from tsforecast.diagnostics import explain

    rng = np.random.default_rng(0)
    y = np.sin(np.arange(5000) * 2 * np.pi / 24) + 0.1 * rng.standard_normal(5000)
    f = tsf.GRUForecaster(window=48, horizon=12, units=(16,), epochs=2, random_state=0,
                          conformal=False).fit(y)
    times = {}
    for label, limit in (("256 windows (default)", 256), ("all 4941 windows", 10_000)):
        started = time.perf_counter()
        explain(f, y=y, max_windows=limit)  # compiled once per shape
        times[f"{label}, first call"] = time.perf_counter() - started
        runs = []
        for _ in range(repeats):
            started = time.perf_counter()
            explain(f, y=y, max_windows=limit)
            runs.append(time.perf_counter() - started)
        times[label] = statistics.median(runs)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="air_passengers")
    parser.add_argument("--window", type=int, default=36)
    parser.add_argument("--horizon", type=int, default=12)
    parser.add_argument("--units", type=int, default=16)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=100,
                        help="most epochs of the overhead fits (early stopping on)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, default=HERE / "results" / "diagnostics")
    parser.add_argument("--skip", default="", help="parts to skip: overhead,side,long")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    output = args.output / args.dataset
    output.mkdir(parents=True, exist_ok=True)

    import keras

    y = load_series(args.dataset)
    report = {"dataset": args.dataset, "n": len(y), "python": platform.python_version(),
              "keras": keras.__version__, "backend": keras.backend.backend(),
              "cpus": os.cpu_count()}
    if "overhead" not in skip:
        report["overhead"] = overhead(y, window=args.window, horizon=args.horizon,
                                      units=(args.units,), epochs=args.epochs,
                                      repeats=args.repeats)
        print(json.dumps(report["overhead"]), flush=True)
    if "side" not in skip:
        report["side_by_side"] = side_by_side(
            y, window=args.window, horizon=args.horizon, units=(args.units,),
            seeds=[int(s) for s in args.seeds.split(",")], output=output)
        print(markdown_table(report["side_by_side"]["rows"]), flush=True)
    if "long" not in skip:
        report["explain_5000_s"] = long_series(repeats=3)
        print(json.dumps(report["explain_5000_s"]), flush=True)
    path = output / "diagnostics.json"
    path.write_text(json.dumps(report, indent=2, default=float))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

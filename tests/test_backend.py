"""Tests of the backend settings: JAX's persistent compilation cache."""

import os
import subprocess
import sys
import types

import pytest

from tsforecast import backend

JAX_VARIABLES = ("JAX_COMPILATION_CACHE_DIR", "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS",
                 "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES")


class FakeJax(types.ModuleType):
    """Stands in for an imported ``jax``: records the configuration updates."""

    def __init__(self):
        super().__init__("jax")
        self.updates = {}
        self.config = types.SimpleNamespace(update=self.updates.__setitem__)


def fake_keras(name):
    module = types.ModuleType("keras")
    module.backend = types.SimpleNamespace(backend=lambda: name)
    return module


@pytest.fixture
def clean_environment(monkeypatch):
    for name in (*JAX_VARIABLES, "TSFORECAST_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("name", ["torch", "tensorflow", "numpy"])
def test_other_backends_are_left_alone(clean_environment, tmp_path, name):
    clean_environment.setitem(sys.modules, "keras", fake_keras(name))
    jax = FakeJax()
    clean_environment.setitem(sys.modules, "jax", jax)
    assert backend.enable_compilation_cache(tmp_path / "cache") is False
    assert not (tmp_path / "cache").exists() and not jax.updates
    assert not any(name in os.environ for name in JAX_VARIABLES)


def test_imported_jax_is_configured_with_the_directory(clean_environment, tmp_path):
    clean_environment.setitem(sys.modules, "keras", fake_keras("jax"))
    jax = FakeJax()
    clean_environment.setitem(sys.modules, "jax", jax)
    cache = tmp_path / "nested" / "cache"
    assert backend.enable_compilation_cache(cache) is True
    assert cache.is_dir()
    assert jax.updates == {
        "jax_compilation_cache_dir": str(cache),
        "jax_persistent_cache_min_compile_time_secs": 0.0,
        "jax_persistent_cache_min_entry_size_bytes": 0,
    }
    assert not any(name in os.environ for name in JAX_VARIABLES)


def test_before_jax_is_imported_the_environment_carries_the_settings(clean_environment,
                                                                      tmp_path):
    clean_environment.delitem(sys.modules, "keras", raising=False)
    clean_environment.delitem(sys.modules, "jax", raising=False)
    clean_environment.setenv("KERAS_BACKEND", "jax")
    assert backend.enable_compilation_cache(tmp_path) is True
    assert os.environ["JAX_COMPILATION_CACHE_DIR"] == str(tmp_path)
    assert float(os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"]) == 0.0
    assert int(os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"]) == 0
    assert "jax" not in sys.modules and "keras" not in sys.modules
    clean_environment.setenv("KERAS_BACKEND", "torch")
    for name in JAX_VARIABLES:
        clean_environment.delenv(name)
    assert backend.enable_compilation_cache(tmp_path) is False
    assert not any(name in os.environ for name in JAX_VARIABLES)


def test_default_directory(clean_environment, tmp_path):
    clean_environment.setenv("HOME", str(tmp_path / "home"))
    assert backend.default_cache_directory() == str(tmp_path / "home" / ".cache" / "tsforecast"
                                                    / "jax")
    clean_environment.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert backend.default_cache_directory() == str(tmp_path / "xdg" / "tsforecast" / "jax")
    clean_environment.setenv("TSFORECAST_CACHE_DIR", str(tmp_path / "mine"))
    assert backend.default_cache_directory() == str(tmp_path / "mine")
    clean_environment.setitem(sys.modules, "keras", fake_keras("jax"))
    clean_environment.setitem(sys.modules, "jax", FakeJax())
    assert backend.enable_compilation_cache() is True
    assert (tmp_path / "mine").is_dir()


def test_uncreatable_directory_raises_oserror(clean_environment, tmp_path):
    clean_environment.setitem(sys.modules, "keras", fake_keras("jax"))
    jax = FakeJax()
    clean_environment.setitem(sys.modules, "jax", jax)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(OSError):
        backend.enable_compilation_cache(blocker / "cache")
    assert not jax.updates


def test_importing_and_enabling_does_not_import_keras_or_jax(tmp_path):
    code = (
        "import sys, tsforecast\n"
        "from tsforecast.backend import enable_compilation_cache\n"
        "assert enable_compilation_cache(sys.argv[1]) is True\n"
        "assert 'keras' not in sys.modules and 'jax' not in sys.modules\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=120,
                   env=env)


@pytest.mark.slow
def test_enable_compilation_cache_writes_compiled_programs(tmp_path):
    code = (
        "import sys, numpy as np, tsforecast\n"
        "from tsforecast.backend import enable_compilation_cache\n"
        "print(enable_compilation_cache(sys.argv[1]))\n"
        "from tsforecast.networks import build_rnn\n"
        "model = build_rnn(window=3, units=(2,), compile=False)\n"
        "model.predict_on_batch(np.zeros((1, 3, 1), 'float32'))\n"
    )
    cache = tmp_path / "xla"
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(cache)], capture_output=True, text=True, check=True,
        timeout=300, env=env,
    ).stdout
    assert out.strip().endswith("True")
    assert any(cache.iterdir())


_STORED = """
import sys, numpy as np, tsforecast
from tsforecast.backend import enable_compilation_cache, stored_jit
if sys.argv[1] != "-":
    enable_compilation_cache(sys.argv[1])
import jax.numpy as jnp

def scaled_sum(state, x):
    print("tracing")
    return [w * 2.0 for w in state[0]], jnp.sum(x * state[1])

f = stored_jit(scaled_sum, "scaled_sum")
out = f(([np.ones(3, "float32")], np.float32(3.0)), np.arange(4, dtype="float32"))
again = f(([out[0][0]], np.float32(3.0)), np.arange(4, dtype="float32"))
print(float(out[1]), np.asarray(again[0][0]).tolist())
"""


def _run_stored(directory):
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    return subprocess.run(
        [sys.executable, "-c", _STORED, str(directory)], capture_output=True, text=True,
        check=True, timeout=300, env=env,
    ).stdout.split("\n")


def test_stored_jit_loads_traced_programs_in_a_later_process(tmp_path):
    cache = tmp_path / "cache"
    first = _run_stored(cache)
    assert first[:2] == ["tracing", "18.0 [4.0, 4.0, 4.0]"]  # traced once, then reused
    programs = list((cache / "tsforecast-programs").iterdir())
    assert len(programs) == 1 and programs[0].suffix == ".jaxexport"
    second = _run_stored(cache)
    assert second[0] == "18.0 [4.0, 4.0, 4.0]"  # no "tracing": loaded from disk
    programs[0].write_bytes(b"not a program")  # damaged: traced again and replaced
    assert _run_stored(cache)[:2] == first[:2]
    assert _run_stored(cache)[0] == second[0]


def test_stored_jit_without_the_cache_is_plain_jit(tmp_path):
    assert _run_stored("-")[:2] == ["tracing", "18.0 [4.0, 4.0, 4.0]"]

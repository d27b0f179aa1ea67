import errno
import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from tsforecast.datasets import load_air_passengers, load_tourism_monthly

import tsforecast
from tsforecast import SeasonalNaive, WindowForecaster, files, persistence
from tsforecast.persistence import ModelFileError, load, read_metadata, save


@pytest.fixture(scope="module")
def air():
    return load_air_passengers()


@pytest.fixture(scope="module")
def lstm_forecaster(air):
    from tsforecast import LSTMForecaster

    forecaster = LSTMForecaster(window=12, horizon=6, units=(4,), epochs=1, batch_size=16,
                                random_state=0, n_calibration=2)
    return forecaster.fit(air.iloc[:72])


@pytest.fixture
def saved_baseline(tmp_path, air):
    path = tmp_path / "snaive.tsf"
    save(SeasonalNaive(season_length=12).fit(air), path, metadata={"note": "test"})
    return path


def rewrite(source, target, *, replace=None, add=None, drop=()):
    """Copy the zip ``source`` to ``target`` with members replaced, added or dropped."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in drop:
                continue
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
        for name, data in add.items():
            new.writestr(name, data)
    return target


def manifest_of(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


# ------------------------------------------------------------------------- round trips
def test_round_trip_seasonal_naive(tmp_path, air):
    forecaster = SeasonalNaive(season_length=12).fit(air)
    path = save(forecaster, tmp_path / "m.tsf")
    loaded = load(path)
    assert type(loaded) is SeasonalNaive and loaded.get_params() == forecaster.get_params()
    pd.testing.assert_frame_equal(loaded.predict_interval(14, 0.8),
                                  forecaster.predict_interval(14, 0.8))
    assert loaded.cutoff_ == forecaster.cutoff_ and loaded.freq_ == "MS"


def test_round_trip_arima(tmp_path, air):
    from tsforecast.statistical import ARIMA

    forecaster = ARIMA(order=(1, 1, 0), seasonal_order=(0, 1, 0, 12)).fit(np.log(air))
    loaded = load(save(forecaster, tmp_path / "arima.tsf"))
    pd.testing.assert_frame_equal(loaded.predict_interval(12), forecaster.predict_interval(12))


def test_round_trip_lstm_identical_predictions(tmp_path, lstm_forecaster):
    path = save(lstm_forecaster, tmp_path / "lstm.tsf")
    with zipfile.ZipFile(path) as archive:
        assert "models/m0.keras" in archive.namelist()
    loaded = load(path)
    np.testing.assert_array_equal(loaded.predict().to_numpy(),
                                  lstm_forecaster.predict().to_numpy())
    pd.testing.assert_frame_equal(loaded.predict_interval(), lstm_forecaster.predict_interval())


def test_round_trip_panel_and_pipeline(tmp_path):
    panel = load_tourism_monthly().iloc[:, :3]
    forecaster = SeasonalNaive(season_length=12).fit(panel)
    loaded = load(save(forecaster, tmp_path / "panel.tsf"))
    assert list(loaded.forecasters_) == list(panel.columns)
    pd.testing.assert_frame_equal(loaded.predict(6), forecaster.predict(6))

    X = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 3)), columns=["a", "b", "c"])
    pipeline = Pipeline([("scale", StandardScaler()), ("ridge", Ridge(alpha=0.5))])
    pipeline.fit(X, X.to_numpy() @ [1.0, -2.0, 0.5])
    restored = load(save(pipeline, tmp_path / "pipe.tsf"))
    np.testing.assert_array_equal(restored.predict(X), pipeline.predict(X))
    np.testing.assert_array_equal(restored.feature_names_in_, pipeline.feature_names_in_)


def test_round_trip_of_every_supported_value(tmp_path):
    berlin = pd.date_range("2021-03-27", periods=4, freq="D", tz="Europe/Berlin", name="t")
    tree = {
        "numbers": [None, True, 3, -2.5, float("nan"), float("inf"), np.float32(1.5), np.int64(7)],
        (1, "key"): ("tuple", 2),
        5: {"nested": [1, 2]},
        "array": np.arange(6.0).reshape(2, 3),
        "ints": np.array([1, 2], dtype=np.int16),
        "strings": np.array(["a", "b"], dtype=object),
        "stamp": pd.Timestamp("2020-02-29 12:00", tz="America/New_York"),
        "naive_stamp": pd.Timestamp("1949-01-01"),
        "delta": pd.Timedelta(hours=3),
        "nat": pd.NaT,
        "berlin": berlin,
        "monthly": pd.date_range("1949-01", periods=5, freq="MS"),
        "periods": pd.period_range("2020Q1", periods=3, freq="Q"),
        "range": pd.RangeIndex(3, 9, 2, name="r"),
        "multi": pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["s", "i"]),
        "series": pd.Series([1.0, np.nan], index=pd.Index(["x", "y"], name="k"), name="v"),
        "frame": pd.DataFrame({"f": [0.5, 1.5], "s": ["p", "q"], "i": [1, 2]},
                              index=pd.date_range("2020", periods=2, freq="YS")),
        "set": {3, 1},
        "dtype": np.dtype("float32"),
        "estimator": Ridge(alpha=2.0),
    }
    # a tsforecast estimator: its fitted attributes are stored in the manifest
    holder = SeasonalNaive(season_length=3)
    holder.tree_ = tree
    loaded = load(save(holder, tmp_path / "tree.tsf")).tree_
    assert loaded.keys() == tree.keys()
    for key, value in tree.items():
        got = loaded[key]
        if isinstance(value, (pd.Series, pd.DataFrame)):
            assert_fn = (pd.testing.assert_series_equal if isinstance(value, pd.Series)
                         else pd.testing.assert_frame_equal)
            assert_fn(got, value)
        elif isinstance(value, pd.Index):
            pd.testing.assert_index_equal(got, value, exact=True)
            assert getattr(got, "freq", None) == getattr(value, "freq", None)
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(got, value)
            assert got.dtype == value.dtype
        elif key == "numbers":
            assert got[:4] == value[:4] and np.isnan(got[4]) and got[5] == np.inf
            assert type(got[6]) is np.float32 and type(got[7]) is np.int64
        elif key == "nat":
            assert got is pd.NaT
        elif key == "estimator":
            assert type(got) is Ridge and got.alpha == 2.0
        else:
            assert got == value and type(got) is type(value)
    assert loaded["stamp"].tz is not None and str(loaded["stamp"].tz) == "America/New_York"


def test_manifest_and_read_metadata(saved_baseline):
    manifest = read_metadata(saved_baseline)
    assert manifest["format"] == persistence.FORMAT
    assert manifest["format_version"] == persistence.FORMAT_VERSION
    assert manifest["class"] == f"{SeasonalNaive.__module__}.SeasonalNaive"
    assert manifest["metadata"] == {"note": "test"}
    for package in ("tsforecast", "numpy", "pandas", "scikit-learn", "keras"):
        assert package in manifest["versions"]
    root = manifest["root"]
    assert root["params"] == {"season_length": 12}
    assert "cutoff_" in root["state"] and "_cache" not in json.dumps(root)
    with zipfile.ZipFile(saved_baseline) as archive:
        assert archive.namelist() == ["manifest.json", "arrays.npz"]


def test_read_metadata_does_not_import_keras(tmp_path, lstm_forecaster):
    path = save(lstm_forecaster, tmp_path / "lstm.tsf")
    code = (
        "import sys; from tsforecast.persistence import read_metadata; "
        f"m = read_metadata({str(path)!r}); "
        "assert m['class'].endswith('LSTMForecaster'); "
        "print(sorted(k for k in ('keras', 'jax', 'tensorflow') if k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_saved_file_gets_umask_mode(tmp_path, air):
    path = save(SeasonalNaive().fit(air), tmp_path / "m.tsf")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


# --------------------------------------------------------------------- refused saves
def test_save_refuses_unsafe_state(tmp_path, air):
    forecaster = SeasonalNaive().fit(air)
    forecaster.hook_ = lambda x: x
    with pytest.raises(ModelFileError, match=r"SeasonalNaive\.hook_.*function"):
        save(forecaster, tmp_path / "m.tsf")

    from sklearn.base import BaseEstimator

    class Local(BaseEstimator):
        pass

    with pytest.raises(ModelFileError, match="only estimators defined in tsforecast or scikit"):
        save(Local(), tmp_path / "m.tsf")
    with pytest.raises(ModelFileError, match="JSON"):
        save(SeasonalNaive(), tmp_path / "m.tsf", metadata={"bad": object()})
    assert not any(tmp_path.iterdir())


def test_save_refuses_lambda_layer(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda x: x * 2)])
    holder = SeasonalNaive()
    holder.model_ = model
    with pytest.raises(ModelFileError, match="Lambda layer"):
        save(holder, tmp_path / "m.tsf")


# ------------------------------------------------------------------- rejected files
@pytest.mark.parametrize(
    "content, pattern",
    [
        (b"date,value\n2020-01,1\n", "not a zip archive"),
        (b"", "not a zip archive"),
    ],
)
def test_load_rejects_non_zip(tmp_path, content, pattern):
    path = tmp_path / "m.tsf"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=pattern):
        load(path)


def test_load_rejects_truncated_file(tmp_path, saved_baseline):
    data = saved_baseline.read_bytes()
    for cut in (len(data) // 3, len(data) - 10):
        path = tmp_path / f"cut{cut}.tsf"
        path.write_bytes(data[:cut])
        with pytest.raises(ModelFileError, match="not a zip archive, or truncated|corrupted"):
            load(path)


def test_load_rejects_corrupted_member(tmp_path, saved_baseline):
    data = bytearray(saved_baseline.read_bytes())
    with zipfile.ZipFile(saved_baseline) as archive:
        info = archive.getinfo("manifest.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle] ^= 0xFF
    path = tmp_path / "flipped.tsf"
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="corrupted"):
        load(path)


def test_load_rejects_foreign_zip_and_bad_manifest(tmp_path, saved_baseline):
    foreign = tmp_path / "foreign.zip"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("manifest.json", "{}")
    with pytest.raises(ModelFileError, match="not a tsforecast model file"):
        load(foreign)
    no_manifest = rewrite(saved_baseline, tmp_path / "nomanifest.tsf", drop=("manifest.json",))
    with pytest.raises(ModelFileError, match="no manifest.json"):
        load(no_manifest)
    garbage = rewrite(saved_baseline, tmp_path / "garbage.tsf",
                      replace={"manifest.json": b"\x00not json"})
    with pytest.raises(ModelFileError, match="unreadable manifest"):
        read_metadata(garbage)

    manifest = manifest_of(saved_baseline)
    manifest["format_version"] = persistence.FORMAT_VERSION + 1
    newer = rewrite(saved_baseline, tmp_path / "newer.tsf",
                    replace={"manifest.json": json.dumps(manifest)})
    with pytest.raises(ModelFileError, match="newer than the version"):
        load(newer)

    manifest = manifest_of(saved_baseline)
    manifest["root"]["state"]["cutoff_"] = {"__type__": "pickle", "data": "gASV"}
    unknown = rewrite(saved_baseline, tmp_path / "unknown.tsf",
                      replace={"manifest.json": json.dumps(manifest)})
    with pytest.raises(ModelFileError, match="unknown entry type 'pickle'"):
        load(unknown)


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/evil", "models/../../evil.keras",
                                    "C:/evil", "models\\..\\evil"])
def test_load_rejects_path_traversal(tmp_path, saved_baseline, member):
    path = rewrite(saved_baseline, tmp_path / "traversal.tsf", add={member: b"x"})
    with pytest.raises(ModelFileError, match="unsafe member name"):
        load(path)
    with pytest.raises(ModelFileError, match="unsafe member name"):
        read_metadata(path)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_load_rejects_unexpected_member(tmp_path, saved_baseline):
    path = rewrite(saved_baseline, tmp_path / "extra.tsf", add={"payload.pkl": b"x"})
    with pytest.raises(ModelFileError, match="unexpected member 'payload.pkl'"):
        load(path)


def test_load_rejects_oversized_member(tmp_path, saved_baseline, monkeypatch):
    bomb = tmp_path / "bomb.tsf"
    with zipfile.ZipFile(saved_baseline) as old, zipfile.ZipFile(
        bomb, "w", compression=zipfile.ZIP_DEFLATED
    ) as new:
        new.writestr("manifest.json", old.read("manifest.json"))
        new.writestr("arrays.npz", b"\x00" * (8 * 1024**2))  # 8 MiB of zeros, ~8 KiB stored
    assert bomb.stat().st_size < 100_000
    monkeypatch.setattr("tsforecast.persistence.archive.MAX_MEMBER_BYTES", 1024**2)
    with pytest.raises(ModelFileError, match="zip bomb"):
        load(bomb)


def test_load_refuses_classes_outside_the_allow_list(tmp_path, saved_baseline):
    for class_path in ("subprocess.Popen", "builtins.eval", "os.system",
                       "tsforecast.persistence.ModelFileError"):
        manifest = manifest_of(saved_baseline)
        manifest["root"]["class"] = class_path
        path = rewrite(saved_baseline, tmp_path / "foreign_class.tsf",
                       replace={"manifest.json": json.dumps(manifest)})
        with pytest.raises(ModelFileError, match="refusing to load it"):
            load(path)
    manifest = manifest_of(saved_baseline)
    manifest["root"]["state"]["evil"] = 1
    path = rewrite(saved_baseline, tmp_path / "private.tsf",
                   replace={"manifest.json": json.dumps(manifest)})
    with pytest.raises(ModelFileError, match="non-fitted attribute 'evil'"):
        load(path)


# --------------------------------------------------------- classes that have moved
@pytest.fixture(scope="module")
def ridge_forecaster(air):
    return WindowForecaster(Ridge(), window=12, horizon=6).fit(air)


@pytest.fixture
def moved_module(monkeypatch):
    """A module path served only by a `tsforecast._moved` stand-in, as after a move."""
    from tsforecast import _moved

    name = "retired_forecasters"
    holders = (WindowForecaster.__module__.removeprefix("tsforecast."), "persistence.archive")
    monkeypatch.setitem(_moved.MOVED, name, holders)
    yield f"tsforecast.{name}"
    sys.modules.pop(f"tsforecast.{name}", None)
    vars(tsforecast).pop(name, None)


def with_class_path(source, target, class_path):
    manifest = manifest_of(source)
    manifest["class"] = manifest["root"]["class"] = class_path
    return rewrite(source, target, replace={"manifest.json": json.dumps(manifest)})


def test_load_accepts_the_old_module_path_of_a_moved_class(tmp_path, ridge_forecaster):
    saved = save(ridge_forecaster, tmp_path / "ridge.tsf")
    old = with_class_path(saved, tmp_path / "old.tsf",
                          "tsforecast.window_forecaster.WindowForecaster")
    loaded = load(old)
    assert type(loaded) is WindowForecaster
    pd.testing.assert_series_equal(loaded.predict(), ridge_forecaster.predict())


def test_load_resolves_classes_through_the_moved_module_stand_in(tmp_path, ridge_forecaster,
                                                                 moved_module):
    saved = save(ridge_forecaster, tmp_path / "ridge.tsf")
    moved = with_class_path(saved, tmp_path / "moved.tsf", f"{moved_module}.WindowForecaster")
    loaded = load(moved)
    assert type(sys.modules[moved_module]).__name__ == "_StandIn"
    assert type(loaded) is WindowForecaster
    pd.testing.assert_series_equal(loaded.predict(), ridge_forecaster.predict())
    # what the stand-in hands back must still be an allowed estimator class
    for attribute, match in [("ModelFileError", "not a tsforecast or scikit-learn estimator"),
                             ("NoSuchForecaster", "does not exist in this installation")]:
        path = with_class_path(saved, tmp_path / "refused.tsf", f"{moved_module}.{attribute}")
        with pytest.raises(ModelFileError, match=match):
            load(path)


def test_load_rejects_lambda_layer(tmp_path):
    import keras

    holder = SeasonalNaive()
    holder.model_ = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    clean = save(holder, tmp_path / "clean.tsf")
    evil_model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda x: x * 2)])
    evil_file = tmp_path / "evil.keras"
    evil_model.save(evil_file)
    crafted = rewrite(clean, tmp_path / "crafted.tsf",
                      replace={"models/m0.keras": evil_file.read_bytes()})
    with pytest.raises(ModelFileError, match="Lambda layer"):
        load(crafted)
    assert isinstance(load(clean).model_, keras.Model)


def test_load_rejects_pickled_arrays(tmp_path, saved_baseline):
    buffer = io.BytesIO()
    np.savez(buffer, a0=np.array([{"x": 1}], dtype=object))
    path = rewrite(saved_baseline, tmp_path / "pickled.tsf",
                   replace={"arrays.npz": buffer.getvalue()})
    manifest = manifest_of(path)
    manifest["root"]["state"]["extra_"] = {"__type__": "ndarray", "ref": "a0"}
    path = rewrite(path, tmp_path / "pickled2.tsf", replace={"manifest.json": json.dumps(manifest)})
    with pytest.raises(ModelFileError, match="arrays.npz"):
        load(path)


def test_load_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load(tmp_path / "missing.tsf")
    with pytest.raises(ModelFileError, match="is a directory"):
        load(tmp_path)


# ------------------------------------------------------------------------ atomicity
def _interrupting(exc):
    def fail(*args, **kwargs):
        raise exc

    return fail


@pytest.mark.parametrize(
    "target, exc",
    [
        ("fsync", KeyboardInterrupt()),
        ("replace", OSError(errno.ENOSPC, "No space left on device")),
        ("fsync", OSError(errno.EIO, "Input/output error")),
    ],
)
def test_failed_save_keeps_previous_file(tmp_path, air, saved_baseline, monkeypatch, target, exc):
    before = saved_baseline.read_bytes()
    monkeypatch.setattr(files.os, target, _interrupting(exc))
    with pytest.raises(type(exc)):
        save(SeasonalNaive(season_length=4).fit(air), saved_baseline)
    monkeypatch.undo()
    assert saved_baseline.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snaive.tsf"]
    assert load(saved_baseline).season_length == 12


def test_interrupt_while_writing_leaves_no_partial_file(tmp_path, air, monkeypatch):
    target = tmp_path / "new.tsf"
    original = zipfile.ZipFile.writestr

    def writestr(self, name, data, *args, **kwargs):
        if name == "arrays.npz":
            raise KeyboardInterrupt
        return original(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)
    with pytest.raises(KeyboardInterrupt):
        save(SeasonalNaive().fit(air), target)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root ignores directory permissions")
def test_read_only_directory_keeps_previous_file(tmp_path, air, saved_baseline):
    before = saved_baseline.read_bytes()
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PermissionError):
            save(SeasonalNaive(season_length=4).fit(air), saved_baseline)
    finally:
        tmp_path.chmod(0o700)
    assert saved_baseline.read_bytes() == before

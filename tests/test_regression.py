"""The fixed-seed snapshot of forecasts, intervals and leaderboards still holds.

See ``tests/regression/snapshot.py``: byte for byte where the snapshot was recorded, to a
relative tolerance of 1e-5 on another CPU or library version set.
"""

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).parent / "regression" / "snapshot.py"


def _snapshot_module():
    spec = importlib.util.spec_from_file_location("snapshot", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_outputs_match_the_snapshot():
    snapshot = _snapshot_module()
    recorded = json.loads(snapshot.SNAPSHOT.read_text())
    same = recorded["environment"] == snapshot.environment()
    current = snapshot.compute()
    assert len(current) == len(recorded["outputs"]) == 59
    lines = snapshot.differences(recorded["outputs"], current,
                                 rtol=0.0 if same else snapshot.foreign_rtol)
    assert not lines, "\n".join(lines)


def test_differences_finds_a_changed_last_digit():
    snapshot = _snapshot_module()
    old = {"a/forecast": {"index": ["0"], "columns": {"y": ["1.0000000000000002"]}}}
    new = {"a/forecast": {"index": ["0"], "columns": {"y": ["1.0"]}}}
    assert snapshot.differences(old, new) == ["a/forecast: differs"]
    assert snapshot.differences(old, new, rtol=1e-5) == []
    assert snapshot.differences(old, {}) == ["a/forecast: missing now"]
    ets = {"air/ets/forecast": {"index": ["0"], "columns": {"y": ["100.0"]}}}
    moved = {"air/ets/forecast": {"index": ["0"], "columns": {"y": ["101.0"]}}}
    assert snapshot.differences(ets, moved, rtol=snapshot.foreign_rtol) == []
    assert snapshot.differences(old, new, rtol=snapshot.foreign_rtol) == []
    assert snapshot.differences({"a/forecast": ets["air/ets/forecast"]},
                                {"a/forecast": moved["air/ets/forecast"]},
                                rtol=snapshot.foreign_rtol) == ["a/forecast: differs"]

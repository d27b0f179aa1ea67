"""The package layout: old import paths keep working, and the backend seam holds."""

import ast
import importlib
from pathlib import Path

import pytest

import tsforecast

PACKAGE = Path(tsforecast.__file__).parent

#: Public names of the flat modules of earlier releases, which must stay importable there.
OLD_PUBLIC_NAMES = {
    "base": ["BaseForecaster", "IntervalUnavailableError", "check_series"],
    "window_forecaster": ["GRUForecaster", "LSTMForecaster", "SimpleRNNForecaster",
                          "WindowForecaster", "default_forecaster", "default_window"],
    "conformal": ["calibration_cutoffs", "conformal_interval", "conformal_quantiles"],
    "transforms": ["BoxCox", "Difference", "LogTransform", "MinMaxScale", "RobustScale",
                   "StandardScale", "TransformedForecaster", "parse_transforms"],
    "baselines": ["Drift", "Mean", "Naive", "Naive2", "SeasonalNaive"],
    "metrics": ["METRICS", "coverage", "interval_score", "mae", "mape", "mase",
                "pinball_loss", "rmse", "rmsse", "smape"],
    "model_selection": ["BACKTEST_COLUMNS", "IntervalUnavailableWarning", "RollingOriginSplit",
                        "backtest"],
    "comparison": ["DEFAULT_BASELINES", "Comparison", "compare", "to_wide"],
    "tuning": ["TuningResult", "tune"],
    "training": ["train_network"],
    "io": ["FILL_METHODS", "CSVData", "DataError", "check_length", "infer_freq", "read_csv"],
    "statistical": ["ARIMA", "ETS", "AutoARIMA", "ConvergenceFallbackWarning", "Theta"],
    "persistence": ["ModelFileError", "load", "read_metadata", "save"],
    "networks": ["CELLS", "HEADS", "build_rnn", "count_rnn_parameters"],
    "backend": ["default_cache_directory", "enable_compilation_cache", "stored_jit"],
    "registry": ["make_forecaster", "names", "resolve_name"],
}


@pytest.mark.parametrize("module", sorted(OLD_PUBLIC_NAMES))
def test_old_import_paths_still_work(module):
    old = importlib.import_module(f"tsforecast.{module}")
    for name in OLD_PUBLIC_NAMES[module]:
        assert getattr(old, name) is not None, f"tsforecast.{module}.{name}"
    missing = "no_such_name"
    with pytest.raises(AttributeError):
        getattr(old, missing)


def test_every_public_name_of_the_package_resolves():
    for name in tsforecast.__all__:
        assert getattr(tsforecast, name) is not None, name


def _imports(path):
    tree = ast.parse(path.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    names |= {node.module for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module}
    # importlib.import_module("jax") counts as an import of jax
    names |= {node.args[0].value for node in ast.walk(tree)
              if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)}
    return {name.split(".")[0] for name in names}


def test_only_the_backend_seam_imports_jax():
    importers = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                       if "jax" in _imports(path))
    assert importers and all(name.startswith("backend/jax_") for name in importers), importers


def test_the_active_backend_is_asked_in_one_place():
    askers = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                    if "backend.backend()" in path.read_text())
    assert askers == ["backend/__init__.py"], askers


def test_the_old_io_module_name_is_gone():
    # a module named io would shadow the standard library's io for scripts run from here
    assert not (PACKAGE / "io.py").exists() and not (PACKAGE / "io").exists()


#: The layers of the README's architecture section, top first; a module may import only
#: from its own layer and the layers above it.
LAYERS = [
    {"validation", "files", "frequency", "_moved", "__init__"},
    {"dataio"},
    {"windowing"},
    {"networks"},
    {"backend"},
    {"regressors"},
    {"forecasting"},
    {"statistical"},
    {"evaluation"},
    {"registry", "defaults"},
    {"diagnostics"},
    {"persistence"},
    {"pretraining"},
]


def _layer(name):
    top = name.split(".")[0]
    return next(i for i, layer in enumerate(LAYERS) if top in layer)


def test_imports_point_up_the_layers():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        tree = ast.parse(path.read_text())
        targets = [node.module for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and node.module
                   and node.module.startswith("tsforecast.")]
        targets += [f"tsforecast.{alias.name}" for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module == "tsforecast"
                    for alias in node.names]
        for target in targets:
            name = target.removeprefix("tsforecast.")
            if name.split(".")[0] in ("datasets", "cli", "__version__"):
                continue
            if _layer(name) > _layer(module):
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))

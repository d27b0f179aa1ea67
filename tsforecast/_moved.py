"""Import paths of modules that moved into subpackages keep working.

``tsforecast.comparison``, ``tsforecast.io`` and the other flat modules of earlier releases
became subpackages named after their layer (see the README's architecture section). Their
old paths are served by stand-in modules whose attributes are looked up in the modules that
now hold them, so ``from tsforecast.comparison import compare`` and model files that name
``tsforecast.window_forecaster.LSTMForecaster`` keep working. Nothing is imported until an
attribute is asked for.
"""

import importlib
import importlib.abc
import importlib.machinery
import pkgutil
import sys
import types

#: old module (under ``tsforecast.``) -> the modules or packages that hold its names now,
#: searched in order (a package is searched with all its submodules)
MOVED = {
    "io": ("dataio",),
    "base": ("forecasting",),
    "window_forecaster": ("forecasting", "defaults"),
    "conformal": ("forecasting",),
    "transforms": ("forecasting",),
    "baselines": ("statistical",),
    "metrics": ("evaluation",),
    "model_selection": ("evaluation",),
    "comparison": ("evaluation",),
    "tuning": ("evaluation",),
    "training": ("backend",),
}


def _modules_of(name):
    module = importlib.import_module(f"tsforecast.{name}")
    yield module
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), f"tsforecast.{name}."):
        yield importlib.import_module(info.name)


class _StandIn(types.ModuleType):
    """A moved module: attributes are found in the modules that hold them now."""

    def __init__(self, fullname, targets):
        super().__init__(fullname, f"Moved: see {', '.join('tsforecast.' + t for t in targets)}.")
        self._targets = targets

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        for target in self._targets:
            for module in _modules_of(target):
                if attribute in vars(module):
                    return vars(module)[attribute]
        raise AttributeError(f"module {self.__name__!r} has no attribute {attribute!r}")


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        prefix, _, name = fullname.rpartition(".")
        if prefix == "tsforecast" and name in MOVED:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        return _StandIn(spec.name, MOVED[spec.name.rpartition(".")[2]])

    def exec_module(self, module):
        pass


def install():
    """Serve the old import paths (idempotent)."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.append(_Finder())

"""The plan of ``tsforecast fit`` and ``tsforecast compare``: what each model will cost, the
seasonal periods, the memory guard and the time budget.

Before anything is fitted the command prints its plan: the seasonal periods of the data
(:func:`seasonal_periods_of`), then each model with the time and the memory it is expected
to take (:func:`estimate_cost`):

* statistical models: memory from :func:`tsforecast.statistical.estimate_memory` (series
  length, season length and model size; long series are fitted on their most recent
  values), time from per-model costs measured on a 2-core CPU
  (``tests/benchmarks/bench_long.py``);
* networks: the windows each network trains on (the ``max_windows`` budget), the number
  of networks (ensemble members x (1 + calibration folds)), the epochs early stopping
  usually leaves, and a cost per window, time step and epoch measured on a 2-core CPU;
  memory from the windows of the networks that train at the same time and the copies of
  the series.

The estimates are good to a factor of about two; the command prints the measured times
after the fits.

**Memory guard** (:meth:`Plan.add`): a model whose estimate exceeds the memory limit
(``--memory-limit``; default: the memory the machine has available) runs in a conserving
mode when it has one (a network: a smaller window budget; ARIMA: the conditional sum of
squares on the most recent values) or is left out with a note. The model ``fit`` trains
is never left out: the command stops with an error that says what to change.

**Time budget** (``--time-budget``) and **Ctrl-C** (:meth:`Plan.running`): inside the
block, the window forecasters start no new network once the budget is spent or after the
first Ctrl-C (:mod:`tsforecast.forecasting.budget`); they keep the networks that finished
(always at least one), so the command still saves a usable model. A second Ctrl-C
aborts.
"""

import contextlib
import os
import re
import signal
import threading
from dataclasses import dataclass

import click
from tsforecast.cli.common import find_param, set_matching_params
from tsforecast.cli.output import note

__all__ = [
    "MIN_WINDOWS",
    "ModelCost",
    "Plan",
    "available_memory",
    "budget_exhausted",
    "budget_options",
    "estimate_cost",
    "format_bytes",
    "parse_duration",
    "parse_size",
    "seasonal_periods_of",
    "stopped_note",
]

#: Meta keys of the budget options (set by their callbacks).
TIME_BUDGET_META = "tsforecast.time_budget"
MEMORY_LIMIT_META = "tsforecast.memory_limit"
MAX_WINDOWS_META = "tsforecast.max_windows"

#: Seconds per training window, time step and epoch of an LSTM(8) on a 2-core CPU (JAX,
#: batch 32), measured with ``tests/benchmarks/bench_long.py``.
SECONDS_PER_WINDOW_STEP = 2.4e-7
#: Seconds to compile a network's training program (once per shape and process).
COMPILE_SECONDS = 4.0
#: Bytes per value of a training window held while a network trains (the gathered rows,
#: their normalised copy, the float32 copy the network reads and the backend's copy).
_BYTES_PER_WINDOW_VALUE = 28
#: Fixed memory of training a network (the compiled program, the optimiser state).
_NETWORK_BYTES = 64 * 2**20
#: Smallest window budget the memory guard gives a network before leaving it out.
MIN_WINDOWS = 1000
#: Fit + forecast seconds of the statistical models on a 2-core CPU, ``(fixed, per value
#: fitted)``: long series are fitted on their most recent ``fit_window`` values, so their
#: time no longer grows with the length (measured on 10^4 to 10^6 hourly values by
#: ``tests/benchmarks/bench_long.py`` and ``tsforecast compare``: about 1-3 s per fit for
#: autoarima, 0.3-1 s for mstl, 0.1-0.6 s for ets and theta); short series are fitted
#: exactly (``_EXACT_SECONDS``).
_STATISTICAL_SECONDS = {
    "naive": (0.01, 1e-8),
    "snaive": (0.01, 1e-8),
    "drift": (0.01, 1e-8),
    "mean": (0.01, 1e-8),
    "naive2": (0.05, 5e-7),
    "arima": (0.1, 1e-4),
    "autoarima": (0.5, 1e-3),
    "ets": (0.2, 3e-4),
    "theta": (0.1, 2e-4),
    "mstl": (0.3, 3e-4),
}
_EXACT_SECONDS = {"arima": (0.2, 2e-3), "autoarima": (1.0, 1e-2), "ets": (0.5, 3e-3)}
_WINDOWED = ("arima", "autoarima", "ets", "theta", "mstl")


# ------------------------------------------------------------------------ options
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(h|m|min|s|sec)?", re.IGNORECASE)
_UNITS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]?)(i?b?)\s*", re.IGNORECASE)


def parse_duration(text):
    """Seconds of a duration such as ``60s``, ``90``, ``2m``, ``1h30m`` or ``1.5m``.

    Examples
    --------
    >>> parse_duration("60s"), parse_duration("1h30m"), parse_duration("90")
    (60.0, 5400.0, 90.0)
    """
    text = str(text).strip().lower()
    position, seconds = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != position or not match.group(0):
            break
        seconds += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if not text or position != len(text):
        raise ValueError(text)
    return seconds


def parse_size(text):
    """Bytes of a size such as ``2GB``, ``1.5G``, ``512MB`` or ``500000000``.

    Examples
    --------
    >>> parse_size("2GB") == 2 * 2**30, parse_size("512m") == 512 * 2**20
    (True, True)
    """
    match = _SIZE.fullmatch(str(text))
    if not match:
        raise ValueError(text)
    power = "kmgt".find(match.group(2).lower()) + 1 if match.group(2) else 0
    return int(float(match.group(1)) * 1024**power)


def _store(key, parse, example):
    def store(ctx, param, value):
        if value is None:
            return None
        try:
            parsed = parse(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not understood; pass e.g. {example}.",
                                     ctx=ctx, param=param) from None
        ctx.meta[key] = parsed
        return parsed

    return store


def _positive_int(text):
    value = int(str(text).replace(",", "").replace("_", ""))
    if value < 1:
        raise ValueError(text)
    return value


def budget_options(function):
    """``--time-budget``, ``--memory-limit`` and ``--max-windows`` (read by
    :meth:`Plan.from_context`)."""
    function = click.option(
        "--max-windows", metavar="N", expose_value=False,
        callback=_store(MAX_WINDOWS_META, _positive_int, "--max-windows 20000"),
        help="Training windows per network: a longer series trains each network on the "
             "newest quarter of N and a sample of its older windows. Default: 10,000.",
    )(function)
    function = click.option(
        "--memory-limit", metavar="SIZE", expose_value=False,
        callback=_store(MEMORY_LIMIT_META, parse_size, "--memory-limit 2GB"),
        help="Memory the models may use, e.g. 2GB. A model estimated to need more runs in "
             "a conserving mode (networks: fewer training windows) or is left out with a "
             "note. Default: the memory the machine has available.",
    )(function)
    return click.option(
        "--time-budget", metavar="DURATION", expose_value=False,
        callback=_store(TIME_BUDGET_META, parse_duration, "--time-budget 60s"),
        help="Time for the whole run, e.g. 60s, 5m, 1h. Networks not started when it runs "
             "out are not trained; the model keeps those that finished (at least one) and "
             "is saved. Ctrl-C does the same at once. Default: no limit.",
    )(function)


# ---------------------------------------------------------------------- estimates
def available_memory():
    """Bytes the machine has available now (``MemAvailable``), or None when unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def seasonal_periods_of(y, freq, season):
    """The seasonal periods the data show, shortest first: the calendar cycles of the
    frequency (24 and 168 for hourly data, 48 and 336 half-hourly) and ``season``, kept
    when a single series shows them (:func:`~tsforecast.statistical.detect_seasonal_periods`);
    ``(season,)`` for several series or when none is confirmed."""
    import numpy as np

    from tsforecast.frequency import seasonal_periods

    fallback = (season,) if season > 1 else ()
    if getattr(y, "ndim", 1) != 1 or freq is None:
        return fallback
    from tsforecast.statistical import detect_seasonal_periods

    values = np.asarray(y, dtype=float)
    candidates = set(seasonal_periods(freq, len(values))) | set(fallback)
    if len(candidates) < 2 or not np.isfinite(values).all():
        return fallback
    return detect_seasonal_periods(values, sorted(candidates)) or fallback


@dataclass
class ModelCost:
    """What one model is expected to cost, and what the memory guard did with it."""

    name: str
    label: str
    seconds: float
    memory: int
    detail: str = ""
    action: str = ""


def _unwrap(forecaster):
    while type(forecaster).__name__ == "TransformedForecaster":
        forecaster = forecaster.forecaster
    return forecaster


def _is_network(forecaster):
    return find_param(forecaster, "window") is not None and find_param(
        forecaster, "n_ensemble") is not None


def _network_cost(forecaster, n_obs, n_series, fits):
    """Seconds, bytes and a description of training a window forecaster ``fits`` times."""
    inner = _unwrap(forecaster)
    params = inner.get_params(deep=False)
    window, horizon = int(params["window"]), int(params["horizon"])
    direct = params.get("strategy") == "direct"
    steps = 1 if params.get("strategy") == "recursive" else horizon
    per_series = max(n_obs - window - steps + 1, 0)
    available = per_series * (n_series if params.get("global_model") else 1)
    budget = params.get("max_windows")
    windows = available if budget is None else min(int(budget), available)
    sets = 1 + (int(params.get("n_calibration") or 0) if params.get("conformal") else 0)
    members = int(params.get("n_ensemble") or 1)
    networks = members * sets * (horizon if direct else 1)
    models = 1 if params.get("global_model") else n_series
    epochs = int(params.get("epochs", 100))
    if params.get("early_stopping", True):
        # on long series the validation loss keeps improving: about half the epochs run
        # (20 LSTM(8) on 10,000 hourly windows took 279 s, where twice the patience
        # predicted 62 s), and `train_on_all` trains again for the epochs kept
        epochs = epochs / 2 * (1.5 if params.get("train_on_all", True) else 1.0)
    units = params.get("units", (32,))
    units = (units,) if isinstance(units, int) else tuple(units)
    width = (1 + sum(units) / 32) * (2 if params.get("bidirectional") else 1)
    n_jobs = params.get("n_jobs") or 1
    parallel = (os.cpu_count() or 1) if n_jobs < 0 else min(n_jobs, os.cpu_count() or 1)
    # threads share the cores with the backend's own threads: about 0.75 of a core each
    speedup = max(1.0, 0.75 * parallel)
    seconds = fits * models * (
        COMPILE_SECONDS
        + networks * windows * window * epochs * SECONDS_PER_WINDOW_STEP * width / speedup
    )
    in_flight = min(parallel, networks)
    memory = (
        8 * sets * n_obs * (n_series if params.get("global_model") else 1)
        + in_flight * (_NETWORK_BYTES + _BYTES_PER_WINDOW_VALUE * windows * (window + steps))
    )
    detail = (f"{networks * models * fits:,} networks on {windows:,} of {available:,} "
              "windows")
    return seconds, int(memory), detail, available


def _statistical_cost(name, forecaster, n_obs, n_series, season, fits):
    from tsforecast.statistical import estimate_memory, fit_window, is_long_series

    inner = _unwrap(forecaster)
    key = name if name in _STATISTICAL_SECONDS else type(inner).__name__.lower()
    m = int(find_param(inner, "season_length") or season or 1)
    if key == "mstl":  # decomposes ten of its longest periods
        m = max([m, season, *(find_param(inner, "periods") or ())])
    fixed, per_value = _STATISTICAL_SECONDS.get(key, (1.0, 1e-3))
    if not is_long_series(n_obs) and key in _EXACT_SECONDS:
        fixed, per_value = _EXACT_SECONDS[key]
    n_fit = fit_window(n_obs, m) if key in _WINDOWED else n_obs
    seconds = fits * n_series * (fixed + per_value * n_fit)
    try:
        memory = estimate_memory(inner, n_obs, m)
    except Exception:  # noqa: BLE001 - a model the estimates do not know: no estimate
        memory = 0
    detail = ""
    if key in _WINDOWED and is_long_series(n_obs):
        method = ("CSS, " if key in ("arima", "autoarima")
                  and find_param(inner, "approximation") is not False else "")
        detail = f"{method}last {n_fit:,} values"
    elif key == "snaive" and m > 1:
        detail = f"period {m}"
    return seconds, int(memory), detail


def estimate_cost(name, forecaster, *, n_obs, n_series=1, season=1, fits=1, label=None):
    """The :class:`ModelCost` of fitting (and forecasting) ``forecaster`` ``fits`` times
    on ``n_series`` series of ``n_obs`` values."""
    if _is_network(forecaster):
        seconds, memory, detail, _ = _network_cost(forecaster, n_obs, n_series, fits)
    else:
        seconds, memory, detail = _statistical_cost(name, forecaster, n_obs, n_series,
                                                    season, fits)
    return ModelCost(name, label or name, seconds, memory, detail)


# --------------------------------------------------------------------------- plan
def _format_seconds(seconds):
    if seconds < 1:
        return "<1 s"
    if seconds < 120:
        return f"~{seconds:.0f} s"
    return f"~{seconds / 60:.0f} min"


def format_bytes(size):
    """``1.5 GB``, ``320 MB``, ``<1 MB``."""
    if size >= 2**30:
        return f"{size / 2**30:.1f} GB"
    if size < 2**20:
        return "<1 MB"
    return f"{size / 2**20:.0f} MB"


class Plan:
    """The models of a run with their estimated costs, the memory limit and the time budget.

    Parameters
    ----------
    time_budget : float, optional
        Seconds for the whole run (None: no limit).
    memory_limit : int, optional
        Bytes the models may use (None: the memory available now).
    max_windows : int, optional
        Training windows per network for every network of the run (None: each network's
        own ``max_windows``).
    periods : tuple of int
        The seasonal periods of the data.
    """

    def __init__(self, *, time_budget=None, memory_limit=None, max_windows=None, periods=()):
        self.time_budget = time_budget
        self.max_windows = max_windows
        self.memory_limit = memory_limit if memory_limit is not None else available_memory()
        self.periods = tuple(periods)
        self.costs = []
        self.overrides = {}

    @classmethod
    def from_context(cls, ctx=None, **kwargs):
        """The plan with the ``--time-budget`` and ``--memory-limit`` of the command."""
        ctx = ctx or click.get_current_context()
        return cls(time_budget=ctx.meta.get(TIME_BUDGET_META),
                   memory_limit=ctx.meta.get(MEMORY_LIMIT_META),
                   max_windows=ctx.meta.get(MAX_WINDOWS_META), **kwargs)

    @property
    def longest_period(self):
        """The longest seasonal period of the data (1 without one)."""
        return max(self.periods, default=1)

    def add(self, name, forecaster, *, n_obs, n_series=1, season=1, fits=1, required=False,
            label=None):
        """Estimate ``forecaster`` and apply the memory guard.

        Returns the forecaster to fit (the same, or one in a conserving mode, changed in
        place) or None when it is left out. A ``required`` model that does not fit in
        the memory limit raises ``click.ClickException``.
        """
        if name == "mstl":
            season = max(season, self.longest_period)
        if self.max_windows is not None and _is_network(forecaster):
            self.overrides[name] = {"max_windows": self.max_windows}
            self.configure(name, forecaster)
        cost = estimate_cost(name, forecaster, n_obs=n_obs, n_series=n_series, season=season,
                             fits=fits, label=label)
        limit = self.memory_limit
        if limit is not None and cost.memory > limit:
            conserved = self._conserve(name, forecaster, cost, n_obs=n_obs, n_series=n_series,
                                       season=season, fits=fits)
            if conserved is None:
                over = (f"{cost.label}: estimated memory {format_bytes(cost.memory)} exceeds "
                        f"the memory limit {format_bytes(limit)}")
                if required:
                    raise click.ClickException(
                        f"{over}, even in its conserving mode; raise --memory-limit, pass a "
                        "shorter series, or choose a smaller model (e.g. --model snaive).")
                cost.action = "left out"
                note(f"  note: {over}; left out.")
                self.costs.append(cost)
                return None
            cost = conserved
        self.costs.append(cost)
        return forecaster

    def _conserve(self, name, forecaster, cost, **sizes):
        """Put ``forecaster`` in a conserving mode that fits the limit; its new cost, or
        None when it has none that fits."""
        limit = self.memory_limit
        if _is_network(forecaster):
            _, _, _, available = _network_cost(forecaster, sizes["n_obs"], sizes["n_series"],
                                               sizes["fits"])
            budget = min(find_param(forecaster, "max_windows") or available, available)
            while budget > MIN_WINDOWS:
                budget = max(MIN_WINDOWS, budget // 2)
                set_matching_params(forecaster, {"max_windows": budget})
                smaller = estimate_cost(name, forecaster, **sizes, label=cost.label)
                if smaller.memory <= limit:
                    smaller.action = f"conserving: {budget:,} windows per network"
                    self.overrides[name] = {"max_windows": budget}
                    return smaller
            return None
        if find_param(forecaster, "approximation", "absent") not in ("absent", True):
            set_matching_params(forecaster, {"approximation": True})
            smaller = estimate_cost(name, forecaster, **sizes, label=cost.label)
            if smaller.memory <= limit:
                smaller.action = "conserving: CSS on the most recent values"
                self.overrides[name] = {"approximation": True}
                return smaller
        return None

    def configure(self, name, forecaster):
        """Give another instance of model ``name`` (e.g. the one a holdout fits) the
        conserving mode the memory guard chose for it."""
        if name in self.overrides:
            set_matching_params(forecaster, self.overrides[name])
        return forecaster

    @property
    def total_seconds(self):
        return sum(cost.seconds for cost in self.costs if cost.action != "left out")

    def show(self):
        """Print the plan (notes on standard error)."""
        if len(self.periods) > 1:
            shown = " and ".join(str(p) for p in self.periods)
            note(f"Seasonal periods {shown} (detected); seasonal naive uses "
                 f"{self.longest_period}")
        limit = "" if self.memory_limit is None else f"memory limit {format_bytes(self.memory_limit)}"
        budget = ("" if self.time_budget is None
                  else f"time budget {_format_seconds(self.time_budget).lstrip('~')}")
        note("Plan (estimates" + "".join(f"; {part}" for part in (budget, limit) if part)
             + "):")
        rows = [cost for cost in self.costs]
        width = max((len(cost.label) for cost in rows), default=0)
        for cost in rows:
            extra = "; ".join(part for part in (cost.detail, cost.action) if part)
            note(f"  {cost.label:<{width}}  {_format_seconds(cost.seconds):>7}  "
                 f"{format_bytes(cost.memory):>7}  {extra}".rstrip())
        total = f"  total {_format_seconds(self.total_seconds)}"
        if self.time_budget is not None and self.total_seconds > self.time_budget:
            total += (": more than the time budget; the networks not started when it runs "
                      "out are left untrained")
        note(total)

    def reserve(self, names):
        """Estimated seconds of the models ``names`` (run after the budgeted training)."""
        return sum(cost.seconds for cost in self.costs if cost.name in names)

    @contextlib.contextmanager
    def running(self, *, reserve=0.0):
        """Train inside the time budget (less ``reserve`` seconds for what runs after the
        networks), with Ctrl-C stopping the training instead of the command.

        Yields the :class:`~tsforecast.forecasting.budget.TrainingBudget`.
        """
        from tsforecast.forecasting.budget import TrainingBudget, training_budget

        seconds = None if self.time_budget is None else max(0.0, self.time_budget - reserve)
        budget = TrainingBudget(seconds)

        def interrupt(signum, frame):
            if budget.stop_requested():
                raise KeyboardInterrupt
            budget.request_stop()
            note("\nInterrupted: the networks in training finish, the others are left out, "
                 "and the model is saved (Ctrl-C again to abort).")

        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, interrupt) if in_main else None
        try:
            with training_budget(budget):
                yield budget
        finally:
            if in_main:
                signal.signal(signal.SIGINT, previous)


def stopped_note(fitted):
    """A note on a model whose training a budget or Ctrl-C stopped (None otherwise)."""
    inner = fitted
    while True:
        stopped = getattr(inner, "training_stopped_", None)
        if stopped is not None or not hasattr(inner, "forecaster_"):
            break
        inner = inner.forecaster_
    if stopped is None:
        return None
    planned = int(inner.n_ensemble)
    intervals = "" if getattr(inner, "residuals_", None) is not None else "; no intervals"
    return (f"  note: training stopped ({stopped}): kept {inner.n_ensemble_} of {planned} "
            f"ensemble member{'s' if planned > 1 else ''}{intervals}.")


def budget_exhausted(budget):
    """Whether a training budget has run out (False for None)."""
    return budget is not None and budget.exhausted()


def _defaulted(ctx, parameter):
    source = ctx.get_parameter_source(parameter)
    return source is None or source == click.core.ParameterSource.DEFAULT


def plan_fit(ctx, *, model_name, forecaster, label, baselines, holdout, from_calibration, y,
             freq, season, horizon, n_obs, n_series):
    """The plan of ``tsforecast fit``, printed; returns it and the baselines to score.

    The chosen model is estimated for its final fit (and its holdout fit, unless the
    holdout comes from its calibration folds) and put in a conserving mode if it needs
    more than the memory limit; each baseline (seasonal naive of the longest seasonal
    period; ``mstl`` added to the default baselines when the data show several periods)
    is estimated on the holdout's training values and left out if it does not fit.
    """
    from tsforecast.defaults import make_forecaster

    periods = seasonal_periods_of(y, freq, season)
    plan = Plan.from_context(ctx, periods=periods)
    baselines = list(baselines) if holdout else []
    if len(periods) > 1 and _defaulted(ctx, "baselines") and "mstl" not in baselines:
        baselines.append("mstl")
    fits = 1 if from_calibration or not holdout else 2
    plan.add(model_name, forecaster, n_obs=n_obs, n_series=n_series, season=season,
             fits=fits, required=True, label=label)
    kept = []
    for name in baselines:
        if name == model_name:
            continue
        m = plan.longest_period if name == "snaive" else season
        baseline = make_forecaster(name, season_length=m, horizon=horizon, random_state=0)
        text = "seasonal naive" if name == "snaive" else name
        if plan.add(name, baseline, n_obs=n_obs - horizon, n_series=n_series, season=m,
                    label=f"{text} (holdout)") is not None:
            kept.append(name)
    plan.show()
    return plan, kept


def plan_compare(ctx, forecasters, *, y, freq, season, horizon, folds, n_obs, n_series,
                 model_option="models"):
    """The plan of ``tsforecast compare``, printed; returns it and the forecasters to run.

    With several seasonal periods, seasonal naive repeats the longest and ``mstl`` joins
    the default models; every model is estimated for ``folds`` fits on the training
    values of the first fold, put in a conserving mode or left out when it needs more
    than the memory limit, and left out when it alone would take more than the time
    budget.
    """
    from tsforecast.defaults import make_forecaster

    periods = seasonal_periods_of(y, freq, season)
    plan = Plan.from_context(ctx, periods=periods)
    forecasters = dict(forecasters)
    if len(periods) > 1:
        if "snaive" in forecasters:
            set_matching_params(forecasters["snaive"], {"season_length": plan.longest_period})
        if _defaulted(ctx, model_option) and "mstl" not in forecasters:
            forecasters["mstl"] = make_forecaster("mstl", season_length=season,
                                                  horizon=horizon)
    if "snaive" not in forecasters:  # the reference the comparison adds, estimated here
        forecasters["snaive"] = make_forecaster("snaive", season_length=plan.longest_period)
    kept = {}
    n_train = n_obs - folds * horizon
    for name, forecaster in forecasters.items():
        forecaster = plan.add(name, forecaster, n_obs=n_train, n_series=n_series,
                              season=season, fits=folds)
        cost = plan.costs[-1]
        if (forecaster is not None and plan.time_budget is not None
                and cost.seconds > plan.time_budget and name != "snaive"):
            cost.action = "left out"
            note(f"  note: {name}: estimated {_format_seconds(cost.seconds)} for {folds} "
                 f"folds, more than the time budget; left out.")
            forecaster = None
        if forecaster is not None:
            kept[name] = forecaster
    plan.show()
    return plan, kept

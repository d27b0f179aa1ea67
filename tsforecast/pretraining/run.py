"""One pretraining run: corpus, examples, network, training, weights file.

The shipped weights come from :func:`pretrain` with its defaults (the command
``python -m tsforecast.pretraining``); a leave-one-dataset-out evaluation pretrains with
``exclude=("tourism",)`` or ``exclude=("m1",)`` and evaluates on the dataset left out.
"""

import hashlib
import time
from pathlib import Path

import numpy as np

from tsforecast.files import atomic_path
from tsforecast.forecasting.zero_shot_inputs import MAX_HORIZON, N_FEATURES
from tsforecast.forecasting.zero_shot_training import make_examples, train_zero_shot
from tsforecast.networks.zero_shot import build_zero_shot_network
from tsforecast.pretraining.corpus import SOURCES, load_corpus
from tsforecast.validation import InputValueError

__all__ = ["pretrain"]

#: Share of the series whose examples monitor the training (early stopping, learning rate).
VALIDATION_SHARE = 0.1


def pretrain(out, *, sources=SOURCES, exclude=(), panel=None, n_synthetic=3000,
             origins_per_series=8, real_weight=3, epochs=8, cell="gru", units=(64, 64),
             seed=0, log=print):
    """Pretrain the network and write it to ``out`` (a ``.keras`` file).

    Parameters
    ----------
    out : str or path-like
    sources : sequence of str, default=SOURCES
        Corpus sources (:func:`~tsforecast.pretraining.corpus.load_corpus`).
    exclude : sequence of str, default=()
        Sources left out, e.g. the dataset a leave-one-dataset-out evaluation holds out.
    panel : list of (numpy.ndarray, int), optional
        Series of your own with their season lengths, added to the corpus (alone, with
        ``sources=()``).
    n_synthetic : int, default=3000
        Synthetic series (more synthetic series than real ones made held-out accuracy
        worse in our runs).
    origins_per_series : int, default=8
        Forecast origins drawn from each synthetic series; real series get
        ``real_weight`` times as many.
    real_weight : int, default=3
    epochs : int, default=8
    cell : {"gru", "lstm"}, default="gru"
    units : tuple of int, default=(64, 64)
    seed : int, default=0
    log : callable, default=print

    Returns
    -------
    dict
        ``path``, ``sha256``, ``seconds``, ``n_series``, ``n_examples`` and the training
        ``history``.
    """
    started = time.perf_counter()
    corpus = load_corpus(sources, exclude=exclude, n_synthetic=n_synthetic, seed=seed)
    corpus += [(np.asarray(values, float), int(m), "panel") for values, m in (panel or [])]
    if not corpus:
        raise InputValueError("the pretraining corpus is empty: pass sources or a panel.")
    rng = np.random.default_rng(seed)
    is_validation = rng.random(len(corpus)) < VALIDATION_SHARE
    is_synthetic = np.array([label in _SYNTHETIC_LABELS for _, _, label in corpus])
    log(f"corpus: {int((~is_synthetic).sum())} real and {int(is_synthetic.sum())} synthetic "
        f"series{' (excluding ' + ', '.join(exclude) + ')' if exclude else ''}")
    train_real = [s for s, v, k in zip(corpus, is_validation, is_synthetic) if not (v or k)]
    train_synthetic = [s for s, v, k in zip(corpus, is_validation, is_synthetic) if k and not v]
    validation = [s for s, v in zip(corpus, is_validation) if v]
    examples = _merge(
        make_examples(train_real, origins_per_series=origins_per_series * real_weight,
                      seed=seed),
        make_examples(train_synthetic, origins_per_series=origins_per_series, seed=seed + 1),
    )
    validation_examples = make_examples(validation, origins_per_series=2, seed=seed + 2)
    n_examples = sum(len(x) for x, _, _ in examples.values())
    log(f"examples: {n_examples} training, "
        f"{sum(len(x) for x, _, _ in validation_examples.values())} validation")
    model = build_zero_shot_network(n_features=N_FEATURES, horizon=MAX_HORIZON, cell=cell,
                                    units=tuple(units), seed=seed)
    history = train_zero_shot(model, examples, validation_examples, epochs=epochs, seed=seed,
                              log=log)
    out = Path(out)
    with atomic_path(out) as temporary:
        # the network alone, uncompiled: no optimizer state and no loss in the file, which
        # then loads anywhere without custom objects
        network = build_zero_shot_network(n_features=N_FEATURES, horizon=MAX_HORIZON,
                                          cell=cell, units=tuple(units), seed=seed)
        network.set_weights(model.get_weights())
        network.save(temporary)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    seconds = time.perf_counter() - started
    log(f"wrote {out} (SHA-256 {digest}) in {seconds:.0f} s")
    return {"path": str(out), "sha256": digest, "seconds": seconds, "n_series": len(corpus),
            "n_examples": n_examples, "history": history}


# Frequency labels of the synthetic series (real series carry their source's name).
_SYNTHETIC_LABELS = ("yearly", "quarterly", "monthly", "weekly", "daily", "hourly")


def _merge(*parts):
    merged = {}
    for examples in parts:
        for length, arrays in examples.items():
            merged.setdefault(length, []).append(arrays)
    return {length: tuple(np.concatenate(a) for a in zip(*groups))
            for length, groups in merged.items()}

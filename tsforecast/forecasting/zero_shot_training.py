"""Training of the pretrained forecaster's network, for pretraining and fine-tuning.

Examples are windows ending at forecast origins drawn from every series
(:func:`make_examples`), scaled per origin as in use
(:mod:`~tsforecast.forecasting.zero_shot_inputs`). The network
(:func:`~tsforecast.networks.zero_shot.build_zero_shot_network`) reads a window of any of
the input lengths and outputs the next ``MAX_HORIZON`` scaled values; it is trained with the
mean absolute error over the observed targets (targets past the end of a series are
masked), batch by batch within each input length, in a random order of batches, with Adam
and a learning rate halved whenever the validation loss stalls.
"""

import time

import numpy as np

from tsforecast.forecasting.zero_shot_inputs import MAX_HORIZON, input_length, origin_example
from tsforecast.networks.zero_shot import masked_mae

__all__ = ["evaluate", "make_examples", "train_zero_shot"]


def make_examples(corpus, *, origins_per_series=8, min_history=4, lengths=None, seed=0):
    """Windows and targets from every series of ``corpus``, grouped by input length.

    From each series, up to ``origins_per_series`` forecast origins are drawn, always
    including the latest one that leaves a full horizon (or the last possible one). With
    ``lengths``, only origins whose input length is one of them are drawn (fewer input
    lengths mean fewer compiled programs).

    Returns
    -------
    dict of int to tuple of numpy.ndarray
        Input length -> features ``(n, L, N_FEATURES)``, base forecasts and targets
        ``(n, MAX_HORIZON)``.
    """
    rng = np.random.default_rng(seed)
    grouped = {}
    for values, season_length, _ in corpus:
        n = len(values)
        if n < min_history + 1:
            continue
        candidates = np.arange(min_history, n)
        if lengths is not None:
            candidates = np.array([o for o in candidates if input_length(o) in lengths],
                                  dtype=int)
            if not len(candidates):
                continue
        latest = max(min_history, n - MAX_HORIZON)
        if lengths is not None and input_length(latest) not in lengths:
            latest = int(candidates[0])
        k = min(origins_per_series, len(candidates))
        chosen = set(rng.choice(candidates, size=k, replace=False).tolist()) | {latest}
        for origin in sorted(chosen):
            features, base, targets, _ = origin_example(values, origin, season_length)
            if not (np.isfinite(features).all() and np.isfinite(base).all()):
                continue
            parts = grouped.setdefault(features.shape[0], ([], [], []))
            parts[0].append(features)
            parts[1].append(base)
            parts[2].append(targets.astype(np.float32))
    return {length: (np.stack(x), np.stack(b), np.stack(y))
            for length, (x, b, y) in grouped.items()}


def _batches(examples, batch_size, rng):
    order = []
    for length, (x, _, _) in examples.items():
        rows = rng.permutation(len(x))
        order += [(length, rows[i : i + batch_size]) for i in range(0, len(rows), batch_size)]
    rng.shuffle(order)
    return order


def train_zero_shot(model, examples, validation=None, *, epochs=30, batch_size=256,
             learning_rate=1e-3, patience=4, seed=0, log=print):
    """Train ``model`` on ``examples`` (from :func:`make_examples`); return its history.

    The weights of the epoch with the lowest validation loss (training loss without
    validation examples) are kept.
    """
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                  loss=masked_mae)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "val_loss": [], "learning_rate": [], "seconds": []}
    best, best_weights, waited = np.inf, model.get_weights(), 0
    for epoch in range(epochs):
        started = time.perf_counter()
        losses, weights = [], []
        for length, rows in _batches(examples, batch_size, rng):
            x, base, y = examples[length]
            losses.append(float(model.train_on_batch([x[rows], base[rows]], y[rows])))
            weights.append(len(rows))
        loss = float(np.average(losses, weights=weights))
        val = evaluate(model, validation) if validation else loss
        rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
        for key, value in (("loss", loss), ("val_loss", val), ("learning_rate", rate),
                           ("seconds", time.perf_counter() - started)):
            history[key].append(value)
        log(f"epoch {epoch + 1}/{epochs}: loss {loss:.4f}  val {val:.4f}  lr {rate:.2e}  "
            f"{history['seconds'][-1]:.0f} s")
        if val < best - 1e-4:
            best, best_weights, waited = val, model.get_weights(), 0
        else:
            waited += 1
            model.optimizer.learning_rate = rate / 2
            if waited >= patience:
                break
    model.set_weights(best_weights)
    return history


def evaluate(model, examples, batch_size=1024):
    """Masked mean absolute error of ``model`` on ``examples``."""
    total, count = 0.0, 0
    for x, base, y in examples.values():
        for start in range(0, len(x), batch_size):
            rows = slice(start, start + batch_size)
            prediction = np.asarray(model.predict_on_batch([x[rows], base[rows]]))
            target = y[rows]
            observed = np.isfinite(target)
            total += float(np.abs(np.where(observed, target, 0) - prediction)[observed].sum())
            count += int(observed.sum())
    return total / max(count, 1)

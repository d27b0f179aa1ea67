"""Training health: what the loss history of a fitted network says.

Reads ``history_`` of a recurrent regressor: ``loss`` and ``val_loss`` per epoch, the
``learning_rate`` of every epoch (halved on plateaus), and, when it was trained with
``track_gradients=True``, the per-epoch gradient diagnostics of
:mod:`tsforecast.backend.gradient_tracking` (``gradient_norm``, ``clip_fraction``,
``clip_steps``, ``gradient_ratio/<direction>``).
"""

import itertools

import numpy as np

__all__ = ["describe_training"]

#: Share of (sample batch, variable) pairs clipped, averaged over the epochs, above which
#: clipping counts as frequent.
FREQUENT_CLIPPING = 0.25


def _first_bad_epoch(values):
    finite = np.isfinite(np.asarray(values, dtype=float))
    return None if finite.all() else int(np.argmin(finite)) + 1


def describe_training(history, *, clipnorm=None, clipping_now=None):
    """Summary of a loss history.

    Parameters
    ----------
    history : dict of str to list of float
        ``history_`` of a fitted regressor.
    clipnorm : float, optional
        The regressor's ``clipnorm``.
    clipping_now : dict, optional
        Clipping at the fitted weights, as measured by ``explain``.

    Returns
    -------
    dict
        ``n_epochs``, ``final_loss``, ``final_val_loss``, ``best_epoch`` (of the monitored
        loss), ``learning_rate_changes`` (``[epoch, new rate]`` pairs), ``nonfinite``
        (first bad epoch of the losses and the gradient norm), ``first_bad_epoch``,
        ``tracked``, ``mean_clip_fraction``, ``epochs_with_clipping``, ``clipping_now``,
        ``frequent_clipping`` and ``history``.
    """
    history = {k: [float(v) for v in values] for k, values in (history or {}).items()}
    loss = history.get("loss", [])
    monitored = history.get("val_loss") or loss
    finite = [v if np.isfinite(v) else np.inf for v in monitored]
    rates = history.get("learning_rate", [])
    changes = [[epoch, rate] for epoch, (before, rate) in enumerate(itertools.pairwise(rates), 2)
               if rate != before]
    # the losses and the gradient norm; a gradient ratio is NaN whenever no gradient reaches
    # a layer's last step, which is no divergence
    watched = [k for k in history if k.endswith("loss") or k == "gradient_norm"]
    nonfinite = {k: e for k in watched if (e := _first_bad_epoch(history[k])) is not None}
    clip = history.get("clip_fraction")
    summary = {
        "n_epochs": len(loss),
        "final_loss": loss[-1] if loss else None,
        "final_val_loss": history["val_loss"][-1] if history.get("val_loss") else None,
        "best_epoch": int(np.argmin(finite)) + 1 if finite else None,
        "learning_rate_changes": changes,
        "nonfinite": nonfinite,
        "first_bad_epoch": min(nonfinite.values()) if nonfinite else None,
        "tracked": "gradient_norm" in history,
        "clipnorm": clipnorm,
        "mean_clip_fraction": float(np.mean(clip)) if clip else None,
        "epochs_with_clipping": (int(np.sum(np.asarray(history["clip_steps"]) > 0))
                                 if history.get("clip_steps") else None),
        "clipping_now": clipping_now,
        "history": history,
    }
    shares = [s for s in (summary["mean_clip_fraction"],
                          (clipping_now or {}).get("clip_fraction")) if s is not None]
    summary["frequent_clipping"] = bool(shares) and max(shares) > FREQUENT_CLIPPING
    return summary

"""``tsforecast explain MODEL``: why a saved recurrent model forecasts what it does.

A model file keeps the fitted networks and, in its metadata, the last values of the
training series (``tsforecast fit`` stores up to 240 per series). The explanation is
computed on the training windows of that stored tail, transformed and normalised as in
training; a file without it (saved from Python without metadata) is explained on the last
window of each series that the forecaster keeps, with the gradients of the forecast instead
of the loss. The training health comes from the loss history saved with each network.
"""

import click
from tsforecast.cli.common import atomic_output, captured_warnings, use_compilation_cache
from tsforecast.cli.exports import check_image_suffix, check_outputs
from tsforecast.cli.options import ModelFile, PositiveInt, output_options
from tsforecast.cli.output import emit_json, note, result


@click.command()
@click.argument("model", type=ModelFile())
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help="Draw the one-page summary (gradient flow, memory, gates, training) into "
                   "an image, e.g. explain.png.")
@click.option("--member", type=int, default=0, show_default=True,
              help="Which network of a seed ensemble to explain (0 = the first).")
@click.option("--max-windows", type=PositiveInt("windows to evaluate", 256), default=256,
              show_default=True, help="Most training windows evaluated (evenly spaced).")
@output_options
def explain(model, plot_path, member, max_windows):
    """Explain a saved recurrent model: gradient flow, memory, gates, training.

    Reports for the network in MODEL how far the loss gradient reaches back through the
    window, how many past values the forecast actually uses, the mean gate activations,
    the loss history, and a one-line verdict.
    """
    if plot_path is not None:
        check_image_suffix(plot_path)
    check_outputs(**{"--plot": plot_path})
    use_compilation_cache()
    from tsforecast import persistence
    from tsforecast.diagnostics import explain as explain_model
    from tsforecast.validation import InputValueError

    meta = persistence.read_metadata(model).get("metadata", {})
    with captured_warnings():
        forecaster = persistence.load(model)
    history = _stored_series(meta)
    source = "the stored training tail"
    with captured_warnings():
        try:
            explanation = explain_model(forecaster, y=history, member=member,
                                        max_windows=max_windows)
        except InputValueError:
            if history is None:
                raise
            # a tail too short for one window, or of fewer series than the model has
            explanation = explain_model(forecaster, member=member, max_windows=max_windows)
            source = "the last window of each series (the stored tail does not fit)"
    if history is None:
        source = "the last window of each series (the file stores no training tail)"
    emit_json({"file": str(model), "windows_from": source, **explanation.summary()})
    _report(explanation, source)
    if plot_path is not None:
        with atomic_output(plot_path) as temporary:
            explanation.plot(temporary)
        note(f"Saved plot to '{plot_path}'")


def _stored_series(meta):
    """The training tail stored by ``tsforecast fit`` (a Series, or a frame of series)."""
    series = (meta.get("history") or {}).get("series")
    if not series:
        return None
    import pandas as pd

    frame = pd.DataFrame({name: [float("nan") if v is None else v for v in values]
                          for name, values in series.items()})
    return frame.iloc[:, 0].dropna() if frame.shape[1] == 1 else frame


def _report(explanation, source):
    info, memory, training = explanation.info, explanation.memory, explanation.training
    units = "x".join(map(str, info["units"]))
    network = f"{'bidirectional ' if info['bidirectional'] else ''}{info['cell_name']}({units})"
    if info["head"] == "seq2seq":
        network += " encoder-decoder"
    if info.get("highway"):
        network += " + linear highway"
    members = info.get("n_members", 1)
    which = f", network {info.get('member', 0) + 1} of {members}" if members > 1 else ""
    result(f"Model:     {info['model']}: {network}, window {info['window']}, "
           f"{info['n_outputs']} output(s){which}")
    result(f"Windows:   {info['n_windows']} of {source}; gradients of the {info['quantity']}")
    result("Gradient flow (first-to-last-step ratio; vanishes beyond lag):")
    for label, flow in explanation.flow.items():
        role = "  (decoder)" if flow["role"] == "decoder" else ""
        if not flow["reaches"]:
            result(f"  {label:<26}{'-':>10}   no gradient reaches its states{role}")
            continue
        lag = flow["vanish_lag"]
        reach = "never (reaches the start)" if lag is None else f"lag {lag}"
        result(f"  {label:<26}{flow['ratio']:>10.3g}   {reach}{role}")
    peaks = ", ".join(map(str, memory["peaks"][:4])) or "none"
    result(f"Memory:    {memory['mass']:.0%} of the sensitivity within the last "
           f"{memory['effective_memory']} of {memory['window']} inputs; recommended window "
           f"{memory['recommended_window']}; peaks at lag(s) {peaks} from the target")
    for direction in dict.fromkeys(key.rsplit("/", 1)[0] for key in explanation.gates):
        means = ", ".join(f"{key.rsplit('/', 1)[1]} {values.mean():.2f}"
                          for key, values in explanation.gates.items()
                          if key.rsplit("/", 1)[0] == direction)
        result(f"Gates:     {direction}: {means} (mean over the steps)")
    result(f"Training:  {_training_line(training)}")
    for finding in explanation.findings:
        result(f"  {finding['level']}: {finding['text']}")
    result(f"Verdict:   {explanation.verdict}")


def _training_line(training):
    parts = [f"{training['n_epochs']} epochs"]
    if training.get("best_epoch"):
        parts.append(f"best at {training['best_epoch']}")
    if training.get("final_val_loss") is not None:
        parts.append(f"validation loss {training['final_val_loss']:.4g}")
    changes = training.get("learning_rate_changes") or []
    parts.append(f"learning rate reduced {len(changes)} time(s)")
    if training.get("mean_clip_fraction") is not None:
        parts.append(f"clipped {training['mean_clip_fraction']:.0%} of gradients per epoch")
    now = training.get("clipping_now") or {}
    if now.get("clip_fraction") is not None:
        parts.append(f"{now['clip_fraction']:.0%} clipped at the fitted weights")
    if training.get("first_bad_epoch") is not None:
        parts.append(f"non-finite from epoch {training['first_bad_epoch']}")
    return "; ".join(parts)

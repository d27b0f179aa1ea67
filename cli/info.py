"""``tsforecast info MODEL``: what a saved model is, without loading it (or Keras)."""

import click
from tsforecast.cli.options import ModelFile, output_options
from tsforecast.cli.output import emit_json, format_number, format_percent, format_table, result


@click.command()
@click.argument("model", type=ModelFile())
@output_options
def info(model):
    """Describe a saved model without loading it.

    Type, parameters, training data, holdout scores and library versions of MODEL.
    """
    from tsforecast import persistence

    manifest = persistence.read_metadata(model)
    meta = manifest.get("metadata", {})
    root = manifest["root"]
    document = {
        "file": str(model),
        "class": manifest["class"],
        "description": meta.get("description"),
        "params": readable_params(root),
        "created": manifest.get("created"),
        "format_version": manifest.get("format_version"),
        "versions": manifest.get("versions", {}),
        "data": meta.get("data"),
        "settings": meta.get("settings"),
        "holdout": meta.get("holdout"),
    }
    emit_json(document)

    result(f"Model:    {manifest['class'].rsplit('.', 1)[-1]}  ({manifest['class']})")
    if meta.get("description"):
        result(f"          {meta['description']}")
    result(f"Created:  {manifest.get('created')}  (format version {manifest.get('format_version')})")
    data = meta.get("data")
    if data:
        result(
            f"Trained:  {data.get('n_obs')} {(data.get('frequency') or '') + ' '}values"
            f" ({_short(data.get('start'))} .. {_short(data.get('end'))}) of"
            f" {data.get('n_series', 1)} series"
            f" from '{data.get('file')}'"
        )
        result(f"          target {data.get('target')!r}, time {data.get('time_col')!r}, "
               f"freq {data.get('freq')}, season length {data.get('season_length')}, "
               f"sha256 {str(data.get('sha256'))[:12]}")
    settings = meta.get("settings")
    if settings:
        result("Settings: " + ", ".join(
            f"{k}={v}" for k, v in settings.items() if v is not None))
    holdout = meta.get("holdout")
    if holdout:
        rows = [[row["model"], format_number(row.get("mase")), format_percent(row.get("smape"))]
                for row in holdout]
        result("Holdout:")
        result(format_table(rows, ["model", "MASE", "sMAPE"], indent="  "))
    result("Parameters:")
    for key, value in flatten_params(document["params"]):
        result(f"  {key} = {value}")
    versions = manifest.get("versions", {})
    result("Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))


def _short(stamp):
    text = str(stamp)
    return text.removesuffix("T00:00:00")


# entries of tsforecast's own estimators, and of scikit-learn ones stored with skops
_ESTIMATORS = ("estimator", "skops_estimator")


def readable_params(node):
    """The parameters of an encoded estimator as plain JSON (nested estimators as dicts)."""
    if isinstance(node, dict) and node.get("__type__") in _ESTIMATORS:
        params = {k: _readable(v) for k, v in node.get("params", {}).items()}
        return {"class": node.get("class", "?").rsplit(".", 1)[-1], **params}
    return _readable(node)


def _readable(node):
    if isinstance(node, list):
        return [_readable(item) for item in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("__type__")
    if kind in _ESTIMATORS:
        return readable_params(node)
    if kind == "tuple":
        return [_readable(item) for item in node.get("items", [])]
    if kind == "dict":
        return {str(_readable(k)): _readable(v)
                for k, v in zip(node.get("keys", []), node.get("values", []))}
    if kind == "float":
        return node.get("value")
    if kind in ("timestamp", "period", "offset", "dtype"):
        return node.get("value")
    return f"<{kind}>"


def flatten_params(params, prefix=""):
    """Yield ``(dotted name, value)`` pairs of nested parameters for display."""
    for key, value in params.items():
        if key == "class" and prefix:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict) and "class" in value:
            yield name, value["class"]
            yield from flatten_params(value, name + ".")
        elif isinstance(value, list) and value and all(
            isinstance(v, dict) and "class" in v for v in value
        ):
            yield name, "[" + ", ".join(v["class"] for v in value) + "]"
        elif key != "class":
            yield name, value

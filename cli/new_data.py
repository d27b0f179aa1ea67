"""How ``tsforecast predict MODEL --data NEW.csv`` forecasts from new observations.

The first way that applies:

1. ``--refit``: the model's saved settings are fitted on the new data (training again);
2. a model with the tag ``"capability:new_data"`` (the window models and the networks)
   forecasts from the end of the new data with what it learned, without training:
   ``predict(horizon, y=new)``, also for series it never saw;
3. a model with nothing to train (naive, seasonal naive, drift, mean, naive-2: the forecast
   is a direct function of the data) is fitted on the new data, which just reads them;
4. a model that can :meth:`~tsforecast.forecasting.base.BaseForecaster.update` takes the
   observations after the end of its training data and keeps its parameters;
5. any other model is refused, with the advice to pass ``--refit``.
"""

from pathlib import Path

import click
from tsforecast.cli.common import captured_warnings, format_stamp
from tsforecast.cli.output import note


def from_new_data(forecaster, model_name, y, X, *, refit, path):
    """The model that forecasts from the end of ``y`` (covariates ``X``), and the history to
    pass to its ``predict`` (``y`` on the way without training, else None)."""
    from sklearn.base import clone

    from tsforecast import registry

    name = Path(path).name
    if refit:
        note(f"Refitting the saved model settings on '{name}'")
        with captured_warnings():
            return clone(forecaster).fit(y, X), None
    if forecaster.get_tag("capability:new_data"):
        note(f"Forecasting from the end of '{name}' with the trained model (no retraining)")
        return forecaster, y
    if model_name in registry.NO_TRAINING:
        note(f"Forecasting from the end of '{name}' ({model_name} has nothing to train)")
        with captured_warnings():
            return clone(forecaster).fit(y, X), None
    if not can_update(forecaster):
        raise click.UsageError(
            f"{model_name} cannot forecast from new data with its trained parameters; pass "
            f"--refit to fit its saved settings on '{name}' (or use a network, which "
            "forecasts new data without retraining)."
        )
    return _updated(forecaster, model_name, y, X, name), None


def can_update(forecaster):
    """Whether ``forecaster`` implements ``update`` (its class provides ``_update``)."""
    from tsforecast.forecasting.base import BaseForecaster

    return type(forecaster)._update is not BaseForecaster._update


def _updated(forecaster, model_name, y, X, name):
    """``forecaster`` updated with the values of ``y`` after its training data's end."""
    cutoff, freq = forecaster.cutoff_, forecaster.freq_
    new = y.loc[y.index > cutoff]
    if not len(new):
        raise click.UsageError(
            f"'{name}' ends at {format_stamp(y.index[-1], freq)}, which {model_name} has "
            f"already seen (its data end at {format_stamp(cutoff, freq)}); pass --refit to "
            "forecast from the end of these data."
        )
    note(f"Updating {model_name} with the {len(new)} value(s) of '{name}' after "
         f"{format_stamp(cutoff, freq)} (parameters kept)")
    with captured_warnings():
        return forecaster.update(new, X)

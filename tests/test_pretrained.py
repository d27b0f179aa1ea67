"""The pretrained recurrent forecaster: pretraining, shipped weights, zero-shot and fine-tuning."""

import shutil

import numpy as np
import pandas as pd
import pytest
from tsforecast.datasets import load_air_passengers

import tsforecast as tsf
from tsforecast import persistence
from tsforecast.forecasting.pretrained import (
    PRETRAINED_SHA256,
    PRETRAINED_WEIGHTS,
    PretrainedRNNForecaster,
    load_pretrained_network,
)
from tsforecast.forecasting.zero_shot_training import evaluate, make_examples
from tsforecast.pretraining import pretrain
from tsforecast.pretraining.synthetic import generate_series
from tsforecast.validation import InputValueError


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory):
    """A network pretrained in seconds on a few synthetic series."""
    path = tmp_path_factory.mktemp("pretrained") / "tiny.keras"
    # short yearly series: few input lengths, so few programs to compile
    panel = [(values[:12], 1) for values, _, _ in generate_series(40, seed=2,
                                                                  frequencies=["yearly"])]
    report = pretrain(path, sources=(), panel=panel, epochs=1, units=(8,),
                      log=lambda message: None)
    assert report["n_examples"] > 100 and path.exists()
    return str(path)


def test_a_tiny_pretraining_runs_end_to_end(tiny_weights):
    y = load_air_passengers()
    forecast = PretrainedRNNForecaster(weights=tiny_weights).fit(y).predict(12)
    assert forecast.shape == (12,) and np.all(np.isfinite(forecast))
    assert forecast.index[0] == y.index[-1] + y.index.freq


def test_the_shipped_weights_match_their_digest_and_load_in_safe_mode():
    network, digest = load_pretrained_network()
    assert digest == PRETRAINED_SHA256
    assert network.count_params() > 0


def test_weights_with_code_are_refused(tmp_path):
    # the loader runs in Keras' safe mode: a Lambda layer (arbitrary code) is refused
    import keras

    inputs = keras.Input((3,))
    path = tmp_path / "unsafe.keras"
    keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs)).save(path)
    with pytest.raises(ValueError, match="(?i)lambda|unsafe|safe_mode"):
        load_pretrained_network(path)


def test_damaged_weights_are_refused_by_their_digest(tmp_path):
    copy = tmp_path / "pretrained_rnn.keras"
    shutil.copyfile(PRETRAINED_WEIGHTS, copy)
    with open(copy, "ab") as file:
        file.write(b"\0")
    with pytest.raises(InputValueError, match="SHA-256"):
        load_pretrained_network(copy, sha256=PRETRAINED_SHA256)


def test_zero_shot_forecasts_are_deterministic_and_need_no_training():
    y = load_air_passengers()
    first = PretrainedRNNForecaster().fit(y)
    assert first.network_ is None  # zero-shot: the shipped network, untouched
    second = PretrainedRNNForecaster().fit(y)
    np.testing.assert_array_equal(first.predict(12), second.predict(12))
    # the intervals' calibration runs only when an interval is asked for
    assert first._cache_residuals is None
    interval = first.predict_interval(12, coverage=0.9)
    assert len(first.residuals_[0]) > 0
    assert (interval["lower"] < interval["forecast"]).all()
    assert (interval["forecast"] < interval["upper"]).all()


def test_a_panel_is_forecast_in_one_call_and_new_series_without_refitting():
    series = generate_series(3, seed=5, frequencies=["monthly"])
    panel = pd.DataFrame({f"s{i}": pd.Series(v[-60:]) for i, (v, _, _) in enumerate(series)})
    model = PretrainedRNNForecaster(season_length=12).fit(panel)
    forecast = model.predict(6)
    assert forecast.shape == (6, 3) and np.isfinite(forecast.to_numpy()).all()
    alone = PretrainedRNNForecaster(season_length=12).fit(panel["s1"]).predict(6)
    np.testing.assert_allclose(forecast["s1"].to_numpy(), alone.to_numpy(), rtol=1e-5)
    new = model.predict(6, y=panel["s1"])
    np.testing.assert_allclose(new.to_numpy(), alone.to_numpy(), rtol=1e-5)


def test_fine_tuning_lowers_the_in_sample_loss(tiny_weights):
    series = generate_series(6, seed=3, frequencies=["monthly"])
    panel = pd.DataFrame({f"s{i}": pd.Series(v[-40:]) for i, (v, _, _) in enumerate(series)})
    corpus = [(panel[c].to_numpy(), 12, "fit") for c in panel.columns]
    examples = make_examples(corpus, origins_per_series=16, lengths={24, 36}, seed=1)
    zero_shot = load_pretrained_network(tiny_weights)[0]
    tuned = PretrainedRNNForecaster(season_length=12, weights=tiny_weights, fine_tune=5,
                                    learning_rate=3e-3).fit(panel)
    assert evaluate(tuned.network_, examples) < evaluate(zero_shot, examples)


def test_model_files_keep_the_pretrained_forecaster(tmp_path, tiny_weights):
    y = load_air_passengers()
    for model in (PretrainedRNNForecaster().fit(y),
                  PretrainedRNNForecaster(weights=tiny_weights, fine_tune=1).fit(y)):
        path = tmp_path / "model.tsf"
        persistence.save(model, path)
        loaded = persistence.load(path)
        np.testing.assert_allclose(loaded.predict(12), model.predict(12), rtol=1e-6)


def test_the_registry_and_make_forecaster_know_it():
    model = tsf.make_forecaster("pretrained", season_length=12, horizon=12)
    assert isinstance(model, PretrainedRNNForecaster) and model.season_length == 12

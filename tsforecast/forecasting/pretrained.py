"""A recurrent forecaster pretrained on a corpus of series: forecasts any series zero-shot.

:class:`PretrainedRNNForecaster` ships with the weights of a recurrent network trained on
thousands of real and synthetic series (see the model card in the README and
:mod:`tsforecast.pretraining`, which reproduces them). ``fit`` stores the history (and,
with ``fine_tune``, continues training on it); ``predict`` is one forward pass per input
length over all series. Each series is scaled on its own (seasonality and level taken out,
:mod:`~tsforecast.forecasting.series_scaling`), so the network serves series of any level,
length and frequency. Intervals are conformal: the network forecasts from earlier origins
of the history itself, and the errors of those forecasts calibrate the interval of each
step.
"""

import hashlib
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from tsforecast.forecasting.base import BaseForecaster, IntervalUnavailableError
from tsforecast.forecasting.conformal import conformal_quantiles
from tsforecast.forecasting.zero_shot_inputs import MAX_HORIZON, input_length, origin_example
from tsforecast.frequency import season_length as season_length_of
from tsforecast.validation import InputValueError, check_int

__all__ = ["PRETRAINED_WEIGHTS", "PretrainedRNNForecaster", "load_pretrained_network"]

#: The shipped weights and their SHA-256 digest (checked before every load).
PRETRAINED_WEIGHTS = Path(__file__).with_name("weights") / "pretrained_rnn.keras"
PRETRAINED_SHA256 = "a9ed00b5a1370540f9370a8bea7d53728fa134a89ab46476df4adf92396990b1"

_NETWORKS = {}
_NETWORKS_LOCK = threading.Lock()

#: Forecast origins per series used to calibrate the intervals.
_CALIBRATION_ORIGINS = 24


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_pretrained_network(path=None, sha256=None):
    """The pretrained network, loaded once per process in Keras' safe mode.

    Parameters
    ----------
    path : str or path-like, optional
        A ``.keras`` file written by :mod:`tsforecast.pretraining`; the shipped weights by
        default.
    sha256 : str, optional
        Expected digest of the file; the shipped weights are always checked against theirs.

    Raises
    ------
    InputValueError
        If the file's digest differs from the expected one.
    """
    import keras

    path = Path(path) if path is not None else PRETRAINED_WEIGHTS
    if sha256 is None and path == PRETRAINED_WEIGHTS:
        sha256 = PRETRAINED_SHA256
    with _NETWORKS_LOCK:
        key = str(path.resolve())
        if key not in _NETWORKS:
            digest = _sha256(path)
            if sha256 is not None and digest != sha256:
                raise InputValueError(
                    f"the pretrained weights '{path}' have SHA-256 {digest}, expected "
                    f"{sha256}: the file is damaged or not the one shipped; reinstall "
                    "tsforecast or pass the weights you trained with `weights=`."
                )
            _NETWORKS[key] = (keras.models.load_model(path, safe_mode=True, compile=False),
                              digest)
        return _NETWORKS[key]


class PretrainedRNNForecaster(BaseForecaster):
    """Zero-shot forecasts from a recurrent network pretrained on many series.

    Parameters
    ----------
    horizon : int, optional
        Default number of steps of ``predict``; one season (or 6 steps) when omitted.
    season_length : int, optional
        Period of the seasonal cycle; inferred from the frequency of the index by default.
    fine_tune : int, default=0
        Epochs of further training on the series passed to ``fit`` (all of them together:
        windows from several origins of every series), starting from the pretrained
        weights; 0 forecasts zero-shot.
    learning_rate : float, default=3e-4
        Learning rate of the fine-tuning.
    weights : str or path-like, optional
        Pretrained weights to start from (a file written by ``python -m
        tsforecast.pretraining``); the shipped ones by default.
    random_state : int, default=0
        Seed of the fine-tuning's choice of origins and batches.

    Attributes
    ----------
    histories_ : list of numpy.ndarray
        The history of each series.
    season_length_ : int
    network_ : keras.Model or None
        The fine-tuned network (None when forecasting zero-shot with the pretrained one).
    weights_sha256_ : str
        Digest of the pretrained weights used.
    residuals_ : list of numpy.ndarray
        Per series, scaled calibration errors ``(n_origins, MAX_HORIZON)`` (NaN where no
        value was observed); computed at the first interval forecast.

    Examples
    --------
    >>> from tsforecast.datasets import load_air_passengers
    >>> f = PretrainedRNNForecaster().fit(load_air_passengers())  # doctest: +SKIP
    >>> f.predict(12).shape  # doctest: +SKIP
    (12,)
    """

    _tags = {
        # one forward pass for all the columns of a wide frame
        "capability:global": True,
        "capability:pred_int": True,
        # predict(..., y=new_series) forecasts any series without refitting
        "capability:new_data": True,
    }

    def __init__(self, *, horizon=None, season_length=None, fine_tune=0, learning_rate=3e-4,
                 weights=None, random_state=0):
        self.horizon = horizon
        self.season_length = season_length
        self.fine_tune = fine_tune
        self.learning_rate = learning_rate
        self.weights = weights
        self.random_state = random_state

    # ------------------------------------------------------------------- fit
    def _fit(self, y, X=None):
        check_int(self.fine_tune, "fine_tune", minimum=0, example=10)
        check_int(self.horizon, "horizon", allow_none=True)
        m = self.season_length
        if m is None:
            m = season_length_of(self.freq_)
        self.season_length_ = check_int(int(m), "season_length")
        self.histories_ = self._histories(y)
        network, self.weights_sha256_ = load_pretrained_network(self.weights)
        self.network_ = None
        if self.fine_tune:
            self.network_ = self._fine_tuned(network)
        self._cache_residuals = None
        return self

    def _histories(self, y):
        if isinstance(y, pd.DataFrame):
            histories = [y[c].dropna().to_numpy(dtype=float) for c in y.columns]
        else:
            histories = [np.asarray(y, dtype=float)]
        short = [len(h) for h in histories if len(h) < 3]
        if short:
            raise InputValueError(
                f"{type(self).__name__} needs at least 3 values per series, got {short[0]}."
            )
        return histories

    def _adopt_history(self, y, X, *, trained):
        self.histories_ = self._histories(y)
        self._cache_residuals = None

    def _default_horizon(self):
        if self.horizon is not None:
            return self.horizon
        m = getattr(self, "season_length_", 1)
        return m if 1 < m <= MAX_HORIZON else 6

    def _network(self):
        if getattr(self, "network_", None) is not None:
            return self.network_
        return load_pretrained_network(self.weights, self.weights_sha256_)[0]

    def _fine_tuned(self, network):
        import keras

        from tsforecast.forecasting.zero_shot_training import make_examples, train_zero_shot

        corpus = [(h, self.season_length_, "fit") for h in self.histories_]
        # windows of the lengths the forecasts read (the longest input length each series
        # reaches, and the one below it): the network adapts where it will be used, and
        # only a few input lengths need compiling
        lengths = set()
        for history in self.histories_:
            longest = input_length(len(history))
            lengths |= {longest, input_length(longest - 1)}
        examples = make_examples(corpus, origins_per_series=16, lengths=lengths,
                                 seed=int(self.random_state))
        if not examples:
            return None
        tuned = keras.models.clone_model(network)
        tuned.set_weights(network.get_weights())
        train_zero_shot(tuned, examples, epochs=int(self.fine_tune),
                        learning_rate=float(self.learning_rate), patience=int(self.fine_tune),
                        seed=int(self.random_state), log=lambda message: None)
        # keep the network only (uncompiled: model files then need no custom loss)
        fine_tuned = keras.models.clone_model(network)
        fine_tuned.set_weights(tuned.get_weights())
        return fine_tuned

    # -------------------------------------------------------------- forecast
    def _scaled_forecasts(self, histories, origins):
        """Scaled forecasts of ``MAX_HORIZON`` steps of every (history, origin) pair, one
        forward pass per input length; also returns the scalings."""
        network = self._network()
        examples = [origin_example(h, o, self.season_length_) for h, o in zip(histories, origins)]
        out = np.empty((len(examples), MAX_HORIZON))
        by_length = {}
        for i, (features, _, _, _) in enumerate(examples):
            by_length.setdefault(features.shape[0], []).append(i)
        for rows in by_length.values():
            features = np.stack([examples[i][0] for i in rows])
            base = np.stack([examples[i][1] for i in rows])
            out[rows] = np.asarray(network.predict_on_batch([features, base]), dtype=float)
        return out, [example[3] for example in examples]

    def _forecast(self, histories, horizon):
        """Forecasts of ``horizon`` steps after each history (fed back beyond
        ``MAX_HORIZON`` steps), on the original scale."""
        histories = [np.asarray(h, dtype=float) for h in histories]
        done = [np.empty(0) for _ in histories]
        while len(done[0]) < horizon:
            extended = [np.r_[h, d] for h, d in zip(histories, done)]
            scaled, scalings = self._scaled_forecasts(extended, [len(e) for e in extended])
            steps = min(MAX_HORIZON, horizon - len(done[0]))
            done = [np.r_[d, s.inverse(z[:steps])] for d, s, z in zip(done, scalings, scaled)]
        return np.stack(done)

    def _predict(self, horizon, X=None):
        forecast = self._forecast(self.histories_, horizon)
        return forecast[0] if len(self.histories_) == 1 else forecast.T

    # ------------------------------------------------------------- intervals
    @property
    def residuals_(self):
        # calibrating costs several forward passes per series (four fifths of a zero-shot
        # fit of a panel) and only intervals need it: computed at the first interval
        if getattr(self, "_cache_residuals", None) is None:
            self._cache_residuals = self._calibration_errors()
        return self._cache_residuals

    def _calibration_errors(self):
        """Scaled errors of forecasts from the last origins of each history."""
        pairs = []
        for j, history in enumerate(self.histories_):
            n = len(history)
            first = max(3, n - _CALIBRATION_ORIGINS)
            pairs += [(j, origin) for origin in range(first, n)]
        if not pairs:
            return [np.empty((0, MAX_HORIZON)) for _ in self.histories_]
        scaled, scalings = self._scaled_forecasts(
            [self.histories_[j] for j, _ in pairs], [o for _, o in pairs]
        )
        residuals = [[] for _ in self.histories_]
        for (j, origin), z, scaling in zip(pairs, scaled, scalings):
            actual = self.histories_[j][origin : origin + MAX_HORIZON]
            error = np.full(MAX_HORIZON, np.nan)
            error[: len(actual)] = scaling.transform(actual, origin) - z[: len(actual)]
            residuals[j].append(error)
        return [np.array(r) if r else np.empty((0, MAX_HORIZON)) for r in residuals]

    def _predict_interval(self, horizon, coverage, X=None):
        if horizon > MAX_HORIZON:
            raise IntervalUnavailableError(
                f"{type(self).__name__} calibrates intervals up to {MAX_HORIZON} steps; "
                f"ask for at most {MAX_HORIZON} steps, got {horizon}."
            )
        scaled, scalings = self._scaled_forecasts(
            self.histories_, [len(h) for h in self.histories_]
        )
        point, lower, upper = [], [], []
        for z, scaling, residuals in zip(scaled, scalings, self.residuals_):
            z = z[:horizon]
            half = conformal_quantiles(residuals[:, :horizon], coverage)
            point.append(scaling.inverse(z))
            lower.append(scaling.inverse(z - half))
            upper.append(scaling.inverse(z + half))
        point, lower, upper = np.stack(point), np.stack(lower), np.stack(upper)
        if len(self.histories_) == 1:
            return point[0], lower[0], upper[0]
        return point.T, lower.T, upper.T

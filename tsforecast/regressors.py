"""scikit-learn regressors over windows, backed by Keras recurrent networks.

``SimpleRNNRegressor``, ``LSTMRegressor`` and ``GRURegressor`` map input windows
``X`` of shape ``(n, window)`` (one series) or ``(n, window, n_features)`` to targets ``y`` of
shape ``(n,)`` or ``(n, horizon)``. They clone, pickle and work inside ``Pipeline``,
``GridSearchCV`` and ``TimeSeriesSplit``. Their parameters are the network settings of
:mod:`tsforecast.networks.spec` plus ``random_state``.

Training and single forecasts go through :mod:`tsforecast.backend` (on JAX: a compiled loop
and a jitted forward function shared by every model of an architecture). ``predict`` never
calls ``Model.predict``, whose per-call overhead dominates small forecasts; its inputs are
padded to 2 rows or a power-of-two number of rows (at least 32), so only a few shapes
compile.
"""

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from tsforecast.backend import forward_function, train_network
from tsforecast.networks import build_rnn
from tsforecast.networks.long_memory import start_at_linear_model
from tsforecast.networks.spec import (
    architecture,
    constraints,
    estimator_init,
    param_docs,
    settings_of,
    training_options,
)
from tsforecast.validation import InputValueError

__all__ = ["GRURegressor", "LSTMRegressor", "SimpleRNNRegressor"]

#: Fewest training windows per step of the input window for the linear highway.
HIGHWAY_MIN_ROWS_PER_STEP = 5

# Largest number of rows sent to the network in one predict call.
_PREDICT_CHUNK = 1024


# Architecture -> the JSON configuration of its model, which keys the compiled functions
# (serialising a model costs over a millisecond, a noticeable part of a small refit).
_MODEL_JSON = {}
_MODEL_JSON_MAX = 64


def _model_json(model, architecture):
    key = tuple(sorted(architecture.items()))
    json = _MODEL_JSON.get(key)
    if json is None:
        if len(_MODEL_JSON) >= _MODEL_JSON_MAX:
            _MODEL_JSON.clear()
        json = _MODEL_JSON[key] = model.to_json()
    return json


class _BaseRNNRegressor(BaseEstimator):
    """Shared implementation of the recurrent regressors; subclasses set ``_cell``.

    Parameters
    ----------
{settings}
    random_state : int, RandomState instance or None, default=None
        Seed of weights, shuffling and dropout. The same seed gives identical predictions
        in one process, across processes (same backend and hardware) and when fitted in
        parallel threads: on JAX the result depends on no global random state (other
        backends seed Keras' ``fit`` with ``keras.utils.set_random_seed``).

    Attributes
    ----------
    model_ : keras.Model
        The trained network (not compiled); input ``(window, n_channels)``, output
        ``(horizon,)``.
    history_ : dict of str to list of float
        Loss per epoch (``"loss"``, ``"val_loss"`` with early stopping, ``"learning_rate"``
        with ``reduce_lr``).
    n_features_in_ : int
        ``X.shape[1]`` seen in ``fit`` (the window length).
    n_channels_ : int
        Features per time step (1 for 2-D ``X``).
    n_outputs_ : int
        Number of targets per window (the horizon).
    y_ndim_ : int
        Dimensions of ``y`` in ``fit`` (``predict`` returns the same).
    n_params_ : int
        Number of weights of the network.
    n_epochs_ : int
        Epochs actually run (before ``train_on_all`` trains again).
    highway_ : bool
        Whether the network has the linear highway: ``highway=True`` and at least
        ``HIGHWAY_MIN_ROWS_PER_STEP`` (5) training windows per step of the input window.
    best_epoch_ : int or None
        Epochs of the weights early stopping kept (0: the starting weights); None without
        early stopping.
    """

    _cell = None

    _parameter_constraints = {**constraints(), "random_state": ["random_state"]}

    __init__ = estimator_init(trailing=[("random_state", None)], first_positional="units")

    # ------------------------------------------------------------------ data
    def _as_windows(self, X):
        if X.ndim == 2:
            return X[:, :, None]
        if X.ndim == 3:
            return X
        raise InputValueError(
            f"{type(self).__name__} expects X of shape (n, window) or (n, window, n_features), "
            f"got {X.ndim} dimensions; build windows with tsforecast.make_windows."
        )

    def _architecture(self, window, n_channels, horizon):
        return architecture(settings_of(self), cell=self._cell, window=window,
                            n_features=n_channels, horizon=horizon)

    # ------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network on windows ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, window) or (n_samples, window, n_features)
            Input windows, oldest value first, rows in time order.
        y : array-like of shape (n_samples,) or (n_samples, horizon)
            Targets.

        Returns
        -------
        self : object
            The fitted regressor.

        Raises
        ------
        ValueError
            If the training loss becomes NaN or infinite.
        """
        X, y = validate_data(
            self, X, y, allow_nd=True, dtype=np.float32, multi_output=True, y_numeric=True
        )
        X = self._as_windows(X)
        y = np.asarray(y, dtype=np.float32)
        Y = y[:, None] if y.ndim == 1 else y
        architecture = self._architecture(X.shape[1], X.shape[2], Y.shape[1])
        training, validation = self._split(X, Y)
        if len(training[0]) < HIGHWAY_MIN_ROWS_PER_STEP * X.shape[1]:
            # too few windows to estimate a linear model of the whole window: on short real
            # series it overfits and the network does better alone. Covariates do not raise
            # the bar: the ridge start's penalty, chosen by cross-validation, holds their
            # extra columns in check, and the network alone learns them poorly from few rows
            architecture["highway"] = False
        summary = {}
        model, history = self._train(architecture, training, validation, summary=summary)
        if self.train_on_all and validation is not None and summary["best_epoch"] is not None:
            # the newest windows were only validated on: learn from them too, for the
            # number of epochs (and with the learning rates) that early stopping chose
            epochs = summary["best_epoch"]
            model, _ = self._train(architecture, (X, Y), None, epochs=epochs,
                                   learning_rates=history.get("learning_rate", [])[:epochs])
        self._record(model, history, y, architecture)
        self.best_epoch_ = summary["best_epoch"]
        self.highway_ = bool(architecture["highway"])
        return self

    def _split(self, X, Y):
        """Training and validation rows.

        The validation part is the time-ordered tail of ``validation_fraction`` of the
        rows (when early stopping or learning-rate reduction needs one). With ``horizon``
        targets per row, ``horizon - 1`` rows between the two parts are left out: for
        windows from ``make_windows``, row ``i`` targets ``y[i + window : i + window +
        horizon]``, so the last ``horizon - 1`` training rows before the tail would
        otherwise share target values with the first validation rows and make the
        validation loss optimistic. Without room for both parts there is no validation
        part (and no gap).

        Returns
        -------
        training : tuple of numpy.ndarray
            ``(X, Y)``.
        validation : tuple of numpy.ndarray or None
            ``(X, Y)`` of the tail.
        """
        n, horizon = X.shape[0], Y.shape[1]
        n_val = int(n * self.validation_fraction) if (self.early_stopping or self.reduce_lr) else 0
        gap = horizon - 1 if n_val else 0
        n_train = n - n_val - gap
        if n_train < 1:
            n_val, n_train = 0, n
        validation = (X[n - n_val :], Y[n - n_val :]) if n_val else None
        return (X[:n_train], Y[:n_train]), validation

    def _train(self, architecture, training, validation, *, epochs=None, learning_rates=None,
               summary=None):
        """Train a freshly initialised network; return it and its loss history.

        With the highway, the network starts as the ridge regression on the training rows
        (not the validation rows, so that early stopping compares the start with the
        trained network fairly). ``epochs`` and ``learning_rates`` train again for a fixed
        schedule, without early stopping.
        """
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        # the one seed of the weights, dropout and shuffling: no global random state is
        # involved, so fits in parallel threads are reproducible
        model = build_rnn(**architecture, compile=False, seed=seed)
        if architecture["highway"]:
            start_at_linear_model(model, *training)
        options = training_options(settings_of(self))
        for name in ("validation_fraction", "train_on_all"):  # used by fit and _split
            options.pop(name)
        if epochs is not None:
            if epochs == 0:
                return model, {}
            options.update(epochs=epochs, early_stopping=False, reduce_lr=False)
            learning_rates = learning_rates or None
        history = train_network(model, training, validation,
                                model_json=_model_json(model, architecture), seed=seed,
                                learning_rates=learning_rates, summary=summary, **options)
        return model, history

    def _record(self, model, history, y, architecture):
        """Check the loss history and store the fitted state."""
        self.history_ = history
        for name, values in self.history_.items():
            if name.endswith("loss") and not np.all(np.isfinite(values)):
                epoch = int(np.argmin(np.isfinite(values))) + 1
                raise InputValueError(
                    f"{type(self).__name__}: the training {name} became {values[epoch - 1]} at "
                    f"epoch {epoch}; scale X and y (e.g. StandardScaler), lower "
                    f"`learning_rate`={self.learning_rate!r} or keep `clipnorm` set."
                )
        self.model_ = model
        self.y_ndim_ = int(y.ndim)
        self.n_channels_ = int(architecture["n_features"])
        self.n_outputs_ = int(architecture["horizon"])
        self.n_params_ = int(model.count_params())
        self.n_epochs_ = len(self.history_.get("loss", []))
        self._build_cache(_model_json(model, architecture))

    # --------------------------------------------------------------- predict
    def predict(self, X):
        """Predict the targets of windows ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, window) or (n_samples, window, n_features)

        Returns
        -------
        y_pred : numpy.ndarray of shape (n_samples,) or (n_samples, horizon)
        """
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, allow_nd=True, dtype=np.float32)
        X = self._as_windows(X)
        if X.shape[2] != self.n_channels_:
            raise InputValueError(
                f"X has {X.shape[2]} features per time step but {type(self).__name__} was "
                f"fitted with {self.n_channels_}; pass windows shaped like the training data."
            )
        out = self._predict_windows(X).astype(np.float64)
        return out[:, 0] if self.y_ndim_ == 1 else out

    def _predict_windows(self, X):
        forward = getattr(self, "_cache_predict", None)
        if forward is None or forward[0] is not self.model_:
            forward = self._build_cache()
        n = X.shape[0]
        parts = []
        for start in range(0, n, _PREDICT_CHUNK):
            chunk = X[start : start + _PREDICT_CHUNK]
            m = chunk.shape[0]
            # Few distinct shapes means few compilations: 2 rows for one or two windows (a
            # single row would take a matrix-vector kernel whose rounding differs from the
            # batched one), else a power of two of at least 32 rows.
            rows = 2 if m <= 2 else max(32, 1 << (m - 1).bit_length())
            if rows != m:
                chunk = np.concatenate([chunk, np.zeros((rows - m,) + chunk.shape[1:], np.float32)])
            parts.append(np.asarray(forward[1](chunk))[:m])
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    # ------------------------------------------------------------ protocols
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    def _build_cache(self, model_json=None):
        self._cache_predict = (self.model_, forward_function(self.model_, model_json))
        return self._cache_predict

    def __getstate__(self):
        state = super().__getstate__()
        return {k: v for k, v in state.items() if not k.startswith("_cache")}

    def __setstate__(self, state):
        super().__setstate__(state)
        if "model_" in self.__dict__:
            self._build_cache()


_BaseRNNRegressor.__doc__ = _BaseRNNRegressor.__doc__.replace("{settings}", param_docs())

_EXAMPLE = """
    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import make_windows, {name}
    >>> y = np.sin(np.arange(200) / 5.0)
    >>> X, Y = make_windows(y, window=12, horizon=3)
    >>> reg = {name}(units=(8,), epochs=2, random_state=0).fit(X, Y)
    >>> reg.predict(X[-1:]).shape
    (1, 3)
"""


class SimpleRNNRegressor(RegressorMixin, _BaseRNNRegressor):
    _cell = "simple"


class LSTMRegressor(RegressorMixin, _BaseRNNRegressor):
    _cell = "lstm"


class GRURegressor(RegressorMixin, _BaseRNNRegressor):
    _cell = "gru"


for _cls, _title in (
    (SimpleRNNRegressor, "Windows-to-targets regressor on a Keras ``SimpleRNN`` network."),
    (LSTMRegressor, "Windows-to-targets regressor on a Keras ``LSTM`` network."),
    (GRURegressor, "Windows-to-targets regressor on a Keras ``GRU`` network (``reset_after=True``)."),
):
    _body = _BaseRNNRegressor.__doc__.split("\n", 1)[1]
    _cls.__doc__ = _title + "\n" + _body + _EXAMPLE.format(name=_cls.__name__)

"""scikit-learn regressors over windows, backed by Keras recurrent networks.

``SimpleRNNRegressor``, ``LSTMRegressor`` and ``GRURegressor`` map input windows
``X`` of shape ``(n, window)`` (one series) or ``(n, window, n_features)`` to targets ``y`` of
shape ``(n,)`` or ``(n, horizon)``. They clone, pickle and work inside ``Pipeline``,
``GridSearchCV`` and ``TimeSeriesSplit``.

Speed notes:

* Training runs in :mod:`tsforecast.training`: on JAX a compiled loop shared by every model
  of the same architecture, so refits (a backtest, a grid search, a clone) never trace or
  compile again.
* ``predict`` never calls ``Model.predict``, whose per-call overhead dominates small
  forecasts. On JAX it calls one jitted ``stateless_call`` per architecture, shared by every
  fitted model of that architecture (other backends: ``Model.predict_on_batch``), on inputs
  padded to 2 rows or a power-of-two number of rows (at least 32), so only a few shapes
  compile.
"""

import collections
import numbers
import threading

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .backend import stored_jit
from .networks import HEADS, build_rnn
from .training import train_network

__all__ = ["GRURegressor", "LSTMRegressor", "SimpleRNNRegressor"]

# Largest number of rows sent to the network in one predict call.
_PREDICT_CHUNK = 1024


# Model JSON -> compiled stateless forward function, shared by every model of that
# architecture (JAX backend only; least recently used dropped beyond the size limit).
_FORWARD_FUNCTIONS = collections.OrderedDict()
_FORWARD_LOCK = threading.Lock()
_FORWARD_MAX = 32


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


def _forward_function(model, key=None):
    """A fast ``x -> model(x)`` for small inputs.

    On JAX, one jitted ``stateless_call`` per architecture takes the weights as
    arguments, so a refitted or cloned model of the same architecture reuses the compiled
    code. Other backends use ``Model.predict_on_batch``. ``key``: the model's JSON
    configuration, when known.
    """
    import keras

    if keras.backend.backend() != "jax":
        return model.predict_on_batch
    key = key or model.to_json()
    with _FORWARD_LOCK:
        forward = _FORWARD_FUNCTIONS.get(key)
        if forward is not None:
            _FORWARD_FUNCTIONS.move_to_end(key)
    if forward is None:
        template = model

        def stateless_forward(trainable, non_trainable, x):
            return template.stateless_call(trainable, non_trainable, x, training=False)[0]

        forward = stored_jit(stateless_forward, repr(("forward", key)))
        with _FORWARD_LOCK:
            forward = _FORWARD_FUNCTIONS.setdefault(key, forward)
            while len(_FORWARD_FUNCTIONS) > _FORWARD_MAX:
                _FORWARD_FUNCTIONS.popitem(last=False)
    trainable, non_trainable = model.trainable_variables, model.non_trainable_variables

    def predict(x):
        return forward([v.value for v in trainable], [v.value for v in non_trainable], x)

    return predict


class _BaseRNNRegressor(BaseEstimator):
    """Shared implementation of the recurrent regressors; subclasses set ``_cell``.

    Parameters
    ----------
    units : int or tuple of int, default=(64,)
        Units per recurrent layer; more than one entry stacks layers.
    bidirectional : bool, default=False
        Read each window both ways (about twice the parameters and time).
    dropout : float, default=0.0
        Dropout rate of the inputs of every recurrent layer.
    recurrent_dropout : float, default=0.0
        Dropout rate of the recurrent state.
    residual : bool, default=False
        Residual connections between stacked layers.
    head : {"dense", "seq2seq"}, default="dense"
        Direct multi-output head, or encoder-decoder (see ``tsforecast.networks.build_rnn``).
    epochs : int, default=100
        Maximum number of passes over the training windows.
    batch_size : int, default=32
        Windows per gradient step.
    learning_rate : float, default=1e-3
        Initial learning rate.
    optimizer : str, default="adam"
        Keras optimizer name.
    clipnorm : float or None, default=1.0
        Gradient clipping by norm (on by default against exploding gradients); ``None``
        switches it off.
    early_stopping : bool, default=True
        Hold out the last ``validation_fraction`` of the rows (the most recent windows,
        rows must be in time order) and stop when the validation loss has not improved for
        ``patience`` epochs, restoring the best weights. With ``horizon`` targets per row,
        the ``horizon - 1`` rows before the hold-out are used for neither part (their
        targets overlap the first held-out targets; no gap for 1-D ``y``). With too few
        rows for a hold-out the training loss is monitored instead.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping and learning-rate reduction.
    patience : int, default=10
        Epochs without improvement before stopping.
    reduce_lr : bool, default=True
        Halve the learning rate when the monitored loss stalls for ``max(1, patience // 2)``
        epochs.
    random_state : int, RandomState instance or None, default=None
        Seed of weights, shuffling and dropout. The same seed gives identical predictions
        in one process, across processes (same backend and hardware) and when fitted in
        parallel threads: on JAX the result depends on no global random state (other
        backends seed Keras' ``fit`` with ``keras.utils.set_random_seed``).
    verbose : int, default=0
        0 silent, 1 Keras progress bar, 2 one line per epoch.

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
        Epochs actually run.
    """

    _cell = None

    _parameter_constraints = {
        "units": [Interval(numbers.Integral, 1, None, closed="left"), "array-like"],
        "bidirectional": ["boolean"],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "recurrent_dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "residual": ["boolean"],
        "head": [StrOptions(set(HEADS))],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "optimizer": [str],
        "clipnorm": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left")],
        "reduce_lr": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        units=(64,),
        *,
        bidirectional=False,
        dropout=0.0,
        recurrent_dropout=0.0,
        residual=False,
        head="dense",
        epochs=100,
        batch_size=32,
        learning_rate=1e-3,
        optimizer="adam",
        clipnorm=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        patience=10,
        reduce_lr=True,
        random_state=None,
        verbose=0,
    ):
        self.units = units
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.residual = residual
        self.head = head
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.clipnorm = clipnorm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.reduce_lr = reduce_lr
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ data
    def _as_windows(self, X):
        if X.ndim == 2:
            return X[:, :, None]
        if X.ndim == 3:
            return X
        raise ValueError(
            f"{type(self).__name__} expects X of shape (n, window) or (n, window, n_features), "
            f"got {X.ndim} dimensions; build windows with tsforecast.make_windows."
        )

    def _architecture(self, window, n_channels, horizon):
        units = self.units
        if isinstance(units, numbers.Integral):
            units = (units,)
        return {
            "window": window,
            "n_features": n_channels,
            "horizon": horizon,
            "cell": self._cell,
            "units": tuple(int(u) for u in units),
            "bidirectional": bool(self.bidirectional),
            "dropout": float(self.dropout),
            "recurrent_dropout": float(self.recurrent_dropout),
            "residual": bool(self.residual),
            "head": self.head,
        }

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
        model, history = self._train(architecture, training, validation)
        self._record(model, history, y, architecture)
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

    def _train(self, architecture, training, validation):
        """Train a freshly initialised network; return it and its loss history."""
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        # the one seed of the weights, dropout and shuffling: no global random state is
        # involved, so fits in parallel threads are reproducible
        model = build_rnn(**architecture, compile=False, seed=seed)
        history = train_network(
            model,
            training,
            validation,
            model_json=_model_json(model, architecture),
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            clipnorm=self.clipnorm,
            batch_size=self.batch_size,
            epochs=self.epochs,
            early_stopping=self.early_stopping,
            patience=self.patience,
            reduce_lr=self.reduce_lr,
            seed=seed,
            verbose=self.verbose,
        )
        return model, history

    def _record(self, model, history, y, architecture):
        """Check the loss history and store the fitted state."""
        self.history_ = history
        for name, values in self.history_.items():
            if name.endswith("loss") and not np.all(np.isfinite(values)):
                epoch = int(np.argmin(np.isfinite(values))) + 1
                raise ValueError(
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
            raise ValueError(
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
        self._cache_predict = (self.model_, _forward_function(self.model_, model_json))
        return self._cache_predict

    def __getstate__(self):
        state = super().__getstate__()
        return {k: v for k, v in state.items() if not k.startswith("_cache")}

    def __setstate__(self, state):
        super().__setstate__(state)
        if "model_" in self.__dict__:
            self._build_cache()


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

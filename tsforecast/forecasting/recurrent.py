"""Recurrent forecasters: a window forecaster over a recurrent network, in one object.

``LSTMForecaster``, ``GRUForecaster`` and ``SimpleRNNForecaster`` are
:class:`~tsforecast.forecasting.window.WindowForecaster` objects whose regressor is built
from their own parameters: the windowing parameters of the window forecaster, then the
network settings of :mod:`tsforecast.networks.spec` with the same names and defaults as the
recurrent regressors. The default normalisation is ``"auto"``.
"""

import numpy as np

from tsforecast.forecasting.window import WindowForecaster
from tsforecast.networks.spec import estimator_init, param_docs, settings_of

__all__ = ["GRUForecaster", "LSTMForecaster", "SimpleRNNForecaster"]

#: Default budget of training windows per network (``max_windows``): a series with more
#: windows trains each network on a sample of this many, the newest always among them.
MAX_WINDOWS = 10_000

#: The window forecaster's own parameters, in order, with the recurrent forecasters' defaults.
_WINDOW_PARAMETERS = (
    ("window", 24),
    ("horizon", 12),
    ("strategy", "multioutput"),
    ("normalize", "auto"),
    ("global_model", False),
    ("n_ensemble", 1),
    ("random_state", None),
    ("conformal", True),
    ("n_calibration", 3),
    ("season_length", None),
    ("n_jobs", None),
    ("future_covariates", None),
    ("calendar", False),
    ("max_windows", MAX_WINDOWS),
)


class _RNNForecaster(WindowForecaster):
    """A :class:`WindowForecaster` over a recurrent regressor built from its parameters."""

    _regressor_name = None

    __init__ = estimator_init(leading=_WINDOW_PARAMETERS)

    def _make_regressor(self):
        from tsforecast import regressors

        regressor = getattr(regressors, self._regressor_name)
        return regressor(**settings_of(self))

    def _shape_inputs(self, Xw, past=None, future=None):
        # the networks read sequences: the target and the covariates are channels
        from tsforecast.forecasting.covariates import model_inputs

        return model_inputs(np.asarray(Xw, dtype=float), past, future, sequences=True)


_DOC = """Forecaster over a{n} :class:`~tsforecast.regressors.{regressor}`.

    A :class:`~tsforecast.forecasting.WindowForecaster` whose regressor is a {network}
    network built from the settings below. The default ``normalize="auto"`` standardises
    the series and, on seasonal data (season length given or inferred from the index, and
    ``window`` at least one season), has the network learn corrections to a seasonal base
    forecast of each window; on data without a season each window is shifted by its last
    value, so the network learns changes rather than levels. The README's accuracy section
    reports how these defaults compare with the baselines; for the best accuracy on monthly
    data see :func:`tsforecast.defaults.default_forecaster` (log scale, seed ensemble).

    Parameters
    ----------
    window, horizon, strategy, global_model, n_ensemble, random_state, \\
conformal, n_calibration, season_length, n_jobs, future_covariates, calendar
        As in :class:`~tsforecast.forecasting.WindowForecaster`.
    max_windows : int or None, default=10000
        Budget of training windows per network, as in
        :class:`~tsforecast.forecasting.WindowForecaster`: a longer series trains each
        network on the newest 2,500 windows and 7,500 sampled from the older ones, so
        that training costs the same however long the series; None trains on all.
    normalize : {{"auto", None, "window", "mean", "last", "seasonal", "series"}}, \\
default="auto"
        As in :class:`~tsforecast.forecasting.WindowForecaster`, with ``"auto"`` as the
        default.
{settings}

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import {name}
    >>> f = {name}(window=12, horizon=3, units=(4,), epochs=1, random_state=0,
    ...            conformal=False)
    >>> f.fit(np.sin(np.arange(60.0) / 3) + 2).predict().shape
    (3,)
"""


class LSTMForecaster(_RNNForecaster):
    _regressor_name = "LSTMRegressor"


class GRUForecaster(_RNNForecaster):
    _regressor_name = "GRURegressor"


class SimpleRNNForecaster(_RNNForecaster):
    _regressor_name = "SimpleRNNRegressor"


for _cls, _network, _n in ((LSTMForecaster, "LSTM", "n"), (GRUForecaster, "GRU", ""),
                           (SimpleRNNForecaster, "simple recurrent", "")):
    _cls.__doc__ = _DOC.format(n=_n, regressor=_cls._regressor_name, network=_network,
                               name=_cls.__name__, settings=param_docs())

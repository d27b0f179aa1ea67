"""Window budgets of long series and training budgets (deadline, stop request)."""

import doctest
import threading
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import Ridge

from tsforecast.forecasting import (
    IntervalUnavailableError,
    LSTMForecaster,
    TrainingBudget,
    WindowForecaster,
    budget,
    training_budget,
)
from tsforecast.validation import InputValueError
from tsforecast.windowing import make_windows, sample_windows

#: What the recording regressors saw (clones deep-copy their parameters, so the record is
#: kept here), and the budget they stop.
RECORD = {"rows": [], "stop": None}


class RecordingRidge(Ridge):
    """Ridge that records the training rows of every fit, and can request a stop."""

    def fit(self, X, y, sample_weight=None):
        with _LOCK:
            RECORD["rows"].append(np.array(X, copy=True))
        if RECORD["stop"] is not None:
            RECORD["stop"].request_stop()  # as a Ctrl-C during this model's training would
        return super().fit(X, y, sample_weight)


_LOCK = threading.Lock()


@pytest.fixture(autouse=True)
def _fresh_record():
    RECORD["rows"], RECORD["stop"] = [], None
    yield
    RECORD["rows"], RECORD["stop"] = [], None


def hourly(n, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 10 + np.sin(2 * np.pi * t / 24) + 0.5 * ((t // 24) % 7 >= 5) + rng.normal(0, 0.1, n)
    return pd.Series(y, index=pd.date_range("2000-01-03", periods=n, freq="h"))


# ----------------------------------------------------------------- sample_windows
def test_sample_windows_keeps_the_newest_and_samples_the_rest():
    rows = sample_windows(10_000, 400, random_state=0)
    assert len(rows) == 400 and np.all(np.diff(rows) > 0)
    assert_array_equal(rows[-100:], np.arange(9_900, 10_000))  # the newest quarter
    older = rows[:-100]
    assert older.max() < 9_900 and older.min() < 2_000  # spread over the whole history
    assert_array_equal(rows, sample_windows(10_000, 400, random_state=0))
    assert not np.array_equal(rows, sample_windows(10_000, 400, random_state=1))
    assert_array_equal(sample_windows(50, 400), np.arange(50))
    assert_array_equal(sample_windows(50, None), np.arange(50))
    assert len(sample_windows(10_000, 400, recent=1.0)) == 400
    with pytest.raises(InputValueError, match="max_windows"):
        sample_windows(100, 0)
    with pytest.raises(InputValueError, match="recent"):
        sample_windows(100, 10, recent=0)


# ------------------------------------------------------- the window budget of a fit
def _fit_counts(n, max_windows, **params):
    RECORD["rows"] = []
    model = WindowForecaster(RecordingRidge(), window=24, horizon=6,
                             max_windows=max_windows, random_state=0, **params)
    model.fit(hourly(n))
    return model, [len(X) for X in RECORD["rows"]]


def test_training_cost_stays_flat_as_the_series_grows_tenfold():
    short, short_counts = _fit_counts(2_000, 300, n_ensemble=2, n_calibration=2)
    long, long_counts = _fit_counts(20_000, 300, n_ensemble=2, n_calibration=2)
    # the same number of models, each on the same number of windows
    assert short_counts == long_counts == [300] * 6
    assert (short.n_windows_, long.n_windows_) == (300, 300)
    assert long.n_windows_available_ == 20_000 - 24 - 6 + 1
    # without a budget, the windows grow with the series
    _, every = _fit_counts(20_000, None, n_ensemble=2, n_calibration=2)
    assert min(every) > 19_000


def test_budgeted_windows_are_the_newest_and_a_sample_per_member():
    y = hourly(5_000)
    model = WindowForecaster(RecordingRidge(), window=24, horizon=6, max_windows=400,
                             n_ensemble=2, conformal=False, random_state=3).fit(y)
    X_all, _ = make_windows(y.to_numpy(), 24, 6)
    first, second = RECORD["rows"]
    assert_allclose(first[-100:], X_all[-100:])  # the newest windows, in time order
    assert_allclose(second[-100:], X_all[-100:])
    assert not np.array_equal(first[:-100], second[:-100])  # each member its own sample
    rows = [np.flatnonzero((X_all == row).all(axis=1))[0] for row in first[:20]]
    assert np.all(np.diff(rows) > 0)  # rows stay in time order
    again = WindowForecaster(Ridge(), window=24, horizon=6, max_windows=400, n_ensemble=2,
                             conformal=False, random_state=3).fit(y)
    assert_allclose(again.predict(), model.predict())


def test_a_budget_above_the_window_count_changes_nothing():
    y = hourly(1_000)
    plain = WindowForecaster(Ridge(), window=24, horizon=6, random_state=0).fit(y)
    budgeted = WindowForecaster(Ridge(), window=24, horizon=6, random_state=0,
                                max_windows=10**6).fit(y)
    assert_allclose(budgeted.predict_interval(6, 0.9), plain.predict_interval(6, 0.9),
                    rtol=0)


def test_global_models_sample_from_every_series():
    frame = pd.DataFrame({"a": hourly(3_000).to_numpy(), "b": hourly(3_000, 1).to_numpy()},
                         index=hourly(3_000).index)
    model = WindowForecaster(RecordingRidge(), window=24, horizon=6, global_model=True,
                             max_windows=500, conformal=False, random_state=0).fit(frame)
    assert [len(X) for X in RECORD["rows"]] == [500] and model.n_windows_available_ == 2 * 2_971
    assert model.predict().shape == (6, 2)


def test_memory_grows_with_the_budget_not_the_series():
    def peak(n, max_windows):
        y = hourly(n).to_numpy()
        model = WindowForecaster(Ridge(), window=48, horizon=24, max_windows=max_windows,
                                 conformal=False, random_state=0)
        tracemalloc.start()
        model.fit(y)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    every_window = 200_000 * (48 + 24) * 8  # 115 MB: what copying every window would take
    budgeted = peak(200_000, 1_000)
    assert budgeted < every_window / 10
    # the rest is a few copies of the series (1.6 MB each), not windows
    assert budgeted < peak(20_000, 1_000) + 12 * 8 * 180_000


@pytest.mark.parametrize("bad", [0, -5, 2.5, "many"])
def test_max_windows_is_checked(bad):
    with pytest.raises((InputValueError, TypeError), match="max_windows"):
        WindowForecaster(Ridge(), window=4, horizon=2, max_windows=bad).fit(np.arange(40.0))


def test_recurrent_forecasters_have_a_window_budget():
    model = LSTMForecaster(window=24, horizon=6, units=(2,), epochs=1, conformal=False,
                           random_state=0, max_windows=200)
    assert LSTMForecaster().max_windows == 10_000
    model.fit(hourly(3_000))
    assert model.n_windows_ == 200 and model.n_windows_available_ == 2_971
    assert model.predict().shape == (6,)


# ---------------------------------------------------------------- training budgets
def test_an_exhausted_budget_keeps_the_first_member():
    y = hourly(600)
    with training_budget(TrainingBudget(seconds=0)) as spent:
        assert spent.exhausted() and spent.reason() == "time budget"
        with pytest.warns(UserWarning, match="no prediction intervals"):
            model = WindowForecaster(Ridge(), window=24, horizon=6, n_ensemble=3,
                                     random_state=0).fit(y)
    assert model.n_ensemble_ == 1 and model.training_stopped_ == "time budget"
    assert len(model.estimators_) == 1 and model.residuals_ is None
    alone = WindowForecaster(Ridge(), window=24, horizon=6, random_state=0,
                             conformal=False).fit(y)
    assert_allclose(model.predict(), alone.predict())  # a usable model: the first member
    with pytest.raises(IntervalUnavailableError, match="training stopped"):
        model.predict_interval(6, 0.9)


def test_a_stop_request_lets_running_models_finish_and_starts_no_other():
    stop = RECORD["stop"] = TrainingBudget()
    with training_budget(stop), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = WindowForecaster(RecordingRidge(), window=24, horizon=6,
                                 n_ensemble=4, strategy="direct", n_jobs=1,
                                 random_state=0).fit(hourly(600))
    # the first member's six step models (one model) all trained, nothing after
    assert len(RECORD["rows"]) == 6 and len(model.estimators_) == 6
    assert model.training_stopped_ == "interrupted" and model.n_ensemble_ == 1
    assert model.predict().shape == (6,)


def test_a_generous_budget_trains_everything():
    with training_budget(TrainingBudget(seconds=3600)) as generous:
        model = WindowForecaster(Ridge(), window=24, horizon=6, n_ensemble=2,
                                 random_state=0).fit(hourly(600))
    assert generous.remaining() > 3000 and generous.reason() is None
    assert model.n_ensemble_ == 2 and model.training_stopped_ is None
    assert model.residuals_ is not None
    with pytest.raises(InputValueError, match="seconds"):
        TrainingBudget(seconds=-1)


def test_budget_doctests():
    assert doctest.testmod(budget, raise_on_error=True).failed == 0

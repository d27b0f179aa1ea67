import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from tsforecast.forecasting import BaseForecaster, check_series


class LastValue(BaseForecaster):
    """Repeats the last training value; intervals +-1."""

    def __init__(self, horizon=None):
        self.horizon = horizon

    def _fit(self, y, X=None):
        self.last_ = float(y[-1])
        return self

    def _predict(self, horizon, X=None):
        return np.full(horizon, self.last_)

    def _predict_interval(self, horizon, coverage, X=None):
        point = self._predict(horizon)
        return point, point - 1, point + 1


def monthly(values, start="2020-01"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"), name="y")


def test_future_index_follows_the_training_frequency():
    forecast = LastValue().fit(monthly([1.0, 2.0, 3.0])).predict(2)
    assert list(forecast.index) == list(pd.to_datetime(["2020-04-01", "2020-05-01"]))
    assert forecast.name == "y"
    np.testing.assert_allclose(forecast.to_numpy(), [3.0, 3.0])


def test_future_index_of_integer_positions_keeps_their_step():
    y = pd.Series([1.0, 2.0, 3.0], index=[10, 12, 14])
    assert list(LastValue().fit(y).predict(3).index) == [16, 18, 20]
    assert list(LastValue().fit(np.array([1.0, 2.0])).predict(2).index) == [2, 3]


def test_wide_frame_fits_one_clone_per_column_and_drops_leading_nan():
    panel = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0], "b": [np.nan, np.nan, 7.0, 8.0]},
        index=pd.date_range("2020-01", periods=4, freq="MS"),
    )
    forecaster = LastValue().fit(panel)
    assert set(forecaster.forecasters_) == {"a", "b"}
    assert forecaster.forecasters_["b"].n_timepoints_ == 2
    forecast = forecaster.predict(2)
    np.testing.assert_allclose(forecast.to_numpy(), [[4.0, 8.0], [4.0, 8.0]])
    interval = forecaster.predict_interval(2, coverage=0.8)
    np.testing.assert_allclose(interval[("b", "upper")].to_numpy(), [9.0, 9.0])


def test_predict_interval_columns():
    interval = LastValue().fit(monthly([1.0, 5.0])).predict_interval(3)
    assert list(interval.columns) == ["forecast", "lower", "upper"]
    np.testing.assert_allclose(interval["lower"].to_numpy(), [4.0, 4.0, 4.0])


@pytest.mark.parametrize("horizon", [0, -1, 1.5, True])
def test_bad_horizon_is_a_clear_error(horizon):
    forecaster = LastValue().fit(monthly([1.0, 2.0]))
    with pytest.raises(ValueError, match="positive integer"):
        forecaster.predict(horizon)


def test_horizon_parameter_is_the_default_and_missing_horizon_says_how_to_fix():
    assert len(LastValue(horizon=4).fit(monthly([1.0, 2.0])).predict()) == 4
    with pytest.raises(ValueError, match="horizon=12"):
        LastValue().fit(monthly([1.0, 2.0])).predict()


@pytest.mark.parametrize("coverage", [0, 1, 1.2, "0.9"])
def test_bad_coverage_is_a_clear_error(coverage):
    with pytest.raises(ValueError, match="between 0 and 1"):
        LastValue().fit(monthly([1.0, 2.0])).predict_interval(2, coverage=coverage)


def test_unfitted_forecaster_says_fit_first():
    with pytest.raises(ValueError, match="call `fit"):
        LastValue().predict(2)


def test_clone_keeps_params_and_drops_state():
    fitted = LastValue(horizon=3).fit(monthly([1.0, 2.0]))
    copy = clone(fitted)
    assert copy.get_params() == {"horizon": 3}
    assert not hasattr(copy, "last_")


@pytest.mark.parametrize(
    ("y", "error", "match"),
    [
        (pd.Series(["a", "b", "c"]), TypeError, "non-numeric"),
        (pd.Series([1.0]), ValueError, "at least 2"),
        (pd.Series([np.nan, np.nan]), ValueError, "no finite values"),
        (pd.Series([1.0, np.inf, 2.0]), ValueError, "missing or infinite"),
        (pd.Series([np.nan, 1.0, 2.0]), ValueError, "starts with 1 missing"),
        (pd.Series([1.0, 2.0, 3.0], index=[0, 0, 1]), ValueError, "duplicate"),
        (pd.Series([1.0, 2.0, 3.0], index=[2, 1, 0]), ValueError, "not sorted"),
        (pd.Series([1.0, 2.0, 3.0, 4.0], index=[0, 1, 2, 4]), ValueError, "irregular"),
        (
            pd.Series([1.0, 2.0, 3.0], index=pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-09"])),
            ValueError,
            "irregular",
        ),
        (pd.Series([1.0, 2.0], index=["a", "b"]), TypeError, "DatetimeIndex or integer"),
    ],
)
def test_check_series_errors_name_the_problem(y, error, match):
    with pytest.raises(error, match=match):
        check_series(y)


def test_ragged_panel_end_is_a_clear_error():
    panel = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 2.0, np.nan, np.nan]},
        index=pd.date_range("2020-01", periods=4, freq="MS"),
    )
    with pytest.raises(ValueError, match="series 'b' ends at 2020-02-01.*trim the panel"):
        check_series(panel)


def test_check_series_infers_a_missing_frequency_and_converts_periods():
    y = pd.Series([1.0, 2.0, 3.0], index=pd.DatetimeIndex(["2020-01-01", "2020-02-01", "2020-03-01"]))
    assert check_series(y).index.freqstr == "MS"
    periods = pd.Series([1.0, 2.0, 3.0], index=pd.period_range("2020-01", periods=3, freq="M"))
    assert isinstance(check_series(periods).index, pd.DatetimeIndex)


def test_tags_merge_along_the_class_hierarchy():
    class Global(LastValue):
        _tags = {"capability:global": True}

    assert Global().get_tag("capability:global") is True
    assert Global().get_tag("capability:pred_int") is True
    assert LastValue().get_tag("capability:global") is False


def test_forecasters_without_exogenous_capability_warn_once_that_x_is_ignored():
    panel = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]},
                         index=pd.date_range("2020-01", periods=3, freq="MS"))
    X = pd.DataFrame({"price": [1.0, 2.0, 3.0]}, index=panel.index)
    with pytest.warns(UserWarning, match="LastValue does not use covariates") as caught:
        LastValue().fit(panel, X)
    assert len([w for w in caught if "covariates" in str(w.message)]) == 1


class Cumulative(LastValue):
    """Last value with an ``_update``: the new values continue the series."""

    def _update(self, y, X=None):
        self.last_ = float(y[-1])


def test_update_hook_moves_the_cutoff_or_says_how_to_refit():
    y = monthly([1.0, 2.0, 3.0])
    with pytest.raises(NotImplementedError, match="refit it on the whole history"):
        LastValue().fit(y).update(monthly([4.0], start="2020-04"))
    f = Cumulative().fit(y).update(monthly([4.0, 7.0], start="2020-04"))
    assert f.cutoff_ == pd.Timestamp("2020-05-01") and f.n_timepoints_ == 5
    assert list(f.predict(1).index) == [pd.Timestamp("2020-06-01")]
    np.testing.assert_allclose(f.predict(1), [7.0])
    with pytest.raises(ValueError, match="starting at Timestamp\\('2020-06-01"):
        f.update(monthly([1.0], start="2020-08"))


def test_forecasting_new_data_needs_the_capability():
    with pytest.raises(NotImplementedError, match="cannot forecast from new data without refitting"):
        LastValue().fit(monthly([1.0, 2.0])).predict(2, y=monthly([5.0, 6.0]))


def test_ragged_panel_is_fitted_with_each_series_to_its_own_end():
    panel = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 2.0, np.nan, np.nan]},
        index=pd.date_range("2020-01", periods=4, freq="MS"),
    )
    forecast = LastValue().fit(panel).predict(2)
    assert list(forecast.index) == list(pd.date_range("2020-03", periods=4, freq="MS"))
    np.testing.assert_allclose(forecast["b"].to_numpy(), [2.0, 2.0, np.nan, np.nan])
    np.testing.assert_allclose(forecast["a"].to_numpy(), [np.nan, np.nan, 4.0, 4.0])

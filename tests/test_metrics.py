import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from tsforecast.evaluation import metrics
from tsforecast.evaluation.metrics import (
    METRICS,
    coverage,
    interval_score,
    mae,
    mape,
    mase,
    pinball_loss,
    rmse,
    rmsse,
    smape,
)

Y_TRUE = np.array([10.0, 20.0, 30.0, 40.0])
Y_PRED = np.array([12.0, 18.0, 33.0, 40.0])
Y_TRAIN = np.array([1.0, 3.0, 2.0, 6.0, 4.0])


# ------------------------------------------------------------- hand calculations
def test_point_metrics_match_hand_calculations():
    # errors: -2, 2, -3, 0
    assert_allclose(mae(Y_TRUE, Y_PRED), 7 / 4)
    assert_allclose(rmse(Y_TRUE, Y_PRED), np.sqrt(17 / 4))
    assert_allclose(mape(Y_TRUE, Y_PRED), (2 / 10 + 2 / 20 + 3 / 30 + 0) / 4)
    assert_allclose(smape(Y_TRUE, Y_PRED), (4 / 22 + 4 / 38 + 6 / 63 + 0) / 4)


def test_scaled_metrics_match_hand_calculations():
    # naive in-sample errors of Y_TRAIN: 2, -1, 4, -2 -> MAE 9/4, MSE 25/4
    assert_allclose(mase(Y_TRUE, Y_PRED, y_train=Y_TRAIN), (7 / 4) / (9 / 4))
    assert_allclose(rmsse(Y_TRUE, Y_PRED, y_train=Y_TRAIN), np.sqrt((17 / 4) / (25 / 4)))
    # seasonal lag 2: differences 1, 3, 2 -> MAE 2, MSE 14/3
    assert_allclose(mase(Y_TRUE, Y_PRED, y_train=Y_TRAIN, season_length=2), (7 / 4) / 2)
    assert_allclose(
        rmsse(Y_TRUE, Y_PRED, y_train=Y_TRAIN, season_length=2), np.sqrt((17 / 4) / (14 / 3))
    )


def test_interval_metrics_match_hand_calculations():
    y = np.array([1.0, 5.0, -1.0, 2.0])
    lower = np.array([0.0, 0.0, 0.0, 2.0])
    upper = np.array([2.0, 4.0, 1.0, 2.0])
    assert_allclose(coverage(y, lower, upper), 2 / 4)  # the bound itself counts as inside
    # alpha = 0.2: widths 2, 4, 1, 0; penalties 0, 10 * 1, 10 * 1, 0
    assert_allclose(interval_score(y, lower, upper, coverage=0.8), (2 + 14 + 11 + 0) / 4)


def test_pinball_loss_matches_hand_calculation_and_half_mae():
    # q = 0.9: under-forecast by 2 costs 1.8, over-forecast by 2 costs 0.2
    assert_allclose(pinball_loss([10.0, 10.0], [8.0, 12.0], quantile=0.9), 1.0)
    assert_allclose(pinball_loss(Y_TRUE, Y_PRED, quantile=0.5), mae(Y_TRUE, Y_PRED) / 2)


def test_smape_is_a_fraction_bounded_by_two():
    assert smape([1.0, 2.0], [-1.0, -2.0]) == 2.0
    assert smape([0.0, 0.0], [0.0, 0.0]) == 0.0


def test_metrics_accept_pandas_and_lists_and_return_float():
    y = pd.Series(Y_TRUE, index=pd.date_range("2020", periods=4, freq="MS"))
    for value in (mae(y, list(Y_PRED)), mase(y, Y_PRED, y_train=pd.Series(Y_TRAIN))):
        assert type(value) is float


def test_two_dimensional_scaled_metrics_scale_each_column():
    y = np.column_stack([Y_TRUE, 10 * Y_TRUE])
    pred = np.column_stack([Y_PRED, 10 * Y_PRED])
    train = np.column_stack([Y_TRAIN, 10 * Y_TRAIN])
    assert_allclose(mase(y, pred, y_train=train), mase(Y_TRUE, Y_PRED, y_train=Y_TRAIN))


def test_metrics_registry_lists_every_metric():
    assert set(METRICS) == {
        "mae", "rmse", "mape", "smape", "mase", "rmsse", "coverage", "interval_score",
        "pinball_loss",
    }
    assert all(METRICS[name] is getattr(metrics, name) for name in METRICS)


# ------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mae([1.0, 2.0], [1.0]), "same shape"),
        (lambda: mae([], []), "empty"),
        (lambda: rmse([1.0, np.nan], [1.0, 2.0]), "NaN"),
        (lambda: smape([1.0, 2.0], [np.inf, 2.0]), "NaN or infinite"),
        (lambda: mae(["a", "b"], [1.0, 2.0]), "numbers"),
        (lambda: mape([0.0, 2.0], [1.0, 2.0]), "smape"),
        (lambda: mase([1.0], [1.0], y_train=[5.0, 5.0, 5.0]), "constant"),
        (lambda: rmsse([1.0], [1.0], y_train=[1.0, 2.0], season_length=2), "at least 3"),
        (lambda: mase([1.0], [1.0], y_train=[1.0, 2.0], season_length=0), "positive"),
        (lambda: mase([[1.0, 2.0]], [[1.0, 2.0]], y_train=[1.0, 2.0, 3.0]), "columns"),
        (lambda: coverage([1.0], [2.0], [0.0]), "order"),
        (lambda: interval_score([1.0], [0.0], [2.0], coverage=90), "between 0 and 1"),
        (lambda: pinball_loss([1.0], [1.0], quantile=1.0), "between 0 and 1"),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -------------------------------------------------------------------- properties
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
positive_scale = st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def forecast_pairs(draw, min_size=1):
    n = draw(st.integers(min_size, 30))
    y_true = draw(arrays(float, n, elements=finite))
    y_pred = draw(arrays(float, n, elements=finite))
    return y_true, y_pred


@st.composite
def scaled_problems(draw):
    y_true, y_pred = draw(forecast_pairs())
    # integer-valued training data: its seasonal differences stay exact after a shift
    y_train = draw(arrays(float, draw(st.integers(3, 30)), elements=st.integers(-1000, 1000)))
    if np.ptp(y_train) == 0:
        y_train[-1] += 1.0
    return y_true, y_pred, y_train


@settings(max_examples=60, deadline=None)
@given(forecast_pairs())
def test_point_errors_are_non_negative_and_rmse_dominates_mae(pair):
    y_true, y_pred = pair
    assert mae(y_true, y_pred) >= 0
    assert rmse(y_true, y_pred) >= mae(y_true, y_pred) - 1e-9 * (1 + mae(y_true, y_pred))
    assert 0 <= smape(y_true, y_pred) <= 2
    assert mae(y_true, y_true) == 0 and smape(y_true, y_true) == 0


@settings(max_examples=60, deadline=None)
@given(forecast_pairs())
def test_smape_is_symmetric(pair):
    y_true, y_pred = pair
    assert_allclose(smape(y_true, y_pred), smape(y_pred, y_true), rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(scaled_problems(), positive_scale, st.integers(-1000, 1000))
def test_scaled_errors_are_scale_and_shift_invariant(problem, scale, shift):
    y_true, y_pred, y_train = problem
    transformed = [scale * a + shift for a in problem]
    for metric in (mase, rmsse):
        value = metric(y_true, y_pred, y_train=y_train)
        assert value >= 0
        new_value = metric(transformed[0], transformed[1], y_train=transformed[2])
        assert_allclose(new_value, value, rtol=1e-6, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(forecast_pairs(), st.floats(0.01, 0.99), arrays(float, 30, elements=positive_scale))
def test_interval_scores_are_bounded_by_their_definitions(pair, level, widths):
    y_true, centre = pair
    lower, upper = centre - widths[: len(centre)], centre + widths[: len(centre)]
    assert 0 <= coverage(y_true, lower, upper) <= 1
    assert interval_score(y_true, lower, upper, coverage=level) >= np.mean(upper - lower) * (
        1 - 1e-12
    )
    assert pinball_loss(y_true, centre, quantile=level) >= 0


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.integers(1, 20), elements=st.floats(1e-3, 1e6)), positive_scale)
def test_percentage_errors_are_scale_invariant(y_true, scale):
    y_pred = y_true * 1.1
    assert_allclose(mape(scale * y_true, scale * y_pred), mape(y_true, y_pred), rtol=1e-9)
    assert_allclose(smape(scale * y_true, scale * y_pred), smape(y_true, y_pred), rtol=1e-9)

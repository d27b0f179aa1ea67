"""Tests of make_windows and LagTransformer: shapes, alignment, views, pipelines."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils.estimator_checks import parametrize_with_checks

from tsforecast.windowing import LagTransformer, make_windows


@pytest.fixture
def series():
    return np.arange(20, dtype=float)


def test_make_windows_univariate_shapes_and_values(series):
    Xw, Yw = make_windows(series, window=4, horizon=3)
    assert Xw.shape == (14, 4)
    assert Yw.shape == (14, 3)
    assert_array_equal(Xw[0], [0, 1, 2, 3])
    assert_array_equal(Yw[0], [4, 5, 6])
    assert_array_equal(Xw[-1], [13, 14, 15, 16])
    assert_array_equal(Yw[-1], [17, 18, 19])


@pytest.mark.parametrize("window, horizon, stride", [(1, 1, 1), (4, 3, 1), (5, 2, 3), (7, 0, 2)])
def test_each_target_is_exactly_the_values_following_its_window(window, horizon, stride):
    rng = np.random.default_rng(0)
    y = rng.normal(size=31)
    Xw, Yw = make_windows(y, window, horizon, stride=stride)
    m = (len(y) - window - horizon) // stride + 1
    assert Xw.shape == (m, window) and Yw.shape == (m, horizon)
    for i in range(m):
        start = i * stride
        assert_array_equal(Xw[i], y[start : start + window])
        assert_array_equal(Yw[i], y[start + window : start + window + horizon])
        # the window and its target are contiguous in the series: no gap, no overlap
        joined = np.concatenate([Xw[i], Yw[i]])
        assert_array_equal(joined, y[start : start + window + horizon])


def test_last_window_reaches_the_end_of_the_series(series):
    _, Yw = make_windows(series, window=4, horizon=3)
    assert Yw[-1, -1] == series[-1]
    Xf, Yf = make_windows(series, window=4, horizon=0)
    assert_array_equal(Xf[-1], series[-4:])
    assert Yf.shape == (17, 0)


def test_make_windows_are_views_not_copies(series):
    Xw, Yw = make_windows(series, window=5, horizon=2)
    assert np.shares_memory(Xw, series)
    assert np.shares_memory(Yw, series)
    big = np.zeros(1_000_000)
    Xb, _ = make_windows(big, window=100, horizon=10)
    assert Xb.base is not None and Xb.nbytes > 50 * big.nbytes


def test_make_windows_accepts_pandas_without_copy(series):
    s = pd.Series(series, index=pd.date_range("2000-01", periods=20, freq="MS"))
    Xw, Yw = make_windows(s, window=3, horizon=1)
    assert_array_equal(Xw[2], [2, 3, 4])
    assert_array_equal(Yw[2], [5])
    assert np.shares_memory(Xw, s.to_numpy())


def test_make_windows_multivariate(series):
    y = np.column_stack([series, -series])
    Xw, Yw = make_windows(y, window=4, horizon=2, stride=2)
    assert Xw.shape == (8, 4, 2)
    assert Yw.shape == (8, 2, 2)
    assert_array_equal(Xw[1, :, 0], [2, 3, 4, 5])
    assert_array_equal(Xw[1, :, 1], [-2, -3, -4, -5])
    assert_array_equal(Yw[1], [[6, -6], [7, -7]])
    assert np.shares_memory(Xw, y)
    frame = pd.DataFrame(y, columns=["a", "b"])
    Xf, Yf = make_windows(frame, window=4, horizon=2, stride=2)
    assert_array_equal(Xf, Xw)
    assert_array_equal(Yf, Yw)


def test_make_windows_exogenous_aligned_with_input_positions(series):
    exog = np.column_stack([series * 10, series * 100])
    Xw, Yw = make_windows(series, window=3, horizon=2, X=exog)
    assert Xw.shape == (16, 3, 3)
    assert Yw.shape == (16, 2)
    assert_array_equal(Xw[5, :, 0], [5, 6, 7])
    assert_array_equal(Xw[5, :, 1], [50, 60, 70])
    assert_array_equal(Xw[5, :, 2], [500, 600, 700])
    assert_array_equal(Yw[5], [8, 9])
    one = pd.Series(series + 0.5)
    Xo, _ = make_windows(series, window=3, horizon=2, X=one)
    assert_allclose(Xo[0, :, 1], [0.5, 1.5, 2.5])


def test_make_windows_multivariate_with_exogenous(series):
    y = np.column_stack([series, -series])
    Xw, Yw = make_windows(y, window=2, horizon=1, X=series[:, None] + 0.25)
    assert Xw.shape == (18, 2, 3)
    assert Yw.shape == (18, 1, 2)
    assert_allclose(Xw[3], [[3, -3, 3.25], [4, -4, 4.25]])
    assert_array_equal(Yw[3], [[5, -5]])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"window": 15, "horizon": 6}, ValueError, "must not exceed the series length 20"),
        ({"window": 0, "horizon": 1}, ValueError, "`window`=0"),
        ({"window": 2.5, "horizon": 1}, ValueError, "`window`=2.5"),
        ({"window": 2, "horizon": -1}, ValueError, "`horizon`=-1"),
        ({"window": 2, "horizon": 1, "stride": 0}, ValueError, "`stride`=0"),
        ({"window": 2, "horizon": 1, "X": np.zeros((5, 1))}, ValueError, "`X` has 5 rows"),
    ],
)
def test_make_windows_errors(series, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_windows(series, **kwargs)


def test_make_windows_rejects_non_numeric():
    with pytest.raises(TypeError, match="non-numeric"):
        make_windows(pd.Series(list("abcdef")), window=2, horizon=1)
    with pytest.raises(ValueError, match="1-D"):
        make_windows(np.zeros((4, 3, 2)), window=2, horizon=1)


def test_lag_transformer_values_and_rows():
    X = np.arange(6.0).reshape(-1, 1)
    out = LagTransformer(lags=3).fit_transform(X)
    assert out.shape == (6, 3)
    expected = np.array(
        [[np.nan, np.nan, np.nan], [np.nan, np.nan, 0], [np.nan, 0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4]]
    )
    assert_allclose(out, expected)


def test_lag_transformer_rows_match_make_windows():
    y = np.random.default_rng(1).normal(size=30)
    lagged = LagTransformer(lags=5).fit_transform(y[:, None])
    Xw, Yw = make_windows(y, window=5, horizon=1)
    assert_allclose(lagged[5:], Xw)
    assert_allclose(y[5:], Yw[:, 0])


def test_lag_transformer_explicit_lags_and_names():
    frame = pd.DataFrame({"sales": np.arange(5.0), "price": np.arange(5.0) * 2})
    lt = LagTransformer(lags=[0, 2], fill_value=-1.0).fit(frame)
    assert_array_equal(lt.lags_, [2, 0])
    names = lt.get_feature_names_out()
    assert list(names) == ["sales_lag2", "sales_lag0", "price_lag2", "price_lag0"]
    out = lt.transform(frame)
    assert_allclose(out[:, 0], [-1, -1, 0, 1, 2])
    assert_allclose(out[:, 1], frame["sales"])
    assert_allclose(out[:, 2], [-1, -1, 0, 2, 4])


def test_lag_transformer_set_output_pandas():
    frame = pd.DataFrame({"y": np.arange(4.0)}, index=pd.date_range("2001", periods=4, freq="D"))
    out = LagTransformer(lags=2).set_output(transform="pandas").fit_transform(frame)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["y_lag2", "y_lag1"]
    assert out.index.equals(frame.index)
    assert np.isnan(out.iloc[0]).all()
    assert out.iloc[3].tolist() == [1.0, 2.0]


def test_lag_transformer_in_pipeline_keeps_rows():
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.pipeline import make_pipeline

    y = np.sin(np.arange(80) / 4.0)
    X = y[:, None]
    target = np.roll(y, -1)[:-1]
    pipe = make_pipeline(LagTransformer(lags=4), HistGradientBoostingRegressor(max_iter=20))
    pipe.fit(X[:-1], target)
    assert pipe.predict(X[:-1]).shape == (79,)
    assert pipe[0].get_feature_names_out().tolist() == ["x0_lag4", "x0_lag3", "x0_lag2", "x0_lag1"]


@pytest.mark.parametrize("lags", [0, [], [1, 1], [-1], [1.5]])
def test_lag_transformer_invalid_lags(lags):
    with pytest.raises(ValueError, match="lags"):
        LagTransformer(lags=lags).fit(np.zeros((5, 1)))


_LAG_EXPECTED_FAILURES = {
    "check_methods_subset_invariance": "lags of a row depend on the rows before it (time order)",
    "check_methods_sample_order_invariance": "lags depend on the row order (time order)",
}


@parametrize_with_checks(
    [LagTransformer(lags=2)], expected_failed_checks=lambda est: _LAG_EXPECTED_FAILURES
)
def test_lag_transformer_sklearn_compatible(estimator, check):
    check(estimator)

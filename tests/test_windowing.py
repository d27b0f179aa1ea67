"""Tests of make_windows and LagTransformer: shapes, alignment, views, pipelines."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils.estimator_checks import parametrize_with_checks

from tsforecast.windowing import (
    LagTransformer,
    covariate_windows,
    make_windows,
    time_ordered_windows,
)


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


# ------------------------------------------------------------------ property-based tests
# Fixed example counts, derandomized and without an example database: CI runs the same
# cases every time.
PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, database=None)

DTYPES = [np.int8, np.int32, np.int64, np.uint16, np.float16, np.float32, np.float64]


@st.composite
def series_arrays(draw, *, multivariate=None):
    """Arrays of shape (n,) or (n, k) of an integer or float dtype; floats include NaN/inf."""
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    n = draw(st.integers(0, 40))
    if multivariate is None:
        multivariate = draw(st.booleans())
    shape = (n, draw(st.integers(1, 3))) if multivariate else (n,)
    if dtype.kind == "f":
        elements = st.floats(width=dtype.itemsize * 8, allow_nan=True, allow_infinity=True)
    else:
        info = np.iinfo(dtype)
        elements = st.integers(int(info.min), int(info.max))
    array = draw(hnp.arrays(dtype, shape, elements=elements))
    if draw(st.booleans()):
        # a non-contiguous view (every other row of a longer array) must work as well
        doubled = np.repeat(array, 2, axis=0)
        array = doubled[::2]
    return array


window_args = st.integers(1, 45)
horizon_args = st.integers(0, 45)
stride_args = st.integers(1, 50)


def _expected_rows(n, window, horizon, stride):
    return (n - window - horizon) // stride + 1


@PROPERTY
@given(y=series_arrays(), window=window_args, horizon=horizon_args, stride=stride_args)
def test_property_windows_are_aligned_views(y, window, horizon, stride):
    n = y.shape[0]
    if window + horizon > n:
        with pytest.raises(ValueError, match="must not exceed the series length"):
            make_windows(y, window, horizon, stride=stride)
        return
    Xw, Yw = make_windows(y, window, horizon, stride=stride)
    m = _expected_rows(n, window, horizon, stride)
    tail = y.shape[1:]
    assert Xw.shape == (m, window, *tail)
    assert Yw.shape == (m, horizon, *tail)
    assert Xw.dtype == Yw.dtype == y.dtype
    assert np.shares_memory(Xw, y)
    if horizon:
        assert np.shares_memory(Yw, y)
    for i in range(m):
        start = i * stride
        # NaN and inf are carried through unchanged (assert_array_equal treats NaN == NaN)
        assert_array_equal(Xw[i], y[start : start + window])
        assert_array_equal(Yw[i], y[start + window : start + window + horizon])
    # the last row is the last complete window: one more stride would not fit
    assert (m - 1) * stride + window + horizon <= n < m * stride + window + horizon


@PROPERTY
@given(
    y=series_arrays(),
    exog_dtype=st.sampled_from(DTYPES),
    p=st.integers(1, 3),
    window=st.integers(1, 20),
    horizon=st.integers(0, 20),
    stride=st.integers(1, 10),
    data=st.data(),
)
def test_property_exogenous_features_follow_the_input_positions(
    y, exog_dtype, p, window, horizon, stride, data
):
    n = y.shape[0]
    X = data.draw(hnp.arrays(exog_dtype, (n, p)), label="X")
    if window + horizon > n:
        with pytest.raises(ValueError, match="must not exceed the series length"):
            make_windows(y, window, horizon, X=X, stride=stride)
        return
    Xw, Yw = make_windows(y, window, horizon, X=X, stride=stride)
    series = y[:, None] if y.ndim == 1 else y
    k = series.shape[1]
    m = _expected_rows(n, window, horizon, stride)
    assert Xw.shape == (m, window, k + p)
    assert Yw.shape == ((m, horizon) if y.ndim == 1 else (m, horizon, k))
    # the inputs and targets are read-only views on one stacked copy of the series and X
    assert not (Xw.flags.owndata or Yw.flags.owndata or Xw.flags.writeable)
    assert np.issubdtype(Xw.dtype, np.floating)
    for i in range(0, m, max(1, m // 5)):
        start = i * stride
        assert_array_equal(Xw[i, :, :k], series[start : start + window].astype(Xw.dtype))
        assert_array_equal(Xw[i, :, k:], X[start : start + window].astype(Xw.dtype))
        target = series[start + window : start + window + horizon].astype(Yw.dtype)
        assert_array_equal(Yw[i], target[:, 0] if y.ndim == 1 else target)


def test_covariate_windows_follow_the_rows_of_make_windows(series):
    X = np.column_stack([series * 10, series * 100])
    Xw, Yw = make_windows(series, window=3, horizon=2, stride=2)
    past = covariate_windows(X, window=3, horizon=2, stride=2)
    future = covariate_windows(X, window=3, horizon=2, stride=2, known_ahead=True)
    assert past.shape == (len(Xw), 3, 2) and future.shape == (len(Xw), 5, 2)
    for i in range(len(Xw)):
        # the input positions of row i, and for known-ahead covariates also its targets
        assert_array_equal(past[i, :, 0], Xw[i] * 10)
        assert_array_equal(future[i, :, 1], np.r_[Xw[i], Yw[i]] * 100)
    assert np.shares_memory(past, X) and np.shares_memory(future, X)
    assert not past.flags.writeable
    frame = pd.DataFrame({"price": series})
    assert_array_equal(covariate_windows(frame, 4, 0)[-1, :, 0], series[-4:])
    assert_array_equal(covariate_windows(series, 4, 1)[0, :, 0], series[:4])
    with pytest.raises(ValueError, match="must not exceed the number of rows of `X`, 20"):
        covariate_windows(X, 15, 6)


@PROPERTY
@given(X=series_arrays(multivariate=True), window=window_args, horizon=horizon_args,
       stride=stride_args, known_ahead=st.booleans())
def test_property_covariate_windows_are_aligned_views(X, window, horizon, stride, known_ahead):
    n = X.shape[0]
    if window + horizon > n:
        with pytest.raises(ValueError, match="must not exceed the number of rows"):
            covariate_windows(X, window, horizon, stride=stride, known_ahead=known_ahead)
        return
    C = covariate_windows(X, window, horizon, stride=stride, known_ahead=known_ahead)
    length = window + horizon if known_ahead else window
    m = _expected_rows(n, window, horizon, stride)
    assert C.shape == (m, length, X.shape[1]) and np.shares_memory(C, X)
    for i in range(m):
        assert_array_equal(C[i], X[i * stride : i * stride + length])


bad_sizes = st.one_of(
    st.integers(max_value=0),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.none(),
    st.booleans(),
    st.just(np.float64(3.0)),
    st.just([3]),
)


@PROPERTY
@given(
    which=st.sampled_from(["window", "horizon", "stride"]),
    value=bad_sizes,
)
def test_property_invalid_sizes_raise_a_clear_error(which, value):
    if which == "horizon" and isinstance(value, int) and not isinstance(value, bool) and value == 0:
        value = -1  # horizon=0 is valid
    args = {"window": 2, "horizon": 1, "stride": 1, which: value}
    with pytest.raises((ValueError, TypeError)) as caught:
        make_windows(np.arange(10.0), args["window"], args["horizon"], stride=args["stride"])
    assert f"`{which}`=" in str(caught.value)


bad_series = st.one_of(
    hnp.arrays(np.bool_, st.integers(3, 10)),
    hnp.arrays(np.complex128, st.integers(3, 10)),
    hnp.arrays("datetime64[ns]", st.integers(3, 10)),
    hnp.arrays("timedelta64[s]", st.integers(3, 10)),
    st.lists(st.text(max_size=2), min_size=3, max_size=10),
    st.lists(st.one_of(st.none(), st.floats(), st.text(max_size=1)), min_size=3, max_size=10)
    .filter(lambda values: any(isinstance(v, str) for v in values)),
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=3, max_dims=4, min_side=1, max_side=3)),
    st.just(np.zeros((10, 0))),
    st.lists(st.lists(st.floats(0, 1), min_size=1, max_size=3), min_size=3, max_size=6)
    .filter(lambda rows: len({len(r) for r in rows}) > 1),
)


@PROPERTY
@given(y=bad_series, as_exog=st.booleans())
def test_property_invalid_series_raise_a_clear_error(y, as_exog):
    name = "X" if as_exog else "y"
    args = (np.arange(10.0), y) if as_exog else (y, None)
    with pytest.raises((ValueError, TypeError)) as caught:
        make_windows(args[0], 2, 1, X=args[1])
    message = str(caught.value)
    assert f"`{name}`" in message and ("pass" in message or "convert" in message), message


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


@pytest.mark.parametrize("counts", [[3, 1], [5, 5, 2], [1, 7, 3, 7, 2]])
def test_time_ordered_windows_match_sorting_every_window_by_age(counts):
    # the order a sort of all windows by age (oldest first, series order within an age)
    # gives, computed for the asked rows only
    ages = np.concatenate([np.arange(c, 0, -1) for c in counts])
    order = np.argsort(-ages, kind="stable")
    owner = np.repeat(np.arange(len(counts)), counts)[order]
    local = np.concatenate([np.arange(c) for c in counts])[order]
    rows = np.arange(sum(counts))
    got_owner, got_local = time_ordered_windows(counts, rows)
    assert_array_equal(got_owner, owner)
    assert_array_equal(got_local, local)
    some = rows[::3][::-1]
    assert_array_equal(time_ordered_windows(counts, some)[0], owner[some])

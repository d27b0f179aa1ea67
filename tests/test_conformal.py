import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge

from tsforecast.forecasting import (
    WindowForecaster,
    calibration_cutoffs,
    conformal_interval,
    conformal_quantiles,
)


def test_quantile_uses_the_finite_sample_rank():
    residuals = np.column_stack([np.arange(1.0, 10.0), -np.arange(1.0, 10.0)])
    # n = 9: the ceil(10 * 0.8) = 8th smallest absolute residual
    assert_allclose(conformal_quantiles(residuals, 0.8), [8.0, 8.0])
    assert_allclose(conformal_quantiles(residuals, 0.5), [5.0, 5.0])


def test_quantile_ignores_missing_residuals_and_warns_when_too_few():
    residuals = np.array([[1.0, 1.0], [2.0, np.nan], [3.0, np.nan], [4.0, np.nan]])
    with pytest.warns(UserWarning, match=r"step\(s\) \[2\].*n_calibration"):
        q = conformal_quantiles(residuals, 0.6)
    assert q[0] == 3.0 and np.isinf(q[1])


def test_interval_is_symmetric_around_the_forecast():
    residuals = np.tile(np.arange(1.0, 20.0)[:, None], (1, 3))
    lower, upper = conformal_interval(np.array([10.0, 20.0]), residuals, 0.9)
    assert_allclose(lower, [-8.0, 2.0])
    assert_allclose(upper, [28.0, 38.0])
    with pytest.raises(ValueError, match="cover 3 steps but 4"):
        conformal_interval(np.zeros(4), residuals, 0.9)


def test_calibration_cutoffs():
    assert calibration_cutoffs(200, horizon=24, min_train=48, n_folds=3) == [176, 152, 128]
    # a short series squeezes the folds together rather than dropping them
    assert calibration_cutoffs(120, horizon=24, min_train=61, n_folds=3) == [96, 79, 62]
    assert calibration_cutoffs(100, horizon=10, min_train=70, n_folds=3, step=5) == [90, 85, 80]
    assert calibration_cutoffs(50, horizon=10, min_train=45, n_folds=3) == []
    with pytest.raises(ValueError, match="`n_calibration`=0"):
        calibration_cutoffs(50, horizon=10, min_train=10, n_folds=0)


def test_residuals_are_out_of_sample_per_step():
    y = np.arange(80.0) + np.tile([0.0, 3.0, -1.0, 2.0], 20)
    f = WindowForecaster(Ridge(alpha=1e-8), window=8, horizon=3, n_calibration=2).fit(y)
    assert f.residuals_.shape[0] == 1 and f.residuals_.shape[2] == 3
    # a linear series is forecast exactly, so the calibration residuals vanish
    assert np.nanmax(np.abs(f.residuals_)) < 1e-5
    # the last step has fewer residuals than the first: origins near the end lack actuals
    counts = np.isfinite(f.residuals_[0]).sum(axis=0)
    assert counts[0] == counts[2] + 4 and counts[2] >= 20


def test_coverage_on_a_simulated_backtest_is_close_to_nominal():
    rng = np.random.default_rng(42)
    n, season = 400, 12
    noise = np.zeros(n)
    shocks = rng.normal(0, 1, n)
    for t in range(1, n):
        noise[t] = 0.5 * noise[t - 1] + shocks[t]
    y = 50 + 5 * np.sin(2 * np.pi * np.arange(n) / season) + noise
    inside = []
    for cutoff in range(200, n - 6, 12):
        f = WindowForecaster(Ridge(), window=24, horizon=6, n_calibration=3).fit(y[:cutoff])
        interval = f.predict_interval(coverage=0.9)
        actual = y[cutoff : cutoff + 6]
        inside.append((actual >= interval["lower"]) & (actual <= interval["upper"]))
    coverage = np.mean(np.concatenate(inside))
    assert 0.84 <= coverage <= 0.97, coverage

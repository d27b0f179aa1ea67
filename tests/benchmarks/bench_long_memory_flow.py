#!/usr/bin/env python
"""Gradient flow and input sensitivity of LSTMRegressor on a seasonal AR process of lag 12.

The process ``y_t = 0.9 y_{t-12} + e_t`` (window 36) depends on lag 12 only. For the plain
cell (``highway=False``, the default before the highway) and the default network, it reports
the one-step test MSE (optimum 1.0), the sensitivity of the forecast to lags 1, 12, 24 and
36 (``|d yhat / d x_lag|`` averaged over the training windows, as a share of the total,
:func:`tsforecast.diagnostics.explain`), the first-to-last-step gradient ratio of the LSTM
layer, and draws the sensitivity profiles side by side.

    python tests/benchmarks/bench_long_memory_flow.py --plot .github/images/long_memory_flow.png
"""

import argparse
import os
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")


def seasonal_ar(n, lag=12, phi=0.9, seed=0):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n + 300)
    y = np.zeros_like(e)
    for t in range(lag, len(e)):
        y[t] = phi * y[t - lag] + e[t]
    return y[300:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plot", help="write the sensitivity profiles to this image")
    args = parser.parse_args(argv)

    import tsforecast as tsf
    from tsforecast.diagnostics import explain

    y = seasonal_ar(2000)
    X, Y = tsf.make_windows(y, window=36, horizon=1)
    cut = int(0.8 * len(X))
    rows, profiles = [], {}
    for label, options in (("plain LSTM (highway=False)", {"highway": False}),
                           ("default LSTM (highway)", {})):
        model = tsf.LSTMRegressor(random_state=0, **options).fit(X[:cut], Y[:cut])
        mse = float(np.mean((model.predict(X[cut:]).ravel() - Y[cut:].ravel()) ** 2))
        result = explain(model, X[:cut], Y[:cut])
        by_lag = np.asarray(result.memory["sensitivity_by_lag"])[0]
        share = by_lag / by_lag.sum()
        flow = result.flow["lstm_1"]
        profiles[label] = share
        rows.append((label, mse, *(share[k - 1] for k in (1, 12, 24, 36)), flow["ratio"],
                     flow["vanish_lag"]))
    print("| network | test MSE | lag 1 | lag 12 | lag 24 | lag 36 | LSTM gradient ratio "
          "(first/last step) | vanishes beyond |")
    print("|---|---|---|---|---|---|---|---|")
    for label, mse, s1, s12, s24, s36, ratio, vanish in rows:
        print(f"| {label} | {mse:.3f} | {s1:.1%} | {s12:.1%} | {s24:.1%} | {s36:.1%} | "
              f"{ratio:.2e} | {'-' if vanish is None else f'lag {vanish}'} |")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(1, 2, figsize=(10, 3.2), sharey=True)
        for axis, (label, share) in zip(axes, profiles.items()):
            axis.bar(np.arange(1, len(share) + 1), share)
            axis.set_title(label)
            axis.set_xlabel("input lag")
        axes[0].set_ylabel("share of |d forecast / d input|")
        figure.suptitle("Seasonal AR of lag 12, window 36: what the forecast reads")
        figure.tight_layout()
        figure.savefig(args.plot, dpi=90)
    return 0


if __name__ == "__main__":
    sys.exit(main())

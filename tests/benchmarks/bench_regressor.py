"""LSTMRegressor against the same model in raw Keras: fit time ratio and predict latency.

    python tests/benchmarks/bench_regressor.py [--repeats 3]

The task is the shared peer benchmark's: 5,000 points of two sines plus noise (seed 0),
z-scored with the mean and standard deviation of the first 4,880 points (the training part),
24 lags -> the next 12 values, LSTM(64) + Dense(12), Adam 1e-3, MSE, batch 32, 10 epochs,
shuffled, no validation, float32 on CPU. Fit time runs from the scaled training array to a
trained model (windowing, building, compiling and training included).

Raw Keras and tsforecast runs alternate in one process, so the ratio is measured under the
same machine load. tsforecast is timed twice: "cold", with its compiled training loops
dropped before each fit (it traces and compiles, like raw Keras does for every new model),
and "refit", reusing the compiled loop of the previous fit (what a backtest, a grid search
or a refit gets). Predict latency is one 24-value window -> 12 values after warm-up.
The small-series row is AirPassengers (144 points, first 132 for training): fit plus first
forecast, measured first (after a warm-up of the backend on an unrelated tiny model), so
that neither side has compiled anything of that shape; "refit" is a second tsforecast fit
with another seed, which reuses the compiled loop and the shared predict function.
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np

LAGS, HORIZON, UNITS, BATCH, EPOCHS, LR = 24, 12, 64, 32, 10, 1e-3

AIRPASSENGERS = [
    112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126, 141, 135,
    125, 149, 170, 170, 158, 133, 114, 140, 145, 150, 178, 163, 172, 178, 199, 199,
    184, 162, 146, 166, 171, 180, 193, 181, 183, 218, 230, 242, 209, 191, 172, 194,
    196, 196, 236, 235, 229, 243, 264, 272, 237, 211, 180, 201, 204, 188, 235, 227,
    234, 264, 302, 293, 259, 229, 203, 229, 242, 233, 267, 269, 270, 315, 364, 347,
    312, 274, 237, 278, 284, 277, 317, 313, 318, 374, 413, 405, 355, 306, 271, 306,
    315, 301, 356, 348, 355, 422, 465, 467, 404, 347, 305, 336, 340, 318, 362, 348,
    363, 435, 491, 505, 404, 359, 310, 337, 360, 342, 406, 396, 420, 472, 548, 559,
    463, 407, 362, 405, 417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432,
]


def sines(n=5000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64)
    return np.sin(2 * np.pi * t / 50.0) + 0.5 * np.sin(2 * np.pi * t / 12.0) + rng.normal(0.0, 0.1, n)


def scaled_train(y, n_train):
    train = y[:n_train]
    return ((train - train.mean()) / train.std()).astype(np.float32)


def raw_keras_fit(train, seed):
    import keras

    keras.utils.set_random_seed(seed)
    t0 = time.perf_counter()
    w = np.lib.stride_tricks.sliding_window_view(train, LAGS + HORIZON)
    X = np.ascontiguousarray(w[:, :LAGS, None], dtype=np.float32)
    Y = np.ascontiguousarray(w[:, LAGS:], dtype=np.float32)
    model = keras.Sequential(
        [keras.Input(shape=(LAGS, 1)), keras.layers.LSTM(UNITS), keras.layers.Dense(HORIZON)]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LR), loss="mse")
    model.fit(X, Y, batch_size=BATCH, epochs=EPOCHS, shuffle=True, verbose=0)
    keras.ops.convert_to_numpy(model.layers[-1].kernel.value)
    return time.perf_counter() - t0, model


def tsforecast_fit(train, seed, *, cold):
    from tsforecast import regressors, training
    from tsforecast.windowing import make_windows

    if cold:
        training._LOOPS.clear()
    t0 = time.perf_counter()
    X, Y = make_windows(train, LAGS, HORIZON)
    reg = regressors.LSTMRegressor(
        units=(UNITS,), epochs=EPOCHS, batch_size=BATCH, learning_rate=LR, clipnorm=None,
        early_stopping=False, reduce_lr=False, random_state=seed,
    ).fit(X, Y)
    return time.perf_counter() - t0, reg


def latency_ms(fn, n=200):
    for _ in range(3):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    # Imports are not part of any measurement.
    import keras

    # Warm up the backend (first-use costs shared by every model) on an unrelated tiny model.
    warm = keras.Sequential([keras.Input(shape=(3, 1)), keras.layers.SimpleRNN(2), keras.layers.Dense(1)])
    warm.compile(optimizer="adam", loss="mse")
    warm.fit(np.zeros((4, 3, 1), "float32"), np.zeros((4, 1), "float32"), epochs=1, verbose=0)
    warm.predict(np.zeros((1, 3, 1), "float32"), verbose=0)

    # AirPassengers first, so that neither side has compiled anything of this shape yet.
    air = scaled_train(np.asarray(AIRPASSENGERS, dtype=float), 132)
    t0 = time.perf_counter()
    _, raw_air = raw_keras_fit(air, 0)
    raw_air.predict(air[-LAGS:].reshape(1, LAGS, 1), verbose=0)
    raw_air_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, reg_air = tsforecast_fit(air, 0, cold=True)
    reg_air.predict(air[None, -LAGS:])
    ours_air_cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, reg_air = tsforecast_fit(air, 1, cold=False)
    reg_air.predict(air[None, -LAGS:])
    ours_air_refit_s = time.perf_counter() - t0

    train = scaled_train(sines(), 4880)
    raw, cold, refit = [], [], []
    for r in range(args.repeats):
        seconds, model = raw_keras_fit(train, r)
        raw.append(seconds)
        seconds, reg = tsforecast_fit(train, r, cold=True)
        cold.append(seconds)
        seconds, reg = tsforecast_fit(train, r, cold=False)
        refit.append(seconds)
        print(f"run {r}: raw {raw[-1]:.2f} s  cold {cold[-1]:.2f} s  refit {refit[-1]:.2f} s",
              file=sys.stderr, flush=True)

    x1 = train[-LAGS:].reshape(1, LAGS)
    x1_3d = x1[:, :, None]
    ours_ms = latency_ms(lambda: reg.predict(x1))
    raw_predict_ms = latency_ms(lambda: model.predict(x1_3d, verbose=0), n=50)
    raw_batch_ms = latency_ms(lambda: model.predict_on_batch(x1_3d))

    med = statistics.median
    print(f"\nLSTM(64), 24 -> 12, batch {BATCH}, {EPOCHS} epochs, median of {args.repeats} fits "
          f"(backend {keras.backend.backend()}, {os.cpu_count()} CPUs)\n")
    print("| measurement | raw Keras | tsforecast | ratio (tsforecast / Keras) |")
    print("|---|---|---|---|")
    print(f"| sines5000 fit, compile included (s) | {med(raw):.2f} | {med(cold):.2f} | "
          f"{med(cold) / med(raw):.2f} |")
    print(f"| sines5000 refit, same architecture (s) | {med(raw):.2f} | {med(refit):.2f} | "
          f"{med(refit) / med(raw):.2f} |")
    print(f"| single-window predict (ms) | {raw_predict_ms:.2f} (predict) / {raw_batch_ms:.2f} "
          f"(predict_on_batch) | {ours_ms:.3f} | {ours_ms / raw_predict_ms:.2f} |")
    print(f"| AirPassengers fit + first predict (s) | {raw_air_s:.2f} | {ours_air_cold_s:.2f} cold / "
          f"{ours_air_refit_s:.2f} refit | {ours_air_cold_s / raw_air_s:.2f} |")


if __name__ == "__main__":
    main()

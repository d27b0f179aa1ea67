# Extra jobs for the peer benchmark kit's run_all.sh (sourced by it: pass this file as
# EXTRA_JOBS_FILE). Adds tsforecast, run with the project's interpreter, to the same run.
#
#   EXTRA_JOBS_FILE=tests/benchmarks/extra_jobs.sh /work/shared/bench/run_all.sh 'tsforecast-*'
#
# Env: TSF_PY (default: python3 on PATH, with tsforecast installed).
TSF_BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TSF_PY="${TSF_PY:-$(command -v python3)}"
for ds in sines5000 airpassengers; do
  job "tsforecast-$ds"           env KERAS_BACKEND=jax "$TSF_PY" "$TSF_BENCH_DIR/bench_tsforecast.py" --dataset "$ds"
  job "tsforecast-regressor-$ds" env KERAS_BACKEND=jax "$TSF_PY" "$TSF_BENCH_DIR/bench_tsforecast.py" --api regressor --dataset "$ds"
done
# The same with the persistent XLA compilation cache (warmed by an untimed child process).
TSF_XLA_CACHE="${TSF_XLA_CACHE:-${BENCH_HOME:-/tmp/tsf-bench}/xla-cache-$(date +%Y%m%d-%H%M%S)}"
job "tsforecast-xlacache-airpassengers" env KERAS_BACKEND=jax "$TSF_PY" "$TSF_BENCH_DIR/bench_tsforecast.py" --compilation-cache "$TSF_XLA_CACHE" --dataset airpassengers

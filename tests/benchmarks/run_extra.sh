#!/usr/bin/env bash
# The benchmarks beyond the peer task, results under tests/benchmarks/results/:
#   backtest-{tsforecast,darts}-<dataset>.json  10-fold backtest with refits vs darts
#     (tsforecast also with the compilation cache warm and with folds in 2 threads)
#   autoarima-{tsforecast,pmdarima,statsforecast}.json   automatic ARIMA on AirPassengers
#   windowing.json                              make_windows on 10 million points
#   cli.json                                    tsforecast --help start-up, fit peak RSS
# then report.md. Select parts with arguments: backtest autoarima windowing cli
# (default: all); BACKTEST_DATASETS (default "airpassengers"; add sines5000, ~3 min more).
#
#   tests/benchmarks/run_extra.sh
#   BACKTEST_DATASETS="airpassengers sines5000" tests/benchmarks/run_extra.sh backtest
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export TSF_PEER_BENCH="${TSF_PEER_BENCH:-/work/shared/bench}"
BENCH_HOME="${BENCH_HOME:-/tmp/tsf-bench}"
PEER_PY="${PEER_PY:-$BENCH_HOME/venv/bin/python}"
TSF_PY="${TSF_PY:-$(command -v python3)}"
RES="${RES:-$HERE/results}"
LOGS="$RES/logs"
mkdir -p "$LOGS"
parts=("$@"); [[ ${#parts[@]} -eq 0 ]] && parts=(backtest autoarima windowing cli)
"$PEER_PY" "$TSF_PEER_BENCH/make_data.py" > /dev/null
fails=0
run() {  # run NAME CMD...: log to logs/NAME.log, print the last line
  local name="$1"; shift
  echo "=== $name"
  "$@" > "$LOGS/$name.log" 2>&1
  local rc=$?
  echo "    rc=$rc  $(grep -vE 'Warning|warn' "$LOGS/$name.log" | tail -1)"
  [[ $rc -ne 0 ]] && { fails=$((fails + 1)); tail -5 "$LOGS/$name.log"; }
}
uptime > "$LOGS/load_before.txt"
for part in "${parts[@]}"; do
  case "$part" in
    backtest)
      for ds in ${BACKTEST_DATASETS:-airpassengers}; do
        run "backtest-tsforecast-$ds" env KERAS_BACKEND=jax "$TSF_PY" "$HERE/bench_backtest.py" \
            --system tsforecast --dataset "$ds" --out "$RES/backtest-tsforecast-$ds.json"
        run "backtest-tsforecast-xlacache-$ds" env KERAS_BACKEND=jax "$TSF_PY" "$HERE/bench_backtest.py" \
            --system tsforecast --dataset "$ds" --out "$RES/backtest-tsforecast-xlacache-$ds.json" \
            --compilation-cache "$BENCH_HOME/xla-cache-backtest-$(date +%Y%m%d-%H%M%S)"
        run "backtest-tsforecast-2threads-$ds" env KERAS_BACKEND=jax "$TSF_PY" "$HERE/bench_backtest.py" \
            --system tsforecast --dataset "$ds" --n-jobs 2 --out "$RES/backtest-tsforecast-2threads-$ds.json"
        run "backtest-tsforecast-2threads-xlacache-$ds" env KERAS_BACKEND=jax "$TSF_PY" "$HERE/bench_backtest.py" \
            --system tsforecast --dataset "$ds" --n-jobs 2 --out "$RES/backtest-tsforecast-2threads-xlacache-$ds.json" \
            --compilation-cache "$BENCH_HOME/xla-cache-backtest-threads-$(date +%Y%m%d-%H%M%S)"
        run "backtest-darts-$ds" "$PEER_PY" "$HERE/bench_backtest.py" \
            --system darts --dataset "$ds" --out "$RES/backtest-darts-$ds.json"
      done ;;
    autoarima)
      run autoarima-tsforecast "$TSF_PY" "$HERE/bench_autoarima.py" --lib tsforecast \
          --out "$RES/autoarima-tsforecast.json"
      for lib in pmdarima statsforecast; do
        run "autoarima-$lib" "$PEER_PY" "$HERE/bench_autoarima.py" --lib "$lib" \
            --out "$RES/autoarima-$lib.json"
      done ;;
    windowing)
      run windowing "$TSF_PY" "$HERE/bench_windowing.py" --out "$RES/windowing.json" ;;
    cli)
      run cli "$TSF_PY" "$HERE/bench_cli.py" --out "$RES/cli.json" ;;
    *) echo "unknown part $part (backtest autoarima windowing cli)"; exit 2 ;;
  esac
done
uptime > "$LOGS/load_after.txt"
"$TSF_PY" "$HERE/report.py" "$RES"
echo "results in $RES (failed: $fails)"
exit $(( fails > 0 ))

#!/usr/bin/env bash
# tsforecast and its peers on the shared task, in one run of the peer kit's run_all.sh
# (one process per system and dataset, each under /usr/bin/time -v), then the report.
#
#   tests/benchmarks/run_peers.sh                 # ~3 min on an idle 2-core machine
#   REPEATS=5 tests/benchmarks/run_peers.sh 'tsforecast-*' 'darts-*'   # a subset
#
# Env: TSF_PEER_BENCH (the kit, default /work/shared/bench; its venv is set up by its
# setup.sh in $BENCH_HOME, default /tmp/tsf-bench), TSF_PY (the project's python),
# OUT (default tests/benchmarks/results/peers; cleared first), REPEATS (default 3).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KIT="${TSF_PEER_BENCH:-/work/shared/bench}"
export TSF_PY="${TSF_PY:-$(command -v python3)}"
export OUT="${OUT:-$HERE/results/peers}"
export REPEATS="${REPEATS:-3}"
if [[ $# -eq 0 ]]; then
  set -- 'keras-jax-*' 'darts-*' 'neuralforecast-*' 'skforecast-*' 'arima-*' 'tsforecast-*'
fi
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.log "$OUT"/*.time "$OUT"/summary.md "$OUT"/machine.txt
uptime > "$OUT/load_before.txt"
EXTRA_JOBS_FILE="$HERE/extra_jobs.sh" "$KIT/run_all.sh" "$@"
rc=$?
uptime > "$OUT/load_after.txt"
"$TSF_PY" "$HERE/report.py" "$(dirname "$OUT")" > /dev/null
exit $rc

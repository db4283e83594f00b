#!/usr/bin/env bash
# The comparison of BENCHMARKS.md 1–3 in one run on one machine: taskhub (SQLite synchronous=FULL, then
# PostgreSQL) and the peers (DBOS Transact, Restate), one after another, each printing its table.
#   bash bench/compare.sh [--throughput N] [--latency N] [--fanouts N]   (the flags go to every engine)
# Each engine gets BENCH_ENGINE_TIMEOUT seconds (default 240); one that fails or hangs is reported and
# the run goes on to the next, then exits non-zero.
# The peers live in bench/peers, a package of their own that is installed here when missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."

peers=bench/peers
if [ ! -f "$peers/node_modules/.package-lock.json" ] || [ "$peers/package-lock.json" -nt "$peers/node_modules/.package-lock.json" ]; then
  # The only install script among the peers' packages is an analytics ping (@scarf/scarf).
  npm --prefix "$peers" ci --ignore-scripts --no-audit --no-fund
fi
npm run build --silent

limit=${BENCH_ENGINE_TIMEOUT:-240}
failed=()
run_engine() {
  local name=$1 status=0
  shift
  printf '\n== %s ==\n' "$name"
  # --foreground keeps Ctrl-C working; the engines pass a time-out's TERM on to what they started.
  timeout --foreground --kill-after=20 "$limit" "$@" || status=$?
  if [ "$status" -eq 124 ]; then
    echo "!! $name: no result within $limit s (BENCH_ENGINE_TIMEOUT); stopped" >&2
    failed+=("$name")
  elif [ "$status" -ne 0 ]; then
    echo "!! $name: failed (exit status $status)" >&2
    failed+=("$name")
  fi
}

run_engine 'taskhub, SQLite' node dist/bench/run.js --store sqlite --synchronous full "$@"
run_engine 'taskhub, PostgreSQL' node dist/bench/run.js --store postgres "$@"
run_engine 'DBOS Transact' node "$peers/dbos.mjs" "$@"
run_engine 'Restate' node "$peers/restate.mjs" "$@"

if [ "${#failed[@]}" -gt 0 ]; then
  printf '\nno figures from: %s\n' "$(IFS=,; echo "${failed[*]}")" >&2
  exit 1
fi

#!/usr/bin/env bash
# The comparison of docs/benchmarks.md in one run on one machine, one engine after another, each through
# the path its users take: taskhub (SQLite, PostgreSQL) with createTaskHub's defaults, startNew +
# waitForCompletion; the same with the worker tuned (an extra, labelled row); DBOS Transact; Restate through
# its SDK's ingress client; then over HTTP: taskhub serve (SQLite, PostgreSQL) and Restate's ingress.
#   bash bench/compare.sh [--throughput N] [--latency N] [--fanouts N] [--in-flight N]   (the flags go to every engine)
# Each engine gets BENCH_ENGINE_TIMEOUT seconds (default 480); one that fails or hangs is reported and the
# run goes on to the next, then exits non-zero. Each writes its figures to bench/results/<time>/, and
# bench/report.ts turns them into the tables of docs/benchmarks.md and docs/benchmarks.svg.
# The peers live in bench/peers, a package of their own that is installed here when missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."

peers=bench/peers
if [ ! -f "$peers/node_modules/.package-lock.json" ] || [ "$peers/package-lock.json" -nt "$peers/node_modules/.package-lock.json" ]; then
  # The only install script among the peers' packages is an analytics ping (@scarf/scarf).
  npm --prefix "$peers" ci --ignore-scripts --no-audit --no-fund
fi
npm run build --silent

results=bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$results"
limit=${BENCH_ENGINE_TIMEOUT:-480}
failed=()
run_engine() {
  local name=$1 file=$2 status=0
  shift 2
  printf '\n== %s ==\n' "$name"
  # --foreground keeps Ctrl-C working; the engines pass a time-out's TERM on to what they started.
  timeout --foreground --kill-after=20 "$limit" "$@" --json "$results/$file.json" || status=$?
  if [ "$status" -eq 124 ]; then
    echo "!! $name: no result within $limit s (BENCH_ENGINE_TIMEOUT); stopped" >&2
    failed+=("$name")
  elif [ "$status" -ne 0 ]; then
    echo "!! $name: failed (exit status $status)" >&2
    failed+=("$name")
  fi
}

printf 'commit %s, %s, %s cores, load average %s\n' "$(git rev-parse --short HEAD)" "$(date -u)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee "$results/machine.txt"
run_engine 'taskhub, SQLite' 1-taskhub-sqlite node dist/bench/run.js --store sqlite "$@"
run_engine 'taskhub, PostgreSQL' 2-taskhub-postgres node dist/bench/run.js --store postgres "$@"
run_engine 'taskhub, SQLite, tuned' 3-taskhub-sqlite-tuned node dist/bench/run.js --store sqlite --tuned "$@"
run_engine 'DBOS Transact' 4-dbos node "$peers/dbos.mjs" "$@"
run_engine 'Restate' 5-restate node "$peers/restate.mjs" "$@"
run_engine 'taskhub serve, SQLite' 6-taskhub-sqlite-http node dist/bench/run.js --store sqlite --transport http "$@"
run_engine 'taskhub serve, PostgreSQL' 7-taskhub-postgres-http node dist/bench/run.js --store postgres --transport http "$@"
run_engine 'Restate, HTTP ingress' 8-restate-http node "$peers/restate.mjs" --transport http "$@"
printf 'load average at the end %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$results/machine.txt"

printf '\n== report ==\n'
node dist/bench/report.js "$results" docs/benchmarks.svg | tee "$results/report.md"

if [ "${#failed[@]}" -gt 0 ]; then
  printf '\nno figures from: %s\n' "$(IFS=,; echo "${failed[*]}")" >&2
  exit 1
fi

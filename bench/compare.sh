#!/usr/bin/env bash
# The comparison of BENCHMARKS.md 1–3 in one run on one machine: taskhub (SQLite synchronous=FULL, then
# PostgreSQL) and the peers (DBOS Transact, Restate), one after another, each printing its table.
#   bash bench/compare.sh [--throughput N] [--latency N] [--fanouts N]   (the flags go to every engine)
# The peers live in bench/peers, a package of their own that is installed here when missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."

peers=bench/peers
if [ ! -f "$peers/node_modules/.package-lock.json" ] || [ "$peers/package-lock.json" -nt "$peers/node_modules/.package-lock.json" ]; then
  # The only install script among the peers' packages is an analytics ping (@scarf/scarf).
  npm --prefix "$peers" ci --ignore-scripts --no-audit --no-fund
fi
npm run build --silent

section() { printf '\n== %s ==\n' "$1"; }
section 'taskhub, SQLite'
node dist/bench/run.js --store sqlite --synchronous full "$@"
section 'taskhub, PostgreSQL'
node dist/bench/run.js --store postgres "$@"
section 'DBOS Transact'
node "$peers/dbos.mjs" "$@"
section 'Restate'
node "$peers/restate.mjs" "$@"

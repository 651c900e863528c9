#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds edgeopt-bench (Release, -DEDGEOPT_BUILD_BENCH=ON), runs every
# benchmark pinned to one core, writes bench/results/<host>.json, then
# bench/report.py turns it into bench/results/README-table.md and
# bench/results/performance.svg.
#
#   bench/run.sh             full run (about 18 minutes on 2 cores)
#   bench/run.sh --smoke     every benchmark once at 4K, a few seconds; for CI
#
# Environment: BUILD_DIR (bench/build), CORE (last CPU), REPETITIONS (5),
# JOBS (nproc), BENCH_ARGS (extra edgeopt-bench flags, e.g. a filter).
# Needs: cmake, g++, libbenchmark-dev, libeigen3-dev (tools/setup.sh host bench
# installs them when run as root, else names them); libtorch-dev optional.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="${BUILD_DIR:-$here/build}"
core="${CORE:-$(($(nproc) - 1))}"
repetitions="${REPETITIONS:-5}"
smoke=0
case "${1:-}" in
  --smoke) smoke=1 ;;
  "") ;;
  *) echo "bench/run.sh: unknown argument '$1' (usage: bench/run.sh [--smoke])" >&2; exit 2 ;;
esac
"$root/tools/setup.sh" host bench

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DEDGEOPT_BUILD_BENCH=ON \
  -DEDGEOPT_BUILD_TESTS=OFF -DEDGEOPT_BUILD_TOOLS=OFF >/dev/null
cmake --build "$build" --target edgeopt-bench -j "${JOBS:-$(nproc)}"
bench="$build/bench/edgeopt-bench"

if ((smoke)); then
  # Checks that everything runs; never how fast.
  exec taskset -c "$core" "$bench" --smoke ${BENCH_ARGS:-}
fi

load="$(cut -d' ' -f1 /proc/loadavg)"
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
  echo "warning: load average $load; other work on this machine will show in the results" >&2
fi
mkdir -p "$here/results"
out="$here/results/$(hostname -s).json"
taskset -c "$core" "$bench" \
  --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true \
  --benchmark_out="$out" --benchmark_out_format=json ${BENCH_ARGS:-}
python3 "$here/report.py" "$out"

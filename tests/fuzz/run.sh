#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer fuzzers (preset `fuzz`: clang, ASan + UBSan) and runs
# each for a bounded time from its committed seed corpus, printing the number
# of executions.  Fuzzers run EDGEOPT_JOBS (default 2) at a time, one per
# core.  New inputs go to build/fuzz/corpus/<name>, never into the committed
# seeds.  A crash leaves its input as build/fuzz/crash-* and fails.
#   tests/fuzz/run.sh [seconds per fuzzer, default 60] [fuzzer names...]
# Longer runs: see README, "Reliability".
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
fuzzers=("${@:-fuzz_checkpoint fuzz_c_api fuzz_case_file}")
fuzzers=(${fuzzers[*]})
jobs=${EDGEOPT_JOBS:-2}

started=$SECONDS
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$jobs" --target "${fuzzers[@]}" >/dev/null
built=$SECONDS

fuzz() {  # name: run it, leaving its log and exit status in build/fuzz/
  local name=$1 corpus=build/fuzz/corpus/$1
  mkdir -p "$corpus"
  # -timeout: one input may take at most 10 s; -rss_limit_mb: ASan's shadow fits.
  # (Inside `if`, so that set -e does not end the job before the status is written.)
  if build/fuzz/tests/fuzz/"$name" "$corpus" tests/fuzz/corpus/"$name" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=build/fuzz/ >build/fuzz/"$name".log 2>&1; then
    echo 0 >build/fuzz/"$name".status
  else
    echo 1 >build/fuzz/"$name".status
  fi
}
for name in "${fuzzers[@]}"; do rm -f build/fuzz/"$name".status; done
running=0
for name in "${fuzzers[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  fuzz "$name" &
  running=$((running + 1))
done
wait || true

status=0
for name in "${fuzzers[@]}"; do
  log=build/fuzz/$name.log
  if [ "$(cat build/fuzz/"$name".status 2>/dev/null)" = 0 ]; then
    result=ok
  else
    result=FAILED
    status=1
    tail -n 40 "$log"
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cover=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
  printf '%-16s %s: %s executions in %s s, %s, corpus %s inputs\n' "$name" "$result" "${runs:-?}" "$seconds" \
    "${cover:-cov: ?}" "$(ls build/fuzz/corpus/"$name" | wc -l)"
done
echo "fuzz: build $((built - started)) s, runs $((SECONDS - built)) s ($jobs at a time)"
exit $status

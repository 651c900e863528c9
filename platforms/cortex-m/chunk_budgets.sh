#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Worst-case instructions of a step in bounded pieces on the Cortex-M boards
# (QEMU instruction counter, exact counts, not cycles): edgeopt_step_begin,
# one edgeopt_step_run of 256 elements, and edgeopt_step_end, the maximum
# over steps 1-10 and over the 8 chunks of a 2048-parameter, 4-tensor model
# (tests/firmware/chunk_bench.cpp), less the marks' own cost.
#   platforms/cortex-m/chunk_budgets.sh [--markdown]
set -euo pipefail
cd "$(dirname "$0")/../.."
for preset in cortex-m4 cortex-m55; do
  [ -f "build/$preset/CMakeCache.txt" ] || cmake --preset "$preset" >/dev/null
  cmake --build "build/$preset" --target firmware_chunk_bench -j"$(nproc)" >/dev/null 2>&1 ||
    { echo "chunk_budgets: $preset does not build"; exit 1; }
done

# One line per option set: "spec|begin|run|end" (worst cases, marks subtracted).
worst() {
  local board=$1 elf=$2 isa=$3 log
  log=$(mktemp)
  CORTEXM_COUNT_INSNS=1 platforms/cortex-m/run-qemu.sh "$board" "$elf" "$isa" 2>"$log.marks" >"$log" ||
    { echo "chunk_budgets: $elf $isa failed" >&2; cat "$log" >&2; exit 1; }
  grep '^measure ' "$log" | cut -d' ' -f2- | awk -F'|' -v marks_file="$log.marks" '
    BEGIN { while ((getline line < marks_file) > 0) if (line ~ /mark [0-9]+:/) { split(line, f, " "); marks[++n] = f[4] } }
    { count = marks[2 * NR]; key = $1 SUBSEP $2
      if (!($1 in seen)) { seen[$1] = 1; order[++specs] = $1 }
      if ($2 == "empty") { if (!(key in best) || count < best[key]) best[key] = count }
      else if (!(key in best) || count > best[key]) best[key] = count }
    END { for (i = 1; i <= specs; i++) { s = order[i]; e = best[s SUBSEP "empty"]
            printf "%s|%d|%d|%d\n", s, best[s SUBSEP "begin"] - e, best[s SUBSEP "run"] - e, best[s SUBSEP "end"] - e } }'
  rm -f "$log" "$log.marks"
}

m4=build/cortex-m4/tests/firmware/firmware_chunk_bench.elf
m55=build/cortex-m55/tests/firmware/firmware_chunk_bench.elf
worst mps2-an386 "$m4" scalar >/tmp/edgeopt-chunks-m4.$$
worst mps3-an547 "$m55" scalar >/tmp/edgeopt-chunks-m55s.$$
worst mps3-an547 "$m55" helium >/tmp/edgeopt-chunks-m55h.$$
if [ "${1:-}" = --markdown ]; then
  echo "| options | begin M4 / M55 | run 256 M4 | M55 scalar | M55 Helium | end M4 / M55 |"
  echo "|---|---|---|---|---|---|"
  paste -d'|' /tmp/edgeopt-chunks-m4.$$ /tmp/edgeopt-chunks-m55s.$$ /tmp/edgeopt-chunks-m55h.$$ |
    awk -F'|' '{ printf "| %s | %s / %s | %s | %s | %s | %s / %s |\n", $1, $2, $10, $3, $7, $11, $4, $12 }'
else
  echo "== Worst-case instructions of a step in pieces (2048 parameters in 4 tensors, steps 1-10)"
  printf '%8s %8s %8s %8s %8s %8s  %s\n' "begin" "begin" "run 256" "run 256" "run 256" "end" ""
  printf '%8s %8s %8s %8s %8s %8s  %s\n' "M4" "M55 hel." "M4" "M55" "M55 hel." "M4" "options"
  paste -d'|' /tmp/edgeopt-chunks-m4.$$ /tmp/edgeopt-chunks-m55s.$$ /tmp/edgeopt-chunks-m55h.$$ |
    awk -F'|' '{ printf "%8s %8s %8s %8s %8s %8s  %s\n", $2, $10, $3, $7, $11, $4, $1 }'
fi
rm -f /tmp/edgeopt-chunks-*.$$

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Firmware budgets of edgeopt, printed for CI (tools/test.sh runs this after
# the cortex-m4 and cortex-m55 presets; it builds them if needed):
#   1. code size on the Cortex-M4, from the link maps of the size probes
#      (tests/firmware/probe.cpp): per optimizer, a program that runs only
#      that optimizer's per-step scalars and scalar kernel loop; then the
#      whole library as the C API pulls it in (edgeopt_step dispatches to
#      every optimizer, so no C API program can hold fewer);
#   2. Helium kernel loops per optimizer on the Cortex-M55 (symbol sizes);
#   3. RAM: state bytes per parameter, stack high-water mark of one step;
#   4. instructions per parameter per step (QEMU instruction counter): the
#      difference between a step on 2048 and on 1024 parameters, / 1024;
#   5. worst-case instructions of a step in pieces: begin, a 256-element
#      run, end (chunk_budgets.sh).
# An optimizer over 2048 bytes of .text on the M4 is flagged OVER BUDGET;
# with EDGEOPT_BUDGET_STRICT=1 that also makes the exit status 1.
#   platforms/cortex-m/budgets.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
text_budget=2048
for preset in cortex-m4 cortex-m55; do
  [ -f "build/$preset/CMakeCache.txt" ] || cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$(nproc)" >/dev/null 2>&1 || { echo "budgets: $preset does not build"; exit 1; }
done
m4=build/cortex-m4/tests/firmware
m55=build/cortex-m55/tests/firmware
# The registry's optimizers (src/optim/algorithms.hpp), as the probes are built.
optimizers=$(sed -n 's/^using all = type_list<\(.*\)>;$/\1/p' src/optim/algorithms.hpp | tr -d ',')
[ -n "$optimizers" ] || { echo "budgets: no optimizer list in src/optim/algorithms.hpp"; exit 1; }

# Sums a link map's input sections: "<edgeopt .text> <edgeopt .rodata>
# <toolchain .text> <toolchain .rodata>", where edgeopt is libedgeopt.a and
# the probe's own object (the templates it instantiates).
map_sizes() {
  awk 'function hex(s,  n, i) {
         s = tolower(s); sub(/^0x/, "", s); n = 0
         for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
         return n
       }
       /^Linker script and memory map/ { inside = 1 }
       inside && /^ \.(text|rodata)/ {
         name = $1
         if (NF == 1) { getline; size = $2; file = $3 } else { size = $3; file = $4 }
         kind = name ~ /^\.text/ ? 1 : 2
         if (file ~ /libedgeopt\.a|probe\.cpp/) mine[kind] += hex(size); else other[kind] += hex(size)
       }
       END { printf "%d %d %d %d\n", mine[1], mine[2], other[1], other[2] }' "$1"
}

echo "== Code size on the Cortex-M4 ($(grep -m1 CMAKE_BUILD_TYPE: build/cortex-m4/CMakeCache.txt | cut -d= -f2)), bytes"
echo "   edgeopt = the library's code and the templates the probe instantiates;"
echo "   toolchain = what that pulls from libgcc (soft double) and libm, shared by all"
read -r base_text base_rodata base_other_text base_other_rodata < <(map_sizes "$m4/probe_none.map")
printf '%-28s %7s %8s   %s\n' "" ".text" ".rodata" "toolchain .text/.rodata"
over=0
for probe in $optimizers api; do
  read -r text rodata other_text other_rodata < <(map_sizes "$m4/probe_$probe.map")
  text=$((text - base_text)) rodata=$((rodata - base_rodata))
  label="$probe (at_step + kernel)"
  [ "$probe" = api ] && label="whole library via the C API"
  printf '%-28s %7d %8d   %d/%d\n' "$label" "$text" "$rodata" \
    $((other_text - base_other_text)) $((other_rodata - base_other_rodata))
  if [ "$probe" != api ] && [ "$text" -gt "$text_budget" ]; then
    echo "   OVER BUDGET: $probe needs $text bytes of .text (budget $text_budget)"
    over=1
  fi
done
arm-none-eabi-size -t build/cortex-m4/libedgeopt.a | awk 'END {
  printf "%-28s %7d (text+rodata), data %d, bss %d\n", "libedgeopt.a, every object", $1, $2, $3 }'

echo
echo "== Helium kernel loops on the Cortex-M55, bytes: float32 loops (run, run_variant) / low-precision loops"
# Sums nm sizes (hex) of the symbols on stdin.
sum_sizes() {
  local total=0 _ size
  while read -r _ size _; do total=$((total + 16#$size)); done
  echo $total
}
helium_syms=$(arm-none-eabi-nm -S build/cortex-m55/libedgeopt.a | grep 'helium_vec')
for name in $optimizers; do
  mine=$(grep -E "optim[0-9]+${name}E" <<<"$helium_syms" || true)
  float=$(grep -E 'kernel(3run|11run_variant)I' <<<"$mine" | sum_sizes)
  typed=$(grep -E 'typed' <<<"$mine" | sum_sizes)
  printf ' %s %d/%d' "$name" "$float" "$typed"
done
echo

# Runs the benchmark under the instruction counter; prints one line per
# option set: "spec|state B/param|stack B|instructions per parameter".
count() {
  local board=$1 elf=$2 isa=$3 log
  log=$(mktemp)
  CORTEXM_COUNT_INSNS=1 platforms/cortex-m/run-qemu.sh "$board" "$elf" "$isa" 2>"$log.marks" >"$log"
  grep '^bench [a-z0-9]*|' "$log" | cut -d' ' -f2- | awk -F'|' -v marks_file="$log.marks" '
    BEGIN { while ((getline line < marks_file) > 0) if (line ~ /mark [0-9]+:/) { split(line, f, " "); marks[++n] = f[4] } }
    { short = marks[4 * NR - 2]; long = marks[4 * NR]
      printf "%s|%s|%s|%.2f\n", $2, $3, $4, (long - short) / 1024 }'
  rm -f "$log" "$log.marks"
}

echo
echo "== RAM and instructions per parameter per step (2nd step; stack = high-water mark of one step)"
echo "   RAM: state bytes per parameter, plus sizeof(edgeopt_optimizer) and the arena's fixed part:"
platforms/cortex-m/run-qemu.sh mps2-an386 "$m4/firmware_bench.elf" scalar | sed -n 's/^bench: sizeof/   sizeof/p'
count mps2-an386 "$m4/firmware_bench.elf" scalar >/tmp/edgeopt-budget-m4.$$
count mps3-an547 "$m55/firmware_bench.elf" scalar >/tmp/edgeopt-budget-m55s.$$
count mps3-an547 "$m55/firmware_bench.elf" helium >/tmp/edgeopt-budget-m55h.$$
echo "   instructions per parameter per step: M4 scalar, M55 scalar, M55 helium"
printf '%7s %7s %7s %7s %8s %8s  %s\n' "state" "M4" "M55" "M55" "stack" "stack" ""
printf '%7s %7s %7s %7s %8s %8s  %s\n' "B/param" "scalar" "scalar" "helium" "M4" "M55 hel." "options"
paste -d'|' /tmp/edgeopt-budget-m4.$$ /tmp/edgeopt-budget-m55s.$$ /tmp/edgeopt-budget-m55h.$$ |
  awk -F'|' '{ printf "%7s %7s %7s %7s %8s %8s  %s\n", $2, $4, $8, $12, $3, $11, $1 }'
rm -f /tmp/edgeopt-budget-*.$$

echo
platforms/cortex-m/chunk_budgets.sh

if [ "$over" -ne 0 ]; then
  echo "budgets: an optimizer is over $text_budget bytes of .text on the Cortex-M4"
  [ "${EDGEOPT_BUDGET_STRICT:-0}" = 1 ] && exit 1
  exit 0
fi
echo "budgets: every optimizer within $text_budget bytes of .text on the Cortex-M4"

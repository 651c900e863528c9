#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The accuracy cost of low precision on the fine-tuning job: for a few
# optimizers, float32 against bf16/q8 state and bf16 weights (nearest and
# stochastic rounding), two seeds each, 4 epochs on all of Fashion-MNIST.
# Prints the markdown table README's "Low precision" section quotes.
#   tools/lowprec.sh                  about 3 minutes on 2 cores
#   OPTIMIZERS="adam lion" SEEDS="1 2 3" tools/lowprec.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh host data
build=${FINETUNE_BUILD_DIR:-build/host}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target edgeopt-finetune -j"$(nproc)" >/dev/null
finetune="$build/examples/finetune/edgeopt-finetune"
optimizers=${OPTIMIZERS:-adam adamw momentum lion}
seeds=${SEEDS:-1 2}
variants=(
  "f32|"
  "bf16 state|--state-dtype bf16"
  "q8 state|--state-dtype q8"
  "bf16 weights, nearest|--param-dtype bf16"
  "bf16 weights, stochastic|--param-dtype bf16 --rounding stochastic"
  "bf16 weights (stochastic) + q8 state|--param-dtype bf16 --rounding stochastic --state-dtype q8"
)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One run: writes "accuracy loss state_bytes" to $out/<optimizer>.<variant>.<seed>.
run() {
  local opt=$1 v=$2 seed=$3 flags=$4
  "$finetune" --optimizer "$opt" --seed "$seed" --threads 1 $flags --out "$out/charts-$opt-$v-$seed" >/dev/null
  tail -n 1 "$out/charts-$opt-$v-$seed/results.csv" | awk -F, '{print $3, $4, $6}' >"$out/$opt.$v.$seed"
}
jobs=0
for opt in $optimizers; do
  for v in "${!variants[@]}"; do
    for seed in $seeds; do
      run "$opt" "$v" "$seed" "${variants[$v]#*|}" &
      jobs=$((jobs + 1))
      if ((jobs % $(nproc) == 0)); then wait; fi
    done
  done
done
wait

echo "| optimizer | storage | test accuracy (seeds: $seeds) | final train loss | state bytes |"
echo "|---|---|---|---|---|"
for opt in $optimizers; do
  for v in "${!variants[@]}"; do
    acc="" loss="" bytes=""
    for seed in $seeds; do
      read -r a l b <"$out/$opt.$v.$seed"
      acc+="$(awk -v a="$a" 'BEGIN { printf "%.2f%% ", 100 * a }')"
      loss+="$(awk -v l="$l" 'BEGIN { printf "%.4f ", l }')"
      bytes=$b
    done
    echo "| $opt | ${variants[$v]%%|*} | ${acc% } | ${loss% } | $bytes |"
  done
done

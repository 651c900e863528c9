#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite, as CI runs it:
#   1. host build, ctest once per x86 kernel (EDGEOPT_ISA forces it), and the
#      dtype tests once more on AVX-512 without AVX512_BF16;
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build, ctest;
#      ThreadSanitizer build of the threaded tests (test_parallel, the pool example);
#   2b. the same with clang (its UBSan adds -fsanitize=enum), ctest once;
#   2c. libFuzzer fuzzers (tests/fuzz/) built with clang + ASan/UBSan, each
#       run EDGEOPT_FUZZ_SECONDS (default 60) from its committed corpus;
#   3. aarch64 and armv7 cross builds, ctest under qemu-user;
#   4. Cortex-M4F and Cortex-M55 firmware builds, ctest under qemu-system-arm;
#   5. the Python package (python/edgeopt) against Debian's torch 1.13: the
#      PyTorch bridge and drop-in optimizers, over the shared library;
#   6. benchmarks built and run in smoke mode (never timed against a target);
#   7. package: the library taken into other projects (tests/consumers/run.sh):
#      install + find_package, pkg-config, the .deb, add_subdirectory,
#      FetchContent, aarch64, armhf and Cortex-M consumers.
# Installs missing Debian packages when run as root (else names them).
#   tools/test.sh            everything
#   tools/test.sh host       only stage 1 (also: asan, tsan, clang, fuzz, cross, firmware, python, bench, package)
set -euo pipefail
cd "$(dirname "$0")/.."
all_stages="host asan tsan clang fuzz cross firmware python bench package"
stages=("${@:-$all_stages}")
stages=(${stages[*]})
for stage in "${stages[@]}"; do
  if [[ " $all_stages " != *" $stage "* ]]; then
    echo "test.sh: unknown stage '$stage' (stages: $all_stages)" >&2
    exit 2
  fi
done
jobs=$(nproc)
failed=()
passed=0

banner() { printf '\n=== %s\n' "$*"; }
want() { [[ " ${stages[*]} " == *" $1 "* ]]; }
run_preset() {  # configure, build and test one CMake preset
  local preset=$1
  shift
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$jobs" >/dev/null
  if ctest --preset "$preset" "$@"; then
    passed=$((passed + 1))
  else
    failed+=("$preset${EDGEOPT_ISA:+ (EDGEOPT_ISA=$EDGEOPT_ISA)}")
  fi
}

if want host; then
  tools/setup.sh host data
  banner "host: default kernel"
  run_preset host
  for isa in $(build/host/tools/edgeopt-replay --list-isas); do
    banner "host: every test with EDGEOPT_ISA=$isa"
    EDGEOPT_ISA=$isa run_preset host
  done
  # AVX-512 runs kernels_bf16.cpp's table when the CPU has AVX512_BF16; the
  # dtype tests force both tables themselves, and this runs them once more
  # with the integer fallback chosen the way a user would switch it off.
  if build/host/tools/edgeopt-replay --list-isas | grep -qx avx512; then
    banner "host: the dtype tests with EDGEOPT_ISA=avx512 EDGEOPT_NO_AVX512_BF16=1"
    EDGEOPT_ISA=avx512 EDGEOPT_NO_AVX512_BF16=1 run_preset host -R test_dtype
  fi
fi
if want asan; then
  tools/setup.sh host data
  banner "host: AddressSanitizer + UndefinedBehaviorSanitizer"
  run_preset host-asan
fi
if want tsan; then
  tools/setup.sh host data
  banner "host: ThreadSanitizer (threaded tests)"
  run_preset host-tsan
fi
if want clang; then
  tools/setup.sh host clang data
  banner "host with clang: AddressSanitizer + UndefinedBehaviorSanitizer (with -fsanitize=enum)"
  run_preset host-clang-asan
fi
if want fuzz; then
  tools/setup.sh host clang
  banner "fuzzers: clang + libFuzzer + ASan/UBSan, ${EDGEOPT_FUZZ_SECONDS:-60} s each"
  if tests/fuzz/run.sh "${EDGEOPT_FUZZ_SECONDS:-60}"; then passed=$((passed + 1)); else failed+=("fuzzers"); fi
fi
if want cross; then
  tools/setup.sh host cross
  for preset in aarch64 armv7; do
    banner "$preset under qemu-user"
    run_preset "$preset"
  done
fi
if want firmware && [ -f platforms/cortex-m/toolchain-cortex-m4.cmake ] && grep -q '"cortex-m4"' CMakePresets.json; then
  tools/setup.sh host firmware
  for preset in cortex-m4 cortex-m55; do
    banner "$preset under qemu-system-arm"
    run_preset "$preset"
  done
  if [ -x platforms/cortex-m/budgets.sh ]; then
    banner "firmware budgets"
    if platforms/cortex-m/budgets.sh; then passed=$((passed + 1)); else failed+=("firmware budgets"); fi
  fi
fi
if want python; then
  tools/setup.sh host python
  banner "python: the PyTorch bridge and drop-in optimizers (torch 1.13)"
  cmake -S . -B build/shared -DBUILD_SHARED_LIBS=ON -DEDGEOPT_BUILD_TESTS=OFF -DEDGEOPT_BUILD_TOOLS=OFF >/dev/null
  cmake --build build/shared -j"$jobs" >/dev/null
  # Debian's torch belongs to /usr/bin/python3, whatever python3 is first on PATH.
  if (cd python/tests && PYTHONPATH=..:. /usr/bin/python3 -m unittest discover -v 2>&1 | tail -n 25) &&
     PYTHONPATH=python /usr/bin/python3 tests/handover/make_handover.py --check &&
     examples/torch/run.sh | tail -n 3 &&
     /usr/bin/python3 bench/torch_dropin.py --smoke >/dev/null; then
    passed=$((passed + 1))
  else
    failed+=("python")
  fi
fi
if want bench && [ -f bench/CMakeLists.txt ]; then
  tools/setup.sh host bench
  banner "benchmarks: smoke run"
  cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DEDGEOPT_BUILD_BENCH=ON >/dev/null
  cmake --build build/bench --target edgeopt-bench edgeopt-bench-parallel edgeopt-bench-aliasing -j"$jobs" >/dev/null
  # The report too: its tables and targets read whatever the run wrote.
  if build/bench/bench/edgeopt-bench --smoke --benchmark_out=build/bench/smoke.json --benchmark_out_format=json &&
     python3 bench/report.py build/bench/smoke.json --out build/bench/report >/dev/null; then
    passed=$((passed + 1))
  else
    failed+=("benchmark smoke run")
  fi
  if build/bench/bench/edgeopt-bench-parallel --smoke >/dev/null; then passed=$((passed + 1)); else failed+=("thread benchmark smoke run"); fi
  if build/bench/bench/edgeopt-bench-aliasing --smoke >/dev/null; then passed=$((passed + 1)); else failed+=("aliasing benchmark smoke run"); fi
fi

if want package; then
  tools/setup.sh host cross firmware package
  banner "package: consumers (install, find_package, pkg-config, .deb, add_subdirectory, FetchContent, aarch64, Cortex-M)"
  if tests/consumers/run.sh; then passed=$((passed + 1)); else failed+=("package consumers"); fi
fi

echo
[ ${#failed[@]} -eq 0 ] || printf 'FAILED: %s\n' "${failed[@]}"
echo "stages run: ${stages[*]}"
echo "${passed} passed, ${#failed[@]} failed"  # one line per ctest run, budget check, smoke run and consumer run
[ ${#failed[@]} -eq 0 ]

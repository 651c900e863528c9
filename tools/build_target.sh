#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures BUILD_DIR (Release) and builds one target, printing one progress
# line per compiled file, so a first build (about two minutes on 2 cores)
# does not look like a hang; an up-to-date build prints nothing.
#   tools/build_target.sh BUILD_DIR TARGET
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: tools/build_target.sh BUILD_DIR TARGET" >&2
  exit 2
fi
build=$1 target=$2
cd "$(dirname "$0")/.."
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "building $target in $build (the first build compiles the library, its kernels and the tools)..."
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
# Make prints "[ 42%] Building CXX object <target>.dir/<source>.o" per file;
# keep only those lines, shortened to the percentage and the source file.
cmake --build "$build" --target "$target" -j"$(nproc)" |
  sed -un 's|^\[ *\([0-9]*%\)\] Building [A-Z]* object .*\.dir/\(.*\)\.o$|  [\1] \2|p; s|^\[ *\([0-9]*%\)\] Linking .* \([^ ]*\)$|  [\1] linking \2|p'

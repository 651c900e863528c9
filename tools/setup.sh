#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs (as root) or names (otherwise) the Debian packages a task needs.
#   tools/setup.sh host|data|clang|cross|firmware|bench|python|package ...
# Sourced by tools/demo.sh and tools/test.sh; safe to run on its own.
set -euo pipefail

packages_for() {
  case "$1" in
    host) echo "cmake make g++ libxsimd-dev doctest-dev" ;;
    clang) echo "clang clang-14 libclang-rt-14-dev llvm-14" ;;  # clang builds, sanitizers, libFuzzer
    cross) echo "g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user-static" ;;
    firmware) echo "gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm" ;;
    bench) echo "libbenchmark-dev libeigen3-dev" ;;
    data) echo "zlib1g-dev dataset-fashion-mnist" ;;
    python) echo "python3 python3-torch" ;;
    package) echo "pkg-config git" ;;
    *) echo "setup.sh: unknown group '$1' (host, data, clang, cross, firmware, bench, python, package)" >&2; return 2 ;;
  esac
}

missing=()
for group in "${@:-host}"; do
  # In a command substitution a failing packages_for would not stop the loop.
  packages=$(packages_for "$group") || exit 2
  for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: missing packages. Run as root, or install them with:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

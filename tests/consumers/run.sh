#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Consumer tests: edgeopt taken into other projects the ways users take it,
# each a tiny project here, built from a clean folder under WORK:
#   find_package     after `cmake --install` to a prefix (static and shared)
#   pkg-config       plain Makefile, strict C99, shared and static links
#                    (find_package also builds a strict C99 program, linked as C)
#   deb              libedgeopt-dev installed with dpkg -i, then the two above
#                    with no hints, then removed (root only)
#   add_subdirectory the archive inside a parent's shared object; the parent's
#                    build type, flags and build root untouched
#   fetchcontent     from the checkout's git URL at HEAD
#   cross            aarch64 install, find_package with the toolchain, run under qemu
#   armhf            Debian armhf's own flags (-mfpu=vfpv3-d16): the NEONv7 kernels
#                    are chosen at run time on a NEON + VFPv4 core only
#   firmware         the top level with a plain arm-none-eabi toolchain (no board);
#                    Cortex-M4F firmware with add_subdirectory, run under QEMU;
#                    reports its .text
# The host library is built once (static + shared, for the prefix, the
# package and the pkg-config checks); embedding consumers build their own.
#   tests/consumers/run.sh [WORK [CONSUMER...]]   (default build/consumers, all)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$src/build/consumers}
all="find_package pkg-config deb add_subdirectory fetchcontent cross armhf firmware"
selected=" ${*:2} "
[ "$selected" != "  " ] || selected=" $all "
for name in $selected; do
  [[ " $all " == *" $name "* ]] || { echo "run.sh: unknown consumer '$name' (consumers: $all)" >&2; exit 2; }
done
want() { [[ "$selected" == *" $1 "* ]]; }
jobs=${EDGEOPT_JOBS:-2}
consumers=$src/tests/consumers
rm -rf "$work"
mkdir -p "$work"
failed=()
skipped=()
passed=0

run() {  # run NAME COMMAND...: quiet, log kept, one line of outcome
  local name=$1 start=$SECONDS
  shift
  if "$@" >"$work/$name.log" 2>&1; then
    echo "  ok    $name ($((SECONDS - start)) s)"
    passed=$((passed + 1))
  else
    echo "  FAIL  $name ($((SECONDS - start)) s), last lines of $work/$name.log:"
    tail -n 15 "$work/$name.log" | sed 's/^/        /'
    failed+=("$name")
  fi
}
expect_output() {  # expect_output PATTERN COMMAND...: runs it, shows its output, greps it
  local pattern=$1 out
  shift
  out=$("$@")
  echo "$out"
  grep -q "$pattern" <<<"$out" || { echo "expected '$pattern' from: $*"; return 1; }
}
configure_build() {  # configure_build SOURCE BUILD [cmake args]
  local source=$1 build=$2
  shift 2
  cmake -S "$source" -B "$build" "$@"
  cmake --build "$build" -j"$jobs"
}

library() {
  configure_build "$src" "$work/lib" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DEDGEOPT_BUILD_STATIC_AND_SHARED=ON -DEDGEOPT_BUILD_TESTS=OFF -DEDGEOPT_BUILD_TOOLS=OFF
  "$src/tools/check_symbols.sh" "$work/lib/libedgeopt.a"
  "$src/tools/check_symbols.sh" "$work/lib/libedgeopt.so"
  cmake --install "$work/lib" --prefix "$work/prefix"
  (cd "$work/lib" && cpack -G DEB)
}
find_package_prefix() {
  configure_build "$consumers/find_package" "$work/find_package" -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DEDGEOPT_EXPECT_SHARED=ON
  "$work/find_package/consumer"
  "$work/find_package/consumer_c99"
  "$work/find_package/consumer_pool" 3
  "$work/find_package/consumer_shared"
  ldd "$work/find_package/consumer_shared" | grep -q "libedgeopt.so.0 => $work/prefix/"
}
pkg_config_prefix() {
  local pcdir
  pcdir=$(dirname "$(find "$work/prefix" -name edgeopt.pc)")
  mkdir -p "$work/pkg-config"
  PKG_CONFIG_PATH=$pcdir make -C "$work/pkg-config" -f "$consumers/pkg-config/Makefile" check
  # The plain link took the shared library, the forced one the archive.
  LD_LIBRARY_PATH=$(dirname "$pcdir") ldd "$work/pkg-config/consumer" | grep -q "libedgeopt.so.0 => $work/prefix/"
  ! ldd "$work/pkg-config/consumer_static" | grep -q libedgeopt
}
deb() {
  local package
  package=$(ls "$work"/lib/libedgeopt-dev_*.deb)
  dpkg-deb -c "$package" >"$work/deb-contents.txt"
  for f in include/edgeopt/edgeopt.h include/edgeopt/version.h libedgeopt.a libedgeopt.so.0 \
           cmake/edgeopt/edgeoptConfig.cmake cmake/edgeopt/edgeoptConfigVersion.cmake pkgconfig/edgeopt.pc; do
    grep -q "$f" "$work/deb-contents.txt" || { echo "the package lacks $f"; return 1; }
  done
  dpkg -i "$package"
  local rc=0
  (configure_build "$consumers/find_package" "$work/deb-find_package" -DEDGEOPT_EXPECT_SHARED=ON &&
    "$work/deb-find_package/consumer" && "$work/deb-find_package/consumer_c99" &&
    "$work/deb-find_package/consumer_shared" &&
    mkdir -p "$work/deb-pkg-config" &&
    make -C "$work/deb-pkg-config" -f "$consumers/pkg-config/Makefile" check) || rc=1
  dpkg -r libedgeopt-dev
  return $rc
}
add_subdirectory_consumer() {
  configure_build "$consumers/add_subdirectory" "$work/add_subdirectory" -DEDGEOPT_SOURCE_DIR="$src"
  "$work/add_subdirectory/consumer"
}
fetchcontent_consumer() {
  configure_build "$consumers/fetchcontent" "$work/fetchcontent" -DCMAKE_BUILD_TYPE=MinSizeRel \
    -DEDGEOPT_GIT_URL="file://$src" -DEDGEOPT_GIT_TAG="$(git -C "$src" rev-parse HEAD)"
  "$work/fetchcontent/consumer"
}
cross() {
  local toolchain=$src/platforms/aarch64-linux-gnu.cmake
  configure_build "$src" "$work/aarch64-lib" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
    -DEDGEOPT_BUILD_TESTS=OFF -DEDGEOPT_BUILD_TOOLS=OFF
  cmake --install "$work/aarch64-lib" --prefix "$work/aarch64-prefix"
  configure_build "$consumers/find_package" "$work/aarch64-find_package" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -Dedgeopt_DIR="$(dirname "$(find "$work/aarch64-prefix" -name edgeoptConfig.cmake)")"
  aarch64-linux-gnu-readelf -h "$work/aarch64-find_package/consumer" | grep -q AArch64
  expect_output "kernel neon64" qemu-aarch64-static -L /usr/aarch64-linux-gnu "$work/aarch64-find_package/consumer"
  expect_output "kernel neon64" qemu-aarch64-static -L /usr/aarch64-linux-gnu "$work/aarch64-find_package/consumer_c99"
}
armhf() {
  # Debian armhf's compiler defaults, without the neon-vfpv4 of our armv7 preset.
  local flags="-march=armv7-a+fp -mfpu=vfpv3-d16 -mfloat-abi=hard -mthumb -D_FILE_OFFSET_BITS=64"
  local toolchain=$src/platforms/arm-linux-gnueabihf.cmake
  configure_build "$src" "$work/armhf-lib" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" -DEDGEOPT_BUILD_TESTS=OFF -DEDGEOPT_BUILD_TOOLS=OFF
  grep -q "EDGEOPT_ARM_A_PROFILE_NEON:INTERNAL=1" "$work/armhf-lib/CMakeCache.txt"
  cmake --install "$work/armhf-lib" --prefix "$work/armhf-prefix"
  configure_build "$consumers/find_package" "$work/armhf-find_package" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -Dedgeopt_DIR="$(dirname "$(find "$work/armhf-prefix" -name edgeoptConfig.cmake)")"
  local run=(qemu-arm-static -L /usr/arm-linux-gnueabihf)
  # QEMU's default core has NEON and VFPv4; a Cortex-A8 has NEON but only VFPv3.
  expect_output "kernel neonv7" "${run[@]}" "$work/armhf-find_package/consumer"
  expect_output "kernel scalar" "${run[@]}" -cpu cortex-a8 "$work/armhf-find_package/consumer"
}
firmware() {
  # The top level with a plain arm-none-eabi toolchain of the user's (no QEMU
  # board, no emulator) and tests and tools off: configures and builds.
  configure_build "$src" "$work/generic-arm" -DCMAKE_SYSTEM_NAME=Generic -DCMAKE_SYSTEM_PROCESSOR=arm \
    -DCMAKE_C_COMPILER=arm-none-eabi-gcc -DCMAKE_CXX_COMPILER=arm-none-eabi-g++ \
    -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY -DCMAKE_BUILD_TYPE=MinSizeRel \
    -DCMAKE_C_FLAGS="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" \
    -DCMAKE_CXX_FLAGS="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" \
    -DEDGEOPT_BUILD_TESTS=OFF -DEDGEOPT_BUILD_TOOLS=OFF
  "$src/tools/check_symbols.sh" "$work/generic-arm/libedgeopt.a" arm-none-eabi-nm
  configure_build "$consumers/firmware" "$work/firmware" -DEDGEOPT_SOURCE_DIR="$src" \
    -DCMAKE_TOOLCHAIN_FILE="$src/platforms/cortex-m/toolchain-cortex-m4.cmake"
  ctest --test-dir "$work/firmware" --output-on-failure
  arm-none-eabi-size -A "$work/firmware/firmware.elf" | awk '$1 == ".text" { print $2 }' >"$work/firmware-text-bytes"
}

echo "consumers of edgeopt, in $work:"
if want find_package || want pkg-config || want deb; then
  run library library
fi
if [ -f "$work/lib/libedgeopt.a" ]; then
  want find_package && run find_package find_package_prefix
  want pkg-config && run pkg-config pkg_config_prefix
  if ! want deb; then
    :
  elif [ "$(id -u)" -ne 0 ]; then
    skipped+=("deb (dpkg -i needs root)")
  elif dpkg-query -W -f='${Status}' libedgeopt-dev 2>/dev/null | grep -q "install ok installed"; then
    skipped+=("deb (libedgeopt-dev is already installed here; not replacing it)")
  else
    run deb deb
  fi
fi
want add_subdirectory && run add_subdirectory add_subdirectory_consumer
if want fetchcontent; then
  if [ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
    echo "  note: uncommitted changes; fetchcontent builds HEAD ($(git -C "$src" rev-parse --short HEAD))"
  fi
  run fetchcontent fetchcontent_consumer
fi
want cross && run cross cross
want armhf && run armhf armhf
want firmware && run firmware firmware
if [ -s "$work/firmware-text-bytes" ]; then
  echo "  firmware consumer (Cortex-M4F, SGD through the C API, MinSizeRel): .text $(cat "$work/firmware-text-bytes") bytes"
fi

[ ${#skipped[@]} -eq 0 ] || printf '  SKIPPED: %s\n' "${skipped[@]}"
echo "consumers: ${passed} passed, ${#failed[@]} failed, ${#skipped[@]} skipped"
[ ${#failed[@]} -eq 0 ]

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# One command: examples/torch/run.sh
# Builds libedgeopt.so if it is missing, then runs the device -> DDP -> device
# round trip with Debian's python3 (torch 1.13).  Arguments go to the script.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -f "$root/build/shared/libedgeopt.so" ]; then
    cmake -S "$root" -B "$root/build/shared" -DBUILD_SHARED_LIBS=ON \
          -DEDGEOPT_BUILD_TESTS=OFF -DEDGEOPT_BUILD_TOOLS=OFF
    cmake --build "$root/build/shared" -j2
fi
PYTHONPATH="$root/python${PYTHONPATH:+:$PYTHONPATH}" \
    exec /usr/bin/python3 "$root/examples/torch/ddp_roundtrip.py" "$@"

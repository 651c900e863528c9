#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job: builds edgeopt and runs every optimizer on the seeds' bowl,
# drawing the paths into bowl_paths.svg.  Installs what is missing when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh host
tools/build_target.sh build/host edgeopt-demo
build/host/tools/edgeopt-demo --svg bowl_paths.svg "$@"

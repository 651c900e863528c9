#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fine-tunes a small MLP on Fashion-MNIST with every optimizer and draws the
# results (loss, test accuracy, bowl paths) into finetune-out/.  Installs what
# is missing when run as root, else names it.  Arguments go to edgeopt-finetune:
#   tools/finetune.sh                                   all twelve, about a minute
#   tools/finetune.sh --optimizer adam --set lr=0.003 --epochs 8
#   tools/finetune.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh host data  # data: zlib (reads the gzip IDX files) and the data set

build=${FINETUNE_BUILD_DIR:-build/host}  # shared with tools/demo.sh
tools/build_target.sh "$build" edgeopt-finetune
exec "$build"/examples/finetune/edgeopt-finetune "$@"

#!/usr/bin/env bash
# Distributed training on one or more nodes with torchrun.
#   bash tools/dist_train.sh CONFIG NPROC [train.py options...]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR (and PORT) on every node.
# Without CUDA, tools/train.py switches to the gloo backend by itself.
set -euo pipefail

CONFIG=$1
NPROC=$2
# shellcheck source=tools/_torchrun.sh
source "$(dirname "$0")/_torchrun.sh"

run_torchrun "${NPROC}" train.py "${CONFIG}" --launcher pytorch "${@:3}"

#!/usr/bin/env bash
# Distributed testing with torchrun.
#   bash tools/dist_test.sh CONFIG CHECKPOINT NPROC [test.py options...]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR (and PORT) on every node.
set -euo pipefail

CONFIG=$1
CHECKPOINT=$2
NPROC=$3
# shellcheck source=tools/_torchrun.sh
source "$(dirname "$0")/_torchrun.sh"

run_torchrun "${NPROC}" test.py "${CONFIG}" "${CHECKPOINT}" --launcher pytorch "${@:4}"

#!/usr/bin/env bash
# Distributed training with torchrun (DDP as mmengine launches it).
#   tools/dist_train.sh CONFIG GPUS [train.py args]
# Multi-machine: NNODES=2 NODE_RANK=0|1 MASTER_ADDR=host PORT=29500 on each.
# On CPU-only machines the backend is gloo (set by tools/train.py).
# A taken default port is replaced by a free one (single machine).
set -euo pipefail
USAGE="tools/dist_train.sh CONFIG NUM_PROCESSES [train.py args]"
DIR="$(cd "$(dirname "$0")" && pwd)"
PY=${PYTHON:-python}
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
source "$DIR/launch_checks.sh"
check_args 2 "$@"
CONFIG=$1
GPUS=$2
check_file config "$CONFIG"
check_procs "$GPUS"
pick_port

PYTHONPATH="$DIR/..":${PYTHONPATH:-} \
"$PY" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$DIR/train.py" "$CONFIG" --launcher pytorch "${@:3}"

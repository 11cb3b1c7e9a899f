#!/usr/bin/env bash
# Distributed testing with torchrun.
#   tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args]
# A taken default port is replaced by a free one (single machine).
set -euo pipefail
USAGE="tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [test.py args]"
DIR="$(cd "$(dirname "$0")" && pwd)"
PY=${PYTHON:-python}
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
source "$DIR/launch_checks.sh"
check_args 3 "$@"
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
check_file config "$CONFIG"
check_file checkpoint "$CHECKPOINT"
check_procs "$GPUS"
pick_port

PYTHONPATH="$DIR/..":${PYTHONPATH:-} \
"$PY" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$DIR/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"

#!/usr/bin/env bash
# Create .venv-waymo (tensorflow + waymo-open-dataset) for
# tools/waymo_extract.py; idempotent. About 1 minute and 2.8 GB.
#   make waymo-env        (or: bash tools/install_waymo_env.sh [PYTHON])
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-python3.11}
ENV=.venv-waymo
STAMP=$ENV/.dos_waymo_env
WANT=$(sha256sum requirements/waymo.txt | cut -d' ' -f1)
if [[ -f $STAMP && $(cat "$STAMP") == "$WANT" ]]; then
    echo "$ENV is up to date"; exit 0
fi
command -v "$PY" >/dev/null || {
    echo "error: $PY not found; pass a Python 3.9-3.11 interpreter:" \
         "bash tools/install_waymo_env.sh /path/to/python3.11" >&2; exit 2; }
[[ -x $ENV/bin/python ]] || "$PY" -m venv "$ENV"
"$ENV/bin/pip" install -q -r requirements/waymo.txt
"$ENV/bin/python" -c "from waymo_open_dataset import dataset_pb2" || {
    echo "error: waymo_open_dataset does not import in $ENV" >&2; exit 2; }
echo "$WANT" > "$STAMP"
echo "$ENV ready: $("$ENV/bin/python" -c 'import tensorflow as tf; print("tensorflow", tf.__version__)' 2>/dev/null)"

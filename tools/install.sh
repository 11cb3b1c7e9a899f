#!/usr/bin/env bash
# Idempotent installer for dos_mm (the target of `make install`).
#
# * Uses the active virtualenv ($VIRTUAL_ENV) if there is one, otherwise
#   creates ./.venv (git-ignored) with python3.
# * Keeps a torch >= 2.1 that is already installed; otherwise installs
#   torch==2.13.0 (a CPU build on machines where pip finds one locally).
# * Builds the mmcv 2.1.0 wheel with ops once per torch build and CUDA ops
#   and caches it in $DOS_MM_CACHE (default ~/.cache/dos_mm), outside the
#   repository; on a CUDA torch it first checks for an nvcc of the same
#   major version and compiles the CUDA ops even where no GPU is visible.
# * Installs the OpenMMLab stack, the runtime and test requirements, spconv
#   matching the torch build (CPU, or the cuXXX wheel of tools/install_plan.py
#   after removing the other flavours), then dos_mm in editable mode.
# * Skips everything when the requirement files, this script and the torch
#   build have not changed since the last successful run (stamp file).
#
# Every failure stops with the package, the version found, the version needed
# and the command that fixes it.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${DOS_MM_CACHE:-$HOME/.cache/dos_mm}"
TORCH_VERSION="${DOS_MM_TORCH:-2.13.0}"
MMCV_VERSION="2.1.0"
START=$(date +%s)

say() { printf '[install %4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
die() { printf '\n[install] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- venv ----
if [[ -n "${VIRTUAL_ENV:-}" ]]; then
    VENV="$VIRTUAL_ENV"
    say "using the active virtualenv $VENV"
else
    VENV="$REPO/.venv"
    if [[ ! -x "$VENV/bin/python" ]]; then
        command -v python3 >/dev/null || die "python3 not found. Install \
Python 3.8-3.11 (e.g. 'apt-get install python3 python3-venv')."
        say "creating $VENV"
        python3 -m venv "$VENV" || die "could not create $VENV. Install the \
venv module (e.g. 'apt-get install python3-venv') and run 'make install'."
    fi
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)
CONSTRAINTS=(-c "$REPO/requirements/constraints.txt")

pyver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case "$pyver" in
    3.8|3.9|3.10|3.11) ;;
    *) die "python $pyver found in $VENV; mmcv 2.1.0 and mmdet3d 1.4.0 need \
Python 3.8-3.11. Fix: 'rm -rf $VENV' and rerun 'make install' with \
python3.11 on PATH." ;;
esac

STAMP="$VENV/.dos_mm_install.stamp"
PLAN=("$PY" "$REPO/tools/install_plan.py")
torch_build() {
    "$PY" -c 'import torch; print(torch.__version__, torch.version.cuda or "cpu")' \
        2>/dev/null || echo none
}
stamp_of() {  # the requirements, this script and the torch build
    { cat "$REPO"/requirements/*.txt "$REPO/setup.cfg" "$REPO/tools/install.sh" \
        "$REPO/tools/install_plan.py"; torch_build; } | sha256sum | cut -c1-16
}
want_stamp=$(stamp_of)
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" ]] \
    && "$PY" -c 'import dos_mm' 2>/dev/null; then
    say "up to date ($VENV); nothing to do"
    exit 0
fi

# ------------------------------------------------------ build tooling ----
say "build tools: pip, setuptools>=77.0.3,<81 (mmcv's build needs pkg_resources), wheel"
"${PIP[@]}" install -q --upgrade pip 'setuptools>=77.0.3,<81' wheel

# ---------------------------------------------------------------- torch ----
have_torch=$("$PY" - <<'EOF' 2>/dev/null || true
import torch
major, minor = (int(x) for x in torch.__version__.split('+')[0].split('.')[:2])
print(torch.__version__ if (major, minor) >= (2, 1) else 'old:' + torch.__version__)
EOF
)
if [[ -z "$have_torch" ]]; then
    say "installing torch==$TORCH_VERSION"
    "${PIP[@]}" install -q "torch==$TORCH_VERSION" || die "could not \
install torch==$TORCH_VERSION. Fix: install a torch >= 2.1 for your machine \
(https://pytorch.org/get-started) into $VENV, then rerun 'make install'."
elif [[ "$have_torch" == old:* ]]; then
    die "torch ${have_torch#old:} found, dos_mm needs torch >= 2.1. Fix: \
'$PY -m pip install torch==$TORCH_VERSION' and rerun 'make install'."
else
    say "keeping the installed torch $have_torch"
fi
TORCH_TAG=$("$PY" -c 'import torch; print(torch.__version__)')
CUDA_VER=$("$PY" -c 'import torch; print(torch.version.cuda or "")')
"${PIP[@]}" install -q 'numpy>=1.23,<2'
SPCONV_REQ=$("${PLAN[@]}" spconv "$CUDA_VER" 2>&1) || die "$SPCONV_REQ"

# ----------------------------------------------------------------- mmcv ----
mmcv_ok=$("$PY" - <<EOF 2>/dev/null || true
import mmcv, mmcv.ops
from mmcv.ops import get_compiling_cuda_version
cuda_ops = get_compiling_cuda_version() != 'not available'
print(mmcv.__version__ == '$MMCV_VERSION' and cuda_ops == bool('$CUDA_VER'))
EOF
)
if [[ "$mmcv_ok" != "True" ]]; then
    WHEELS="$CACHE/wheels/$("${PLAN[@]}" wheel-key "$TORCH_TAG" "$CUDA_VER")"
    mkdir -p "$WHEELS" || die "cannot create the wheel cache $WHEELS. Fix: \
set DOS_MM_CACHE to a writable folder."
    wheel=$(ls "$WHEELS"/mmcv-$MMCV_VERSION-*.whl 2>/dev/null | head -n1 || true)
    if [[ -z "$wheel" && -z "$CUDA_VER" ]]; then  # CPU wheels of the older key
        wheel=$(ls "$CACHE/wheels/torch-$TORCH_TAG"/mmcv-$MMCV_VERSION-*.whl \
            2>/dev/null | head -n1 || true)
    fi
    if [[ -z "$wheel" ]]; then
        command -v "${CC:-gcc}" >/dev/null || die "no C/C++ compiler found; \
mmcv $MMCV_VERSION with ops must be compiled. Fix: 'apt-get install \
build-essential' (or set CC), then rerun 'make install'."
        "$PY" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
            || die "Python headers (Python.h) not found; needed to compile \
mmcv. Fix: 'apt-get install python3-dev' and rerun 'make install'."
        build_env=()
        if [[ -n "$CUDA_VER" ]]; then
            nvcc="${CUDA_HOME:+$CUDA_HOME/bin/}nvcc"
            nvcc_out=$("$nvcc" --version 2>/dev/null || true)
            found=$("${PLAN[@]}" nvcc "$CUDA_VER" "$nvcc_out" 2>&1) || die "$found"
            say "nvcc $found for torch's CUDA $CUDA_VER: compiling mmcv's CUDA ops"
            # compile the CUDA ops even where no GPU is visible (a build node)
            build_env=(FORCE_CUDA=1
                "TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-7.0;7.5;8.0;8.6;8.9;9.0}")
        fi
        say "building mmcv $MMCV_VERSION with ops for torch $TORCH_TAG (once; ~12 min on 2 cores) -> $WHEELS"
        tmp=$(mktemp -d)
        env "${build_env[@]}" MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" "${PIP[@]}" wheel \
            --no-deps --no-build-isolation -w "$tmp" "mmcv==$MMCV_VERSION" \
            > "$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log"; die \
"building mmcv $MMCV_VERSION failed (log above, full log $tmp/build.log). \
Fix: check the compiler and that torch imports, then rerun 'make install'."; }
        mv "$tmp"/mmcv-*.whl "$WHEELS/"   # move is atomic: no half wheel in the cache
        wheel=$(ls "$WHEELS"/mmcv-$MMCV_VERSION-*.whl | head -n1)
    else
        say "reusing cached mmcv wheel $wheel"
    fi
    "${PIP[@]}" install -q --no-deps --force-reinstall "$wheel"
fi

# ------------------------------------------------------ the rest -----------
say "OpenMMLab stack: mmengine, mmdet, mmdet3d (--no-deps, see requirements/mminstall.txt)"
"${PIP[@]}" install -q --no-deps mmengine==0.10.7 mmdet==3.3.0 mmdet3d==1.4.0 \
    lyft_dataset_sdk==0.0.8
say "runtime and test requirements"
req_runtime=$(grep -v '^spconv' "$REPO/requirements/runtime.txt")
"${PIP[@]}" install -q "${CONSTRAINTS[@]}" \
    $(echo "$req_runtime" | sed 's/#.*//' | xargs) \
    -r "$REPO/requirements/tests.txt"
spconv_pkg="$SPCONV_REQ"
say "torch CUDA '${CUDA_VER:-none}': installing $spconv_pkg ($("${PLAN[@]}" note "$CUDA_VER"))"
# the CPU and cuXXX flavours of spconv / cumm overwrite each other's files
"${PIP[@]}" uninstall -y -q $("${PLAN[@]}" others "$CUDA_VER") >/dev/null 2>&1 || true
"${PIP[@]}" install -q "${CONSTRAINTS[@]}" "$spconv_pkg" || die "could not install $spconv_pkg \
for torch $TORCH_TAG (CUDA '${CUDA_VER:-none}'). Fix: install the spconv wheel \
that matches your CUDA (see https://github.com/traveller59/spconv) and rerun."
say "dos_mm (editable)"
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$REPO"

"$PY" "$REPO/tools/check_env.py" || die "environment check failed (above)."
stamp_of > "$STAMP"  # with the torch build now installed
say "done: $VENV"

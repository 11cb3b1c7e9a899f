"""The decisions of tools/install.sh, as functions of the torch build.

    python tools/install_plan.py spconv CUDA      # the spconv wheel to install
    python tools/install_plan.py others CUDA      # flavours to remove first
    python tools/install_plan.py wheel-key TORCH CUDA
    python tools/install_plan.py nvcc CUDA NVCC_VERSION_OUTPUT

``CUDA`` is ``torch.version.cuda`` ('' for a CPU build). Each prints one
line (or a list) and exits 0, or prints the reason and exits 2. Kept apart
from install.sh so that its tests can drive every branch with a stubbed
torch version, without a GPU.
"""
import re
import sys
from typing import List, Optional, Tuple

SPCONV_VERSION = '2.3.8'
# spconv's CUDA wheels on PyPI and their newest release (read from PyPI,
# 2026-12): cu118 2.3.8, cu120 2.3.6, cu121 2.3.8, cu124 2.3.8, cu126
# 2.3.8; there is no cu130. A torch CUDA minor maps to the newest wheel
# built for a CUDA not newer than it.
SPCONV_WHEELS: Tuple[Tuple[Tuple[int, int], str, str], ...] = (
    ((11, 8), 'spconv-cu118', '2.3.8'),
    ((12, 0), 'spconv-cu120', '2.3.6'),
    ((12, 1), 'spconv-cu121', '2.3.8'),
    ((12, 4), 'spconv-cu124', '2.3.8'),
    ((12, 6), 'spconv-cu126', '2.3.8'),
)
# a CUDA 13 torch gets the newest CUDA 12 wheel: its kernels run on the
# CUDA 13 driver, but that pairing was not verified here (no GPU)
UNVERIFIED_MAJOR = 13
FLAVOURS = ('spconv', 'cumm') + tuple(
    f'{pkg}-{tag}' for pkg in ('spconv', 'cumm')
    for tag in ('cu102', 'cu111', 'cu113', 'cu114', 'cu116', 'cu117', 'cu118',
                'cu120', 'cu121', 'cu124', 'cu126'))


def parse_cuda(cuda: str) -> Optional[Tuple[int, int]]:
    """'12.4' -> (12, 4); '' or None -> None (a CPU torch)."""
    if not cuda:
        return None
    match = re.match(r'^(\d+)\.(\d+)', cuda)
    if not match:
        raise ValueError(f'cannot read the CUDA version {cuda!r} of torch')
    return int(match[1]), int(match[2])


def spconv_requirement(cuda: str) -> Tuple[str, str]:
    """(pip requirement, note) of the spconv build for a torch built with
    ``cuda``; ValueError (with the fix) where no wheel fits."""
    version = parse_cuda(cuda)
    if version is None:
        return f'spconv=={SPCONV_VERSION}', 'CPU build'
    if version[0] > UNVERIFIED_MAJOR:
        raise ValueError(
            f'torch is built with CUDA {cuda}; spconv has no wheel for it. '
            'Fix: install a CUDA 12.x torch (pip install torch==2.13.0 '
            '--index-url https://download.pytorch.org/whl/cu126) and rerun '
            'make install')
    fitting = [w for w in SPCONV_WHEELS if w[0] <= version]
    if not fitting:
        raise ValueError(
            f'torch is built with CUDA {cuda}; the oldest spconv CUDA wheel '
            'is for 11.8. Fix: install a torch built with CUDA 11.8 or '
            'newer and rerun make install')
    _, package, pin = fitting[-1]
    note = f'for CUDA {cuda}'
    if version[0] == UNVERIFIED_MAJOR:
        note += (' (spconv has no CUDA 13 wheel: the newest CUDA 12 one, '
                 'not verified under a CUDA 13 torch)')
    return f'{package}=={pin}', note


def other_flavours(requirement: str) -> List[str]:
    """The spconv / cumm packages to uninstall before ``requirement`` (the
    flavours overwrite each other's files)."""
    name = requirement.split('==')[0]
    keep = {name, name.replace('spconv', 'cumm')}
    return [f for f in FLAVOURS if f not in keep]


def wheel_key(torch_version: str, cuda: str) -> str:
    """The mmcv wheel cache key: the torch build and the CUDA ops in it."""
    version = parse_cuda(cuda)
    ops = 'cpu' if version is None else f'cu{version[0]}{version[1]}'
    return f'torch-{torch_version}-ops-{ops}'


def check_nvcc(cuda: str, nvcc_output: str) -> str:
    """The nvcc release for a CUDA build of mmcv's ops; ValueError naming
    the fix when there is none or its major differs from torch's CUDA."""
    version = parse_cuda(cuda)
    if version is None:
        return 'not needed (CPU torch)'
    match = re.search(r'release (\d+)\.(\d+)', nvcc_output or '')
    if not match:
        raise ValueError(
            f'torch is built with CUDA {cuda}, and building mmcv\'s CUDA ops '
            'needs nvcc of the same major version, but none was found. Fix: '
            f'install the CUDA {version[0]}.x toolkit and put its nvcc on '
            'PATH (or set CUDA_HOME), then rerun make install')
    found = (int(match[1]), int(match[2]))
    if found[0] != version[0]:
        raise ValueError(
            f'nvcc is CUDA {found[0]}.{found[1]} but torch is built with CUDA '
            f'{cuda}; mmcv\'s ops must be compiled with the same major '
            f'version. Fix: put a CUDA {version[0]}.x nvcc first on PATH '
            '(or set CUDA_HOME), then rerun make install')
    return f'{found[0]}.{found[1]}'


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    what, args = argv[0], argv[1:]
    try:
        if what == 'spconv':
            print(spconv_requirement(args[0] if args else '')[0])
        elif what == 'note':
            print(spconv_requirement(args[0] if args else '')[1])
        elif what == 'others':
            req = spconv_requirement(args[0] if args else '')[0]
            print(' '.join(other_flavours(req)))
        elif what == 'wheel-key':
            print(wheel_key(args[0], args[1] if len(args) > 1 else ''))
        elif what == 'nvcc':
            print(check_nvcc(args[0], args[1] if len(args) > 1 else ''))
        else:
            print(f'unknown question {what!r}', file=sys.stderr)
            return 2
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Check that the installed stack is the one dos_mm was verified with.

Prints one line per package and exits non-zero with, for every problem, the
package, the version found, the version needed and the command that fixes it.

Usage: ``python tools/check_env.py``
"""
import importlib
import sys
from typing import Callable, List, Optional, Tuple

# (import name, pip name, predicate on the version string, needed, fix)
Requirement = Tuple[str, str, Callable[[str], bool], str, str]


def _version_tuple(version: str) -> Tuple[int, ...]:
    parts = []
    for piece in version.split('+')[0].split('.'):
        digits = ''.join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


REQUIREMENTS: List[Requirement] = [
    ('torch', 'torch', lambda v: _version_tuple(v) >=
     (2, 1), '>=2.1', 'pip install torch==2.13.0'),
    ('numpy', 'numpy', lambda v: _version_tuple(v) <
     (2, ), '<2', "pip install 'numpy<2'"),
    ('mmengine', 'mmengine', lambda v: v == '0.10.7', '==0.10.7',
     'pip install mmengine==0.10.7'),
    ('mmcv', 'mmcv', lambda v: v == '2.1.0', '==2.1.0 (with ops)',
     'make install  (builds and caches the mmcv wheel with ops)'),
    ('mmdet', 'mmdet', lambda v: v == '3.3.0', '==3.3.0',
     'pip install --no-deps mmdet==3.3.0'),
    ('mmdet3d', 'mmdet3d', lambda v: v == '1.4.0', '==1.4.0',
     'pip install --no-deps mmdet3d==1.4.0'),
    ('spconv', 'spconv', lambda v: _version_tuple(v) >=
     (2, 3), '>=2.3', 'pip install spconv==2.3.8  (CUDA 12: spconv-cu120)'),
]


def check(requirements: Optional[List[Requirement]] = None) -> List[str]:
    """Return one message per missing or mismatched package."""
    problems = []
    for module, pip_name, ok, needed, fix in requirements or REQUIREMENTS:
        try:
            mod = importlib.import_module(module)
        except Exception as exc:  # ImportError, or a broken native build
            problems.append(f'{pip_name}: not importable ({exc!r}); '
                            f'needed {needed}. Fix: {fix}')
            continue
        version = getattr(mod, '__version__', '?')
        if not ok(version):
            problems.append(f'{pip_name}: found {version}, needed {needed}. '
                            f'Fix: {fix}')
        else:
            print(f'  {pip_name:<10} {version}')
    if not problems:
        try:
            import mmcv.ops  # noqa: F401
        except Exception as exc:
            problems.append(f'mmcv: installed without compiled ops ({exc!r}); '
                            'needed 2.1.0 with ops. Fix: pip uninstall -y '
                            'mmcv && make install')
    return problems


def cuda_problems(torch_cuda: str, distributions, spconv_cpu_only: bool,
                  mmcv_cuda: str) -> List[str]:
    """What a CUDA torch needs beyond the versions: spconv's CUDA flavour
    (alone: the flavours overwrite each other's files) and mmcv built with
    CUDA ops. Empty for a CPU torch.

    Args:
        torch_cuda (str): ``torch.version.cuda`` ('' for a CPU build).
        distributions: installed distribution names, lower case.
        cumm_cpu_only (bool): ``cumm.constants.CUMM_CPU_ONLY_BUILD``.
        mmcv_cuda (str): ``mmcv.ops.get_compiling_cuda_version()``.
    """
    if not torch_cuda:
        return []
    problems = []
    flavours = sorted(d for d in distributions
                      if d == 'spconv' or d.startswith('spconv-cu'))
    cuda_flavours = [d for d in flavours if d != 'spconv']
    if not cuda_flavours or len(flavours) > 1 or spconv_cpu_only:
        problems.append(
            f'spconv: {flavours or "none"} installed (CPU-only build: '
            f'{spconv_cpu_only}) for a CUDA {torch_cuda} torch; needed '
            'exactly one spconv-cuXXX wheel. Fix: pip uninstall -y spconv '
            'cumm && '
            'make install')
    if mmcv_cuda == 'not available':
        problems.append(
            f'mmcv: compiled without CUDA ops for a CUDA {torch_cuda} torch '
            "(CenterPoint's voxelisation and NMS would fail on CUDA "
            'tensors). Fix: pip uninstall -y mmcv && make install (needs '
            "an nvcc of torch's CUDA major version)")
    return problems


def _cuda_facts():
    from importlib import metadata

    import torch
    names = {(d.metadata['Name'] or '').lower()
             for d in metadata.distributions()}
    try:
        from spconv.cppconstants import CPU_ONLY_BUILD
    except Exception:
        CPU_ONLY_BUILD = True
    try:
        from mmcv.ops import get_compiling_cuda_version
        mmcv_cuda = get_compiling_cuda_version()
    except Exception:
        mmcv_cuda = 'not available'
    return torch.version.cuda or '', names, bool(CPU_ONLY_BUILD), mmcv_cuda


def main() -> int:
    problems = check()
    if not problems:
        problems = cuda_problems(*_cuda_facts())
    for problem in problems:
        print(f'ERROR {problem}', file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

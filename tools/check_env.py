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


def main() -> int:
    problems = check()
    for problem in problems:
        print(f'ERROR {problem}', file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

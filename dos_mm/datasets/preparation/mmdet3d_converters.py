"""Import mmdet3d's dataset converters from the installed package.

mmdet3d ships its ``tools/dataset_converters`` inside the wheel
(``mmdet3d/.mim/tools``) but not as an importable package; its modules
import each other as ``tools.dataset_converters.*``. Neither that folder nor
this repository's ``tools/`` has an ``__init__.py``, so with ``.mim`` on the
path both are portions of one ``tools`` namespace package and mmdet3d's
converters import as they expect.
"""
import importlib
import os.path as osp
import sys
from types import ModuleType

import mmdet3d


def mim_root() -> str:
    """``.../site-packages/mmdet3d/.mim``."""
    return osp.join(osp.dirname(mmdet3d.__file__), '.mim')


def converter(name: str) -> ModuleType:
    """``tools.dataset_converters.<name>`` of the installed mmdet3d."""
    root = mim_root()
    if not osp.isfile(
            osp.join(root, 'tools', 'dataset_converters', f'{name}.py')):
        raise ImportError(
            f'mmdet3d {mmdet3d.__version__} at {osp.dirname(root)} ships no '
            f'tools/dataset_converters/{name}.py. Fix: reinstall mmdet3d '
            'from its wheel (make install)')
    if root not in sys.path:
        sys.path.append(root)
    return importlib.import_module(f'tools.dataset_converters.{name}')

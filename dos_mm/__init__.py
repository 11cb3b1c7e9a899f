"""dos_mm: DOS self-supervised pretraining for MMDetection3D backbones.

Importing the package applies the CPU compatibility fixes (see
``dos_mm.compat``) and registers every part in mmdet3d's registries, so
configs load it with ``custom_imports = dict(imports=['dos_mm'])``.
"""
from .compat import apply_compat_patches
from .version import __version__

apply_compat_patches()

from . import evaluation  # noqa: E402,F401
from . import converters, datasets, engine, models, utils

__all__ = ['__version__', 'apply_compat_patches']

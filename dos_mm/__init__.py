"""dos_mm: DOS self-supervised pretraining for MMDetection3D backbones.

Importing the package applies the CPU compatibility fixes (see
``dos_mm.compat``) and registers every part in mmdet3d's registries, so
configs load it with ``custom_imports = dict(imports=['dos_mm'])``.
"""
# isort: skip_file  (the compat patches must run before registration)
from .compat import apply_compat_patches
from .version import __version__

apply_compat_patches()

# registering the modules needs the patches above first
from . import converters, datasets, engine, evaluation  # noqa: E402,F401
from . import models, utils  # noqa: E402,F401

__all__ = ['__version__', 'apply_compat_patches']

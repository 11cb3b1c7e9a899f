"""Small, documented fixes to the OpenMMLab stack (mostly for CPU).

Each fix is applied once by :func:`apply_compat_patches` (called when
``dos_mm`` is imported), only where it is needed, and has its own test in
``tests/test_compat``.
"""
from .atomic_checkpoint import patch_atomic_checkpoint
from .centerpoint_head_init import patch_centerpoint_head_init
from .checkpoint_rotation import patch_checkpoint_rotation
from .mmengine_checkpoint import patch_mmengine_local_loader
from .mmengine_cpu_dist import patch_mmengine_cpu_dist
from .numpy_long import restore_numpy_long
from .spconv_cpu import patch_spconv_cpu_stream
from .spconv_cpu_algo import patch_spconv_cpu_algo
from .spconv_cpu_conv import patch_spconv_cpu_conv

_APPLIED = {}


def apply_compat_patches() -> dict:
    """Apply every compatibility fix once; return which were applied."""
    if not _APPLIED:
        _APPLIED['spconv_cpu_stream'] = patch_spconv_cpu_stream()
        _APPLIED['spconv_cpu_conv'] = patch_spconv_cpu_conv()
        _APPLIED['spconv_cpu_algo'] = patch_spconv_cpu_algo()
        _APPLIED['numpy_long'] = restore_numpy_long()
        _APPLIED['mmengine_local_loader'] = patch_mmengine_local_loader()
        _APPLIED['mmengine_cpu_dist'] = patch_mmengine_cpu_dist()
        _APPLIED['atomic_checkpoint'] = patch_atomic_checkpoint()
        _APPLIED['checkpoint_rotation'] = patch_checkpoint_rotation()
        _APPLIED['centerpoint_head_init'] = patch_centerpoint_head_init()
    return dict(_APPLIED)


__all__ = [
    'apply_compat_patches', 'patch_spconv_cpu_stream', 'patch_spconv_cpu_conv',
    'restore_numpy_long', 'patch_mmengine_local_loader',
    'patch_mmengine_cpu_dist', 'patch_atomic_checkpoint',
    'patch_checkpoint_rotation',
    'patch_centerpoint_head_init', 'patch_spconv_cpu_algo'
]

"""Restore ``np.long`` for mmdet3d's ground-truth sampler.

``mmdet3d/datasets/transforms/dbsampler.py`` (1.4.0) builds an array with
``dtype=np.long``. numpy 1.24 removed that alias (numpy 2 reintroduced it), so
``ObjectSample`` (GT-paste augmentation) crashes with ``AttributeError``.
The alias is restored to ``np.int64``, exactly what it meant on the 64-bit
platforms mmdet3d supports, and only where it is missing.
"""
import numpy as np


def restore_numpy_long() -> bool:
    """Define ``np.long = np.int64`` if numpy lacks it.

    Returns:
        bool: Whether the alias was added.
    """
    if 'long' in vars(np):  # numpy < 1.24 or >= 2: nothing to do
        return False
    np.long = np.int64
    return True

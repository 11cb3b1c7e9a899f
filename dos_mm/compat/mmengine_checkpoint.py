"""Let mmengine 0.10.7 load its own checkpoints under torch >= 2.6.

torch 2.6 changed ``torch.load``'s default to ``weights_only=True``.
mmengine 0.10.7's local checkpoint loader calls ``torch.load`` without the
argument, and its checkpoints hold more than tensors (``HistoryBuffer``,
numpy arrays, the config), so ``--resume`` and ``load_from`` fail with an
``UnpicklingError``. The local-file loader is re-registered to pass
``weights_only=False``, the behaviour mmengine was written against. Only
local files go through it: training checkpoints the user wrote. Load files
of unknown origin with ``torch.load(..., weights_only=True)`` yourself.
"""
import os.path as osp

import torch


def _torch_load_accepts_weights_only() -> bool:
    major, minor = (int(x) for x in torch.__version__.split('.')[:2])
    return (major, minor) >= (2, 6)


def load_from_local(filename: str, map_location=None):
    """mmengine's ``load_from_local`` with ``weights_only=False`` (the
    name is kept: mmengine logs it as the backend name)."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=False)
    except Exception as exc:  # truncated / not a torch file
        raise RuntimeError(
            f'{filename}: cannot be read as a checkpoint ({exc!r:.200}); it '
            'is corrupted or truncated. Fix: resume from an earlier one '
            '(--resume work_dirs/.../iter_N.pth) or delete it and the '
            "work dir's last_checkpoint file") from exc


def patch_mmengine_local_loader() -> bool:
    """Register :func:`load_from_local` for plain paths.

    Returns:
        bool: Whether the loader was replaced (torch >= 2.6 only).
    """
    if not _torch_load_accepts_weights_only():
        return False
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme('', load_from_local, force=True)
    return True

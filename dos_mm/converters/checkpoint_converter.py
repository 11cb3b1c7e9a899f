"""DOS checkpoint -> backbone checkpoint that mmdet3d models load.

mmdet3d replaces spconv's ``_load_from_state_dict``: unless the checkpoint's
``_metadata`` says ``version: 2`` for a sparse-conv module, the kernel is
permuted from the spconv-1 layout, no longer fits, and is skipped with a
warning (``init_cfg`` loading is not strict). The converter therefore renames
the keys *and* the ``_metadata`` entries of the chosen network's backbone to
the target model's module path.
"""
import os.path as osp
from collections import OrderedDict
from typing import Dict, Tuple

import torch
from torch import Tensor

from dos_mm.utils.atomic_write import atomic_path

# where each downstream model keeps the backbone DOS pretrains
TARGETS: Dict[str, str] = {
    'centerpoint': 'pts_middle_encoder',  # CenterPoint / any MVXTwoStage
    'minkunet': 'backbone',  # MinkUNet (spconv)
    'ptv3': 'backbone.encoder',  # MinkUNet segmentor with a PTv3 backbone
}
NETS: Dict[str, str] = {'teacher': 'teacher.module', 'student': 'student'}
# parameter-name parts each target's backbone must have
SIGNATURES: Dict[str, Tuple[str, ...]] = {
    'centerpoint': ('.encoder_layers.', '.conv_out.'),  # SparseEncoder
    'minkunet': ('.encoder.', '.decoder.'),  # MinkUNetBackbone
    'ptv3': ('.stages.', '.pools.'),  # PointTransformerV3
}


def load_dos_checkpoint(path: str) -> dict:
    """Read a DOS training checkpoint; errors name the file and the fix."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such checkpoint file')
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=False)
    except Exception as exc:  # truncated download, not a torch file, ...
        raise ValueError(
            f'{path}: cannot be read as a torch checkpoint ({exc!r:.200}); '
            'the file is corrupted or truncated. Fix: copy or download it '
            'again') from exc
    if not isinstance(ckpt, dict) or 'state_dict' not in ckpt:
        raise ValueError(f'{path}: not an mmengine checkpoint (no '
                         "'state_dict' key). Fix: pass a checkpoint written "
                         'by tools/train.py with a DOS config')
    return ckpt


def convert_state_dict(state_dict: OrderedDict,
                       target: str,
                       net: str = 'teacher') -> Tuple[OrderedDict, int]:
    """Extract ``{net}.backbone.*`` under the target's module path.

    Args:
        state_dict (OrderedDict): a DOS model's state dict (with
            ``_metadata`` as ``nn.Module.state_dict`` makes it).
        target (str): a key of ``TARGETS``.
        net (str): ``'teacher'`` (default: the EMA network) or
            ``'student'``.

    Returns:
        tuple: the converted state dict (with renamed ``_metadata``) and the
        number of tensors in it.
    """
    if target not in TARGETS:
        raise ValueError(f'unknown target {target!r}; known: '
                         f'{sorted(TARGETS)}')
    tensors = backbone_tensors(state_dict, net)
    src, dst = f'{NETS[net]}.backbone', TARGETS[target]
    out = OrderedDict((f'{dst}.{k}', v) for k, v in tensors.items())
    missing = [p for p in SIGNATURES[target] if not any(p in k for k in out)]
    if missing:
        raise ValueError(
            f'the {net} backbone is not a {target} backbone (no parameter '
            f'names with {missing}). Fix: use --target '
            f'{_guess_target(out) or "matching the pretraining config"}')
    metadata = getattr(state_dict, '_metadata', None)
    if metadata is None:
        raise ValueError('the state dict has no _metadata; without it '
                         "mmdet3d skips every sparse-conv kernel. Fix: save "
                         'the model with mmengine (tools/train.py)')
    new_meta = OrderedDict()
    for name, value in metadata.items():
        if name == src or name.startswith(src + '.'):
            new_meta[dst + name[len(src):]] = value
    out._metadata = new_meta
    return out, len(out)


def _guess_target(keys) -> str:
    for name, parts in SIGNATURES.items():
        if all(any(p in k for k in keys) for p in parts):
            return name
    return ''


def save_converted(state_dict: OrderedDict, path: str, meta: dict) -> None:
    """Write ``{'state_dict', 'meta'}`` atomically (temp file + rename)."""
    atomic_save(dict(state_dict=state_dict, meta=meta), path)


def atomic_save(obj: dict, path: str) -> None:
    """``torch.save(obj, path)`` through a temporary file and a rename, so
    that a kill or a full disk never leaves a partial file at ``path``."""
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def backbone_tensors(state_dict: OrderedDict,
                     net: str = 'teacher') -> 'OrderedDict[str, Tensor]':
    """The ``{net}.backbone.*`` tensors of a DOS state dict, keys relative
    to the backbone."""
    if net not in NETS:
        raise ValueError(f'unknown net {net!r}; known: {sorted(NETS)}')
    src = f'{NETS[net]}.backbone.'
    out = OrderedDict(
        (k[len(src):], v) for k, v in state_dict.items() if k.startswith(src))
    if not out:
        sample = ', '.join(list(state_dict)[:3])
        raise ValueError(f"not a DOS checkpoint: no '{src}' tensors (keys "
                         f'look like: {sample}). Fix: pass a checkpoint of '
                         'configs/dos/pretrain_*.py')
    return out

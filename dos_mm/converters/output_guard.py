"""Refuse a converter output that would destroy a file the user has.

A converted backbone is a small derived file; the training checkpoint it
comes from (student, teacher, optimizer, schedulers) may hold days of
pretraining. Writing the output over its own input, or over any training
checkpoint, loses that, so the converter checks before it reads anything.
"""
import os.path as osp

import torch

# keys mmengine's CheckpointHook writes beside the weights: a file with any
# of them is a training checkpoint, not a converted backbone
TRAINING_KEYS = ('optimizer', 'message_hub', 'param_schedulers')


def check_output_path(src: str, dst: str) -> None:
    """Raise ``ValueError`` when writing ``dst`` would replace ``src``
    (the same path, or the same file through a link) or an existing
    training checkpoint; the message names the file and the fix."""
    same = osp.realpath(src) == osp.realpath(dst) or (
        osp.exists(src) and osp.exists(dst) and osp.samefile(src, dst))
    if same:
        raise ValueError(
            f'{dst}: the output is the input checkpoint {src}; converting '
            'would replace the training checkpoint by the backbone alone. '
            'Fix: name another output file')
    if not osp.isfile(dst):
        return
    try:
        existing = torch.load(dst, map_location='cpu', weights_only=False)
    except Exception:  # not a torch file: the user's, but not a checkpoint
        existing = None
    if isinstance(existing, dict) and any(k in existing
                                          for k in TRAINING_KEYS):
        found = [k for k in TRAINING_KEYS if k in existing]
        raise ValueError(
            f'{dst}: already holds a training checkpoint (it has '
            f'{", ".join(found)}); converting would overwrite it. Fix: name '
            'another output file, or move that checkpoint first')

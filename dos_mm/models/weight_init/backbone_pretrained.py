"""Strict, counted loading of a converted DOS backbone into an mmdet3d model.

mmengine's ``Pretrained`` initializer loads with ``strict=False``: a kernel
that mmdet3d's spconv loader skips (wrong ``_metadata`` version, wrong
layout) or a backbone of another size only produces a log line, and the
fine-tuning then silently starts from random weights. ``BackbonePretrained``
loads the tensors under ``prefix`` and fails before training starts unless
every tensor of that sub-module is in the file, has the same shape, and
equals the file's value after loading.

Use it on the whole model (it is applied before the children's own
``init_weights``, which is why the loaded sub-module is marked initialised)::

    custom_imports = dict(imports=['dos_mm'], allow_failed_imports=False)
    model = dict(init_cfg=dict(type='BackbonePretrained',
                               checkpoint='checkpoints/dos_centerpoint.pth',
                               prefix='pts_middle_encoder'))

mmengine's plain ``dict(type='Pretrained', checkpoint=...)`` also loads a
converted checkpoint (the converter writes full-model key names), without
these checks.
"""
import os.path as osp
from collections import OrderedDict

import torch
from mmdet3d.registry import WEIGHT_INITIALIZERS
from mmengine.logging import print_log
from mmengine.model.weight_init import update_init_info
from mmengine.runner.checkpoint import load_state_dict
from torch import nn


def _read_state_dict(path: str) -> OrderedDict:
    """The ``state_dict`` of a checkpoint file; errors name the file."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path}: pretrained checkpoint not found. Fix: convert a DOS '
            'checkpoint with tools/convert_checkpoint.py and set '
            'model.init_cfg.checkpoint to its path')
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=False)
    except Exception as exc:
        raise ValueError(f'{path}: cannot be read as a torch checkpoint '
                         f'({exc!r:.200}); the file is corrupted or '
                         'truncated. Fix: convert or copy it again') from exc
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f'{path}: holds no state dict')
    return state


@WEIGHT_INITIALIZERS.register_module(name='BackbonePretrained')
class BackbonePretrainedInit:
    """Load ``prefix.*`` from a checkpoint into ``module.<prefix>``, strictly.

    Args:
        checkpoint (str): converted checkpoint
            (``tools/convert_checkpoint.py``).
        prefix (str): the sub-module path in the model and in the file,
            e.g. ``'pts_middle_encoder'`` (CenterPoint) or ``'backbone'``
            (MinkUNet).
    """

    def __init__(self, checkpoint: str, prefix: str) -> None:
        self.checkpoint = checkpoint
        self.prefix = prefix.rstrip('.')

    def __call__(self, module: nn.Module) -> None:
        try:
            sub = module.get_submodule(self.prefix)
        except AttributeError as exc:
            raise ValueError(
                f'init_cfg BackbonePretrained: the model '
                f'{type(module).__name__} has no sub-module '
                f"'{self.prefix}'. Fix: set prefix to the backbone's path "
                "('pts_middle_encoder' for CenterPoint, 'backbone' for "
                'MinkUNet)') from exc
        source = _read_state_dict(self.checkpoint)
        head = self.prefix + '.'
        state = OrderedDict((k[len(head):], v) for k, v in source.items()
                            if k.startswith(head))
        meta = getattr(source, '_metadata', None)
        if meta is not None:  # spconv kernels load only with their versions
            state._metadata = OrderedDict(
                (k[len(head):] if k != self.prefix else '', v)
                for k, v in meta.items()
                if k == self.prefix or k.startswith(head))
        own = sub.state_dict()
        missing = [k for k in own if k not in state]
        shapes = [
            f'{k}: file {tuple(state[k].shape)} vs model {tuple(v.shape)}'
            for k, v in own.items() if k in state and state[k].shape != v.shape
        ]
        if missing or shapes:
            raise ValueError(
                f'{self.checkpoint}: does not fit {type(module).__name__}.'
                f'{self.prefix} ({len(missing)} of {len(own)} tensors '
                f'missing, e.g. {missing[:3]}; shape mismatches: '
                f'{shapes[:3]}). Fix: convert with the --target of this '
                'model and pretrain with the config matching its backbone')
        # names and shapes are checked above; mmdet3d's spconv loader may
        # still skip a kernel, which the value check below reports
        load_state_dict(sub, state, strict=False, logger='current')
        loaded = sub.state_dict()
        wrong = [
            k for k in own
            if not torch.equal(loaded[k].cpu(), state[k].to(loaded[k].dtype))
        ]
        if wrong:
            raise ValueError(
                f'{self.checkpoint}: {len(wrong)} tensors of '
                f'{self.prefix} differ from the file after loading (e.g. '
                f'{wrong[:3]}); sparse-conv kernels were re-laid out because '
                "the file's _metadata lacks their version. Fix: convert "
                'the checkpoint with tools/convert_checkpoint.py')
        sub._is_init = True  # children's init_weights must not redo it
        extra = len(state) - len(own)
        print_log(
            f'BackbonePretrained: loaded {len(own)}/{len(own)} tensors of '
            f"'{self.prefix}' from {self.checkpoint}" +
            (f' ({extra} extra tensors in the file ignored)' if extra else ''),
            logger='current')
        if hasattr(module, '_params_init_info'):
            update_init_info(
                module,
                init_info=f'BackbonePretrained {self.prefix} from '
                f'{self.checkpoint}')

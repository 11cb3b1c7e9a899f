"""mmdet3d ``SparseEncoder`` <-> OpenPCDet ``VoxelResBackBone8x`` /
``VoxelBackBone8x`` state dicts, both ways.

The networks are the same convolutions in the same order:

* mmdet3d's CenterPoint encoder (``block_type='basicblock'``, channels
  ((16, 16, 32), (32, 32, 64), (64, 64, 128), (128, 128))) is OpenPCDet's
  ``VoxelResBackBone8x`` (CenterPoint nuScenes / Waymo). mmdet3d ends each
  stage with its stride-2 convolution (``encoder_layer{s}.2``), OpenPCDet
  starts the next stage with it (``conv{s+1}.0``), so block ``j`` of stage
  ``s > 1`` is ``conv{s}.{j + 1}``. OpenPCDet's residual convolutions carry
  a bias that mmdet3d's do not have: exported as zeros (the same function);
  imported by folding it into the following BatchNorm's running mean (the
  same function in eval mode; in training mode BatchNorm removes any
  constant per channel).
* mmdet3d's default encoder (``block_type='conv_module'``, channels
  ((16,), (32, 32, 32), (64, 64, 64), (64, 64, 64))) is OpenPCDet's
  ``VoxelBackBone8x`` (SECOND, PV-RCNN, CenterPoint without ResNet): the
  same names but for the prefixes.

Both keep spconv 2 kernels as ``(out, k0, k1, k2, in)``. OpenPCDet reads
``checkpoint['model_state']`` with keys ``backbone_3d.<key>`` and loads
non-strictly, logging ``Not updated weight <key>`` for each tensor whose
name or shape does not match: every export here therefore has exactly the
keys and shapes of :func:`openpcdet_layout`.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Tuple

import torch
from torch import Tensor

from .checkpoint_converter import TARGETS, backbone_tensors

BACKBONES = ('VoxelResBackBone8x', 'VoxelBackBone8x')
PREFIX = 'backbone_3d.'
# the dos_mm pretraining config whose encoder each OpenPCDet class is
FITTING_CONFIG = {
    'VoxelResBackBone8x':
    'configs/dos/pretrain_nuscenes.py (or '
    'pretrain_nuscenes_voxel0075.py, pretrain_waymo.py)',
    'VoxelBackBone8x':
    'configs/dos/pretrain_kitti_voxelbackbone8x.py (or '
    'pretrain_waymo_voxelbackbone8x.py)',
}
_BN = ('weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked')
_RES_BLOCK = re.compile(r'^encoder_layers\.encoder_layer(\d)\.([01])\.(.+)$')
_RES_DOWN = re.compile(r'^encoder_layers\.encoder_layer(\d)\.2\.(.+)$')
_PLAIN = re.compile(r'^encoder_layers\.encoder_layer(\d)\.(\d)\.(.+)$')
_PCDET_STAGE = re.compile(r'^conv(\d)\.(\d)\.(.+)$')
_RES_BIAS = re.compile(r'^(.*)\.conv([12])\.bias$')


def _conv_module(name: str, cout: int, cin: int,
                 kernel=(3, 3, 3)) -> List[Tuple[str, tuple]]:
    return [(f'{name}.0.weight',
             (cout, *kernel, cin))] + [(f'{name}.1.{b}',
                                        () if b == 'num_batches_tracked' else
                                        (cout, )) for b in _BN]


def _basic_block(name: str, ch: int) -> List[Tuple[str, tuple]]:
    out = []
    for i in (1, 2):
        out += [(f'{name}.conv{i}.weight', (ch, 3, 3, 3, ch)),
                (f'{name}.conv{i}.bias', (ch, ))]
        out += [(f'{name}.bn{i}.{b}', () if b == 'num_batches_tracked' else
                 (ch, )) for b in _BN]
    return out


def openpcdet_layout(backbone: str,
                     in_channels: int) -> 'OrderedDict[str, tuple]':
    """Every key of OpenPCDet's ``backbone`` state dict with its shape, in
    OpenPCDet's order (without the ``backbone_3d.`` prefix)."""
    if backbone not in BACKBONES:
        raise ValueError(f'unknown OpenPCDet backbone {backbone!r}; known: '
                         f'{list(BACKBONES)}')
    rows = _conv_module('conv_input', 16, in_channels)
    if backbone == 'VoxelResBackBone8x':
        channels = (16, 32, 64, 128)
        for s, ch in enumerate(channels, start=1):
            first = 0
            if s > 1:
                rows += _conv_module(f'conv{s}.0', ch, channels[s - 2])
                first = 1
            for j in range(2):
                rows += _basic_block(f'conv{s}.{first + j}', ch)
        rows += _conv_module('conv_out', 128, 128, (3, 1, 1))
    else:
        rows += _conv_module('conv1.0', 16, 16)
        for s, (cin, ch) in enumerate(((16, 32), (32, 64), (64, 64)), start=2):
            rows += _conv_module(f'conv{s}.0', ch, cin)
            rows += _conv_module(f'conv{s}.1', ch, ch)
            rows += _conv_module(f'conv{s}.2', ch, ch)
        rows += _conv_module('conv_out', 128, 64, (3, 1, 1))
    return OrderedDict(rows)


def detect_backbone(keys) -> str:
    """The OpenPCDet class an mmdet3d ``SparseEncoder`` state dict (keys
    without prefix) has the structure of; ValueError naming the fitting
    pretraining configs otherwise."""
    keys = list(keys)
    if not any(k.startswith('encoder_layers.') for k in keys) or \
            not any(k.startswith('conv_out.') for k in keys):
        raise ValueError(
            'the backbone is not an mmdet3d SparseEncoder (no '
            "'encoder_layers.' / 'conv_out.' tensors): OpenPCDet's voxel "
            'backbones are the SparseEncoder of ' +
            '; '.join(f'{c}: {cfg}' for c, cfg in FITTING_CONFIG.items()))
    if any('.conv1.' in k for k in keys):
        return 'VoxelResBackBone8x'
    return 'VoxelBackBone8x'


def mmdet3d_key_to_openpcdet(key: str, backbone: str) -> str:
    """One ``SparseEncoder`` key (without prefix) -> OpenPCDet's."""
    if key.startswith(('conv_input.', 'conv_out.')):
        return key
    if backbone == 'VoxelResBackBone8x':
        block = _RES_BLOCK.match(key)
        if block:
            s, j, rest = int(block[1]), int(block[2]), block[3]
            return f'conv{s}.{j + (1 if s > 1 else 0)}.{rest}'
        down = _RES_DOWN.match(key)
        if down:
            return f'conv{int(down[1]) + 1}.0.{down[2]}'
    else:
        plain = _PLAIN.match(key)
        if plain:
            return f'conv{plain[1]}.{plain[2]}.{plain[3]}'
    raise ValueError(f'{key}: no {backbone} counterpart')


def openpcdet_key_to_mmdet3d(key: str, backbone: str) -> str:
    """One OpenPCDet backbone key (without prefix) -> ``SparseEncoder``'s."""
    if key.startswith(('conv_input.', 'conv_out.')):
        return key
    stage = _PCDET_STAGE.match(key)
    if stage:
        s, j, rest = int(stage[1]), int(stage[2]), stage[3]
        if backbone == 'VoxelBackBone8x':
            return f'encoder_layers.encoder_layer{s}.{j}.{rest}'
        if s > 1 and j == 0:  # the stride-2 convolution
            return f'encoder_layers.encoder_layer{s - 1}.2.{rest}'
        return f'encoder_layers.encoder_layer{s}.{j - (1 if s > 1 else 0)}.' \
            f'{rest}'
    raise ValueError(f'{key}: no SparseEncoder counterpart')


def _check_layout(state: Dict[str, Tensor], layout: Dict[str, tuple],
                  what: str) -> None:
    missing = [k for k in layout if k not in state]
    extra = [k for k in state if k not in layout]
    wrong = [(k, tuple(state[k].shape), layout[k]) for k in layout
             if k in state and tuple(state[k].shape) != layout[k]]
    if missing or extra or wrong:
        parts = []
        if wrong:
            parts.append('mis-sized: ' +
                         ', '.join(f'{k} {got} (OpenPCDet {want})'
                                   for k, got, want in wrong[:5]))
        if missing:
            parts.append(f'missing: {missing[:5]}')
        if extra:
            parts.append(f'unexpected: {extra[:5]}')
        raise ValueError(f'{what}: ' + '; '.join(parts))


def to_openpcdet(state: Dict[str, Tensor],
                 backbone: str = None,
                 in_channels: int = None) -> 'OrderedDict[str, Tensor]':
    """``SparseEncoder`` tensors (keys without prefix) -> OpenPCDet's
    ``model_state`` entries (``backbone_3d.<key>``), in OpenPCDet's order,
    with zero biases for the residual convolutions.

    Args:
        state (dict): the backbone's tensors.
        backbone (str, optional): ``'VoxelResBackBone8x'`` or
            ``'VoxelBackBone8x'``; detected from the structure when None.
        in_channels (int, optional): the OpenPCDet config's point channels
            (nuScenes / Waymo 5, KITTI 4); refused when the backbone's first
            convolution takes another number.
    """
    backbone = backbone or detect_backbone(state)
    if backbone not in BACKBONES:
        raise ValueError(f'unknown OpenPCDet backbone {backbone!r}; known: '
                         f'{list(BACKBONES)}')
    have = int(state['conv_input.0.weight'].shape[-1]) \
        if 'conv_input.0.weight' in state else None
    if in_channels is not None and have != in_channels:
        raise ValueError(
            f'the backbone takes {have} point channels, the OpenPCDet config '
            f'{in_channels} (nuScenes and Waymo 5, KITTI 4). Fix: pretrain '
            'with the channels of the OpenPCDet config (the pretraining '
            "config's load_dim / use_dim and in_channels)")
    layout = openpcdet_layout(backbone, have or 0)
    try:
        mapped = {
            mmdet3d_key_to_openpcdet(k, backbone): v
            for k, v in state.items()
        }
    except ValueError as exc:
        raise ValueError(
            f'the backbone is not an OpenPCDet {backbone} ({exc}). It fits '
            f'{FITTING_CONFIG[backbone]}') from None
    for key, shape in layout.items():
        if key not in mapped and _RES_BIAS.match(key):
            mapped[key] = torch.zeros(shape)  # a zero bias: the same function
    _check_layout(
        mapped, layout,
        f'the backbone is not an OpenPCDet {backbone} (it fits '
        f'{FITTING_CONFIG[backbone]})')
    return OrderedDict((PREFIX + k, mapped[k]) for k in layout)


def from_openpcdet(model_state: Dict[str, Tensor],
                   backbone: str = None) -> 'OrderedDict[str, Tensor]':
    """OpenPCDet ``model_state`` (``backbone_3d.`` keys; other keys are
    ignored) -> ``SparseEncoder`` tensors (keys without prefix), residual
    biases folded into the BatchNorm that follows each of them."""
    state = {
        k[len(PREFIX):]: v
        for k, v in model_state.items() if k.startswith(PREFIX)
    }
    if not state:
        raise ValueError(f"no '{PREFIX}' tensors: not an OpenPCDet "
                         'checkpoint of a voxel detector')
    if backbone is None:
        backbone = 'VoxelResBackBone8x' if any(
            '.conv1.' in k for k in state) else 'VoxelBackBone8x'
    if 'conv_input.0.weight' not in state:
        raise ValueError(f"no '{PREFIX}conv_input.0.weight': not an "
                         f'OpenPCDet {backbone}')
    in_channels = int(state['conv_input.0.weight'].shape[-1])
    _check_layout(state, openpcdet_layout(backbone, in_channels),
                  f'not an OpenPCDet {backbone}')
    out = OrderedDict((openpcdet_key_to_mmdet3d(k, backbone), v.clone())
                      for k, v in state.items() if not _RES_BIAS.match(k))
    for key, bias in state.items():
        match = _RES_BIAS.match(key)
        if match:  # BN(conv(x) + b) = BN'(conv(x)), BN' with mean - b
            mean = f'{match[1]}.bn{match[2]}.running_mean'
            out[openpcdet_key_to_mmdet3d(mean, backbone)] -= bias
    return out


def sparse_encoder_cfg(backbone: str, in_channels: int) -> dict:
    """The mmdet3d ``SparseEncoder`` config that is OpenPCDet's
    ``backbone`` (CenterPoint nuScenes' encoder for ``VoxelResBackBone8x``,
    mmdet3d's defaults, as SECOND's config uses them, for
    ``VoxelBackBone8x``); ``sparse_shape`` does not change the weights."""
    common = dict(
        type='SparseEncoder',
        in_channels=in_channels,
        sparse_shape=[41, 1600, 1408],
        order=('conv', 'norm', 'act'))
    if backbone == 'VoxelResBackBone8x':
        return dict(
            common,
            output_channels=128,
            encoder_channels=((16, 16, 32), (32, 32, 64), (64, 64, 128),
                              (128, 128)),
            encoder_paddings=((0, 0, 1), (0, 0, 1), (0, 0, [0, 1, 1]), (1, 1)),
            block_type='basicblock')
    if backbone == 'VoxelBackBone8x':
        return common
    raise ValueError(f'unknown OpenPCDet backbone {backbone!r}; known: '
                     f'{list(BACKBONES)}')


def load_sparse_encoder(encoder: torch.nn.Module, state: Dict[str,
                                                              Tensor]) -> int:
    """Load ``state`` (keys without prefix) into an mmdet3d
    ``SparseEncoder`` strictly, with the module's own ``_metadata`` (mmdet3d
    permutes every sparse-conv kernel whose metadata is not version 2), and
    check every tensor arrived; returns the number loaded."""
    own = encoder.state_dict()
    if set(own) != set(state):
        raise ValueError(f'state does not fit the encoder: missing '
                         f'{sorted(set(own) - set(state))[:5]}, unexpected '
                         f'{sorted(set(state) - set(own))[:5]}')
    new = OrderedDict((k, state[k]) for k in own)
    new._metadata = own._metadata
    encoder.load_state_dict(new, strict=True)
    after = encoder.state_dict()
    bad = [k for k in new if not torch.equal(after[k], new[k].to(after[k]))]
    if bad:
        raise ValueError(f'tensors changed while loading: {bad[:5]}')
    return len(new)


def dos_to_openpcdet(state_dict: Dict[str, Tensor],
                     net: str = 'teacher',
                     backbone: str = None,
                     in_channels: int = None) -> 'OrderedDict[str, Tensor]':
    """A DOS checkpoint's ``state_dict`` -> OpenPCDet ``model_state``
    (:func:`to_openpcdet` of its ``net``'s backbone)."""
    return to_openpcdet(
        backbone_tensors(state_dict, net), backbone, in_channels)


def openpcdet_to_centerpoint(
        model_state: Dict[str, Tensor],
        backbone: str = None) -> 'OrderedDict[str, Tensor]':
    """OpenPCDet ``model_state`` -> a state dict of mmdet3d CenterPoint's
    ``pts_middle_encoder`` with its ``_metadata`` (what
    ``BackbonePretrained`` and ``tools/convert_checkpoint.py`` outputs
    carry), through a strict load into the equivalent ``SparseEncoder``."""
    from mmdet3d.registry import MODELS
    state = from_openpcdet(model_state, backbone)
    backbone = backbone or detect_backbone(state)
    in_channels = int(state['conv_input.0.weight'].shape[-1])
    encoder = MODELS.build(sparse_encoder_cfg(backbone, in_channels))
    load_sparse_encoder(encoder, state)
    own = encoder.state_dict()
    out = OrderedDict(
        (f'{TARGETS["centerpoint"]}.{k}', v) for k, v in own.items())
    out._metadata = OrderedDict(
        (f'{TARGETS["centerpoint"]}.{k}' if k else TARGETS['centerpoint'], v)
        for k, v in own._metadata.items())
    return out

"""Point Transformer V3's encoder, returning every scale."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmdet3d.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from .block import PTv3Block
from .grid_pooling import GridPooling
from .patch_attention import patch_layout
from .serialization import ORDERS, grid_depth, serialize


def per_stage(value, stages: int, name: str) -> list:
    """``value`` repeated for each stage, or checked to have one per
    stage."""
    if isinstance(value, (int, float)):
        return [value] * stages
    value = list(value)
    if len(value) != stages:
        raise ValueError(f'{name} has {len(value)} entries for {stages} '
                         f'stages: give one per stage or a single value')
    return value


@MODELS.register_module()
class PointTransformerV3(BaseModule):
    """PTv3 encoder (no decoder): serialized patch attention over voxels.

    A stem (5x5x5 submanifold convolution, BatchNorm, GELU), then stages
    of :class:`PTv3Block`; each stage after the first starts with stride-2
    :class:`GridPooling`. Block j of a stage attends within patches of
    ``orders[j % len(orders)]``. The orders are fixed (PTv3 shuffles them
    per step; fixed orders keep a step reproducible from its seed).

    The default sizes are the encoder of Sonata-style pretraining; the
    input is the MinkUNet voxelisation (one feature row per voxel, cells
    as (scan, x, y, z), non-negative).

    Args:
        in_channels (int): voxel feature channels.
        channels (Sequence[int]): C of each stage.
        depths (Sequence[int]): blocks of each stage.
        num_heads (Sequence[int]): attention heads of each stage.
        patch_size (int or Sequence[int]): points per patch (a scan with
            fewer points is one patch).
        mlp_ratio (float): MLP width over C.
        drop_path (float): the last block's drop-path rate; the rate rises
            linearly from 0 over all blocks.
        orders (Sequence[str]): serialization curves, see ``ORDERS``.
        qkv_bias (bool): bias of the qkv projections.
        max_patches (int): patches per attention call (memory bound).
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(
        self,
        in_channels: int = 4,
        channels: Sequence[int] = (48, 96, 192, 384, 512),
        depths: Sequence[int] = (3, 3, 3, 12, 3),
        num_heads: Sequence[int] = (3, 6, 12, 24, 32),
        patch_size: Union[int, Sequence[int]] = 1024,
        mlp_ratio: float = 4.0,
        drop_path: float = 0.3,
        orders: Sequence[str] = ORDERS,
        qkv_bias: bool = True,
        max_patches: int = 4096,
        init_cfg: Optional[dict] = dict(
            type='TruncNormal', layer='Linear', std=0.02, bias=0.0)
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        from spconv.pytorch import SparseSequential, SubMConv3d
        stages = len(channels)
        depths = per_stage(depths, stages, 'depths')
        heads = per_stage(num_heads, stages, 'num_heads')
        self.patch_sizes = per_stage(patch_size, stages, 'patch_size')
        unknown = [o for o in orders if o not in ORDERS]
        if unknown or not orders:
            raise ValueError(f'orders {list(orders)}: use one or more of '
                             f'{ORDERS}')
        self.orders = tuple(orders)
        self.in_channels = in_channels
        self.channels = tuple(channels)
        self.stem = SparseSequential(
            SubMConv3d(
                in_channels,
                channels[0],
                5,
                bias=False,
                indice_key='ptv3_stem'),
            nn.BatchNorm1d(channels[0], eps=1e-3, momentum=0.01), nn.GELU())
        rates = torch.linspace(0, drop_path, sum(depths)).tolist()
        self.pools = nn.ModuleList(
            GridPooling(channels[s - 1], channels[s])
            for s in range(1, stages))
        self.stages = nn.ModuleList()
        for s in range(stages):
            first = sum(depths[:s])
            self.stages.append(
                nn.ModuleList(
                    PTv3Block(
                        channels[s],
                        heads[s],
                        mlp_ratio=mlp_ratio,
                        drop_path=rates[first + j],
                        qkv_bias=qkv_bias,
                        max_patches=max_patches,
                        indice_key=f'ptv3_cpe{s}') for j in range(depths[s])))

    @property
    def level_channels(self) -> List[int]:
        """C of each level ``forward`` returns (one per stage)."""
        return list(self.channels)

    def forward(self, voxel_features: Tensor, coors: Tensor,
                batch_size: int) -> Tuple[List, List[tuple]]:
        """Args: voxel_features (M, C_in); coors (M, 4) as (scan, x, y, z).

        Returns:
            tuple: the sparse tensor of every stage (stride 1 first; the
            first one's rows are those of ``coors``) and their strides.
        """
        from spconv.pytorch import SparseConvTensor
        coors = coors.long()
        shape = (coors[:, 1:].max(0)[0] + 1).tolist() if len(coors) else \
            [1, 1, 1]
        x = SparseConvTensor(voxel_features,
                             coors.int().contiguous(), shape, batch_size)
        x = self.stem(x)
        levels, code = [], None
        for s, blocks in enumerate(self.stages):
            if s > 0:
                feats, coors, _ = self.pools[s - 1](x.features, coors, code)
                shape = [(int(n) - 1) // 2 + 1 for n in shape]
                x = SparseConvTensor(feats,
                                     coors.int().contiguous(), shape,
                                     batch_size)
            # block j uses orders[j % len(orders)]: a stage of fewer blocks
            # than orders serializes only its first ones (order 0, whose
            # code the next pooling reads, is always among them)
            used = self.orders[:min(len(blocks), len(self.orders))]
            codes, perms = serialize(coors, used, grid_depth(coors[:, 1:]))
            code = codes[0]
            layouts = [
                patch_layout(perm, coors[:, 0], batch_size,
                             self.patch_sizes[s]) for perm in perms
            ]
            for j, block in enumerate(blocks):
                x = block(x, layouts[j % len(layouts)])
            levels.append(x)
        strides = [(2**s, ) * 3 for s in range(len(levels))]
        return levels, strides

"""CenterPoint's ``SparseEncoder`` returning every feature level."""
from typing import List, Optional, Tuple

from mmdet3d.models.middle_encoders import SparseEncoder
from mmdet3d.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor

from ..utils.cells import infer_strides


def share_submanifold_pairs(stages) -> int:
    """Give the key-less submanifold convolutions of each stage of
    ``stages`` (a container of ``SparseSequential``) the stage's own
    ``indice_key``, so spconv computes their neighbour pairs once per
    forward. Returns the number of convolutions keyed."""
    from spconv.pytorch import SubMConv3d
    keyed = 0
    for index, stage in enumerate(stages):
        for module in stage.modules():
            if isinstance(module, SubMConv3d) and module.indice_key is None:
                module.indice_key = f'dos_stage{index + 1}_subm'
                keyed += 1
    return keyed


@MODELS.register_module()
class MultiScaleSparseEncoder(SparseEncoder, BaseModule):
    """mmdet3d's ``SparseEncoder`` with multi-scale outputs and ``init_cfg``.

    The parameters and their names are exactly those of ``SparseEncoder``
    (``conv_input``, ``encoder_layers``, ``conv_out``), so weights transfer to
    CenterPoint's ``pts_middle_encoder`` without renaming. mmdet3d's class is
    a plain ``nn.Module`` that takes no ``init_cfg``; this one accepts it.

    ``forward`` returns the list of sparse tensors of every encoder stage
    followed by the output of ``conv_out``, so every parameter receives a
    gradient during pretraining (no unused parameters under DDP).

    With ``block_type='basicblock'`` (CenterPoint), mmdet3d builds each
    ``SparseBasicBlock`` without an ``indice_key``, so every one of its
    submanifold convolutions recomputes the same neighbour pairs (about
    60 % of the backbone's ``get_indice_pairs`` time). Here the
    submanifold convolutions of one stage, which all work on that stage's
    input voxels, share one key: the outputs are unchanged (a test checks
    it) and so are the parameters.

    Args:
        init_cfg (dict, optional): mmengine initialisation config.
        **kwargs: the arguments of ``SparseEncoder``.
    """

    def __init__(self, init_cfg: Optional[dict] = None, **kwargs) -> None:
        BaseModule.__init__(self, init_cfg=init_cfg)
        SparseEncoder.__init__(self, **kwargs)
        self.init_cfg = init_cfg
        share_submanifold_pairs(self.encoder_layers)

    @property
    def level_channels(self) -> List[int]:
        """C of each level ``forward`` returns: every stage's last, then
        ``conv_out``'s."""
        return [int(stage[-1]) for stage in self.encoder_channels
                ] + [int(self.output_channels)]

    def forward(self, voxel_features: Tensor, coors: Tensor,
                batch_size: int) -> Tuple[List, List[tuple]]:
        """Args: voxel_features (M, C), coors (M, 4) as (scan, z, y, x).

        Returns:
            tuple: the list of sparse tensors (stage outputs, finest first,
            then ``conv_out``'s output) and their per-axis (z, y, x) strides.
        """
        from spconv.pytorch import SparseConvTensor
        x = SparseConvTensor(voxel_features,
                             coors.int().contiguous(), self.sparse_shape,
                             batch_size)
        x = self.conv_input(x)
        levels = []
        for layer in self.encoder_layers:
            x = layer(x)
            levels.append(x)
        levels.append(self.conv_out(x))
        strides = infer_strides(self.sparse_shape,
                                [lv.spatial_shape for lv in levels])
        return levels, strides

"""CenterPoint's ``SparseEncoder`` returning every feature level."""
from typing import List, Optional, Tuple

from mmdet3d.models.middle_encoders import SparseEncoder
from mmdet3d.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor

from ..utils.cells import infer_strides


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

    Args:
        init_cfg (dict, optional): mmengine initialisation config.
        **kwargs: the arguments of ``SparseEncoder``.
    """

    def __init__(self, init_cfg: Optional[dict] = None, **kwargs) -> None:
        BaseModule.__init__(self, init_cfg=init_cfg)
        SparseEncoder.__init__(self, **kwargs)
        self.init_cfg = init_cfg

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

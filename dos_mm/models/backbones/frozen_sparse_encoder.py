"""A frozen CenterPoint ``SparseEncoder``: the frozen-encoder row of the
detection benchmark."""
import torch
from mmdet3d.models.middle_encoders import SparseEncoder
from mmdet3d.registry import MODELS


@MODELS.register_module()
class FrozenSparseEncoder(SparseEncoder):
    """mmdet3d's ``SparseEncoder`` that never trains, so a detector built on
    it learns its 2D backbone and head on the pretrained 3D features alone.

    Same parameters and names as ``SparseEncoder`` (a checkpoint converted
    with ``--target centerpoint`` loads into ``pts_middle_encoder``); its
    parameters do not require gradients, ``train()`` keeps it in eval mode
    (BatchNorm uses the statistics of pretraining) and its forward runs
    without autograd.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.requires_grad_(False)
        super().train(False)

    def train(self, mode: bool = True) -> 'FrozenSparseEncoder':
        """Stays in eval mode whatever the detector asks."""
        return super().train(False)

    @torch.no_grad()
    def forward(self, *args, **kwargs):
        return super().forward(*args, **kwargs)

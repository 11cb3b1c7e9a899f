"""Projector MLP and K prototypes: cosine logits per cell."""
import torch.nn.functional as F
from mmdet3d.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


@MODELS.register_module()
class PrototypeHead(BaseModule):
    """MLP ``in -> hidden -> out`` (GELU), L2-normalised, then cosine
    similarity to ``num_prototypes`` unit-norm prototypes.

    The prototypes are a bias-free linear layer whose rows are normalised at
    every forward pass (weight normalisation with unit gain), so each logit
    is ``cos(f_i, q_k)`` in [-1, 1]. Temperatures are applied by the caller.

    Args:
        in_channels (int): feature channels from the neck.
        hidden_channels (int): MLP hidden width (default after Sonata: 2048).
        out_channels (int): embedding width (default 256).
        num_prototypes (int): K (paper: 1024).
    """

    def __init__(
        self,
        in_channels: int,
        hidden_channels: int = 2048,
        out_channels: int = 256,
        num_prototypes: int = 1024,
        init_cfg=dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.)
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.projector = nn.Sequential(
            nn.Linear(in_channels, hidden_channels), nn.GELU(),
            nn.Linear(hidden_channels, out_channels))
        self.prototypes = nn.Linear(out_channels, num_prototypes, bias=False)
        self.num_prototypes = num_prototypes

    def forward(self, feats: Tensor) -> Tensor:
        """(M, in_channels) features -> (M, K) cosine logits."""
        emb = F.normalize(self.projector(feats), dim=1)  # (M, D)
        protos = F.normalize(self.prototypes.weight, dim=1)  # (K, D)
        return emb @ protos.t()

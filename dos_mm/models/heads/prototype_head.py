"""Projector MLP and K prototypes: cosine logits per cell."""
from typing import NamedTuple, Tuple

import torch
import torch.nn.functional as F
from mmdet3d.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from ...functional.precision import float32_island
from ..utils.prototype_count import check_prototype_count


class CosineLogits(NamedTuple):
    """The (N, K) logits ``emb @ protos.T / temperature`` kept as their
    factors, so that a loss can avoid materialising them for backward
    (:func:`dos_mm.functional.prototype_softmap_kl`)."""
    emb: Tensor  # (N, D) unit rows
    protos: Tensor  # (K, D) unit rows
    temperature: float

    def rows(self, index: Tensor) -> 'CosineLogits':
        """The logits of rows ``index`` (R,), which may repeat.
        ``index_select`` (not ``emb[index]``), so that the backward adds the
        repeats in index order, reproducibly on CPU threads."""
        return CosineLogits(
            self.emb.index_select(0, index), self.protos, self.temperature)

    def materialize(self) -> Tensor:
        """(N, K) float32 logits."""
        return (self.emb @ self.protos.t()).float() / self.temperature


@MODELS.register_module()
class PrototypeHead(BaseModule):
    """MLP ``in -> hidden -> out`` (GELU), L2-normalised, then cosine
    similarity to ``num_prototypes`` unit-norm prototypes.

    The prototypes are a bias-free linear layer whose rows are normalised at
    every forward pass (weight normalisation with unit gain), so each logit
    is ``cos(f_i, q_k)`` in [-1, 1]. Temperatures are applied by the caller.

    The head runs in float32 with autocast disabled, whatever the backbone
    runs in: its outputs are the teacher logits that Zipf-Sinkhorn balances
    and the student embeddings of the softmap loss, both float32 by the
    method (at tau_T = 0.04 a bf16 cosine is off by a tenth of a nat).

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
        check_prototype_count(num_prototypes, 'model.encoder.head')
        self.projector = nn.Sequential(
            nn.Linear(in_channels, hidden_channels), nn.GELU(),
            nn.Linear(hidden_channels, out_channels))
        self.prototypes = nn.Linear(out_channels, num_prototypes, bias=False)
        self.in_channels = in_channels
        self.num_prototypes = num_prototypes

    def forward(self, feats: Tensor) -> Tensor:
        """(M, in_channels) features -> (M, K) float32 cosine logits."""
        emb, protos = self.embed(feats)
        with float32_island(feats.device.type):
            return emb @ protos.t()

    def embed(self, feats: Tensor) -> Tuple[Tensor, Tensor]:
        """(M, in_channels) features -> (M, D) unit embeddings and the
        (K, D) unit prototypes, whose products are the cosine logits; all
        float32, autocast or not."""
        with float32_island(feats.device.type):
            emb = F.normalize(self.project(feats.float()), dim=1)  # (M, D)
            protos = F.normalize(self.prototypes.weight.float(), dim=1)
        return emb, protos

    def project(self, feats: Tensor) -> Tensor:
        """``self.projector(feats)``, (M, in) -> (M, out), keeping one
        (M, hidden) activation for backward instead of two.

        Autograd keeps both the GELU's input h (for the GELU's gradient) and
        its output a (for the second layer's weight gradient), two (M,
        hidden) float32 tensors, the largest saved tensors of a DOS step at
        the long configs' width.
        Here a is not kept but recomputed from h when backward asks for it,
        one elementwise pass; the gradients are unchanged. (Where it is
        called under autocast and the second layer saves a cast copy of a
        instead, that copy is kept as usual.)
        """
        first, act, second = self.projector
        hidden = first(feats)
        out = act(hidden)
        if not torch.is_grad_enabled():
            return second(out)
        kept = (out.data_ptr(), out.shape, out.dtype)

        def pack(t: Tensor):
            if (t.data_ptr(), t.shape, t.dtype) == kept:
                return None  # rebuilt from ``hidden`` (saved by the GELU)
            return t

        def unpack(t):
            return act(hidden) if t is None else t

        with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
            return second(out)

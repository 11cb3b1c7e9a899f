"""One PTv3 block: positional encoding, patch attention, MLP."""
from mmcv.cnn.bricks import DropPath
from torch import nn

from .patch_attention import PatchAttention, PatchLayout


class PTv3Block(nn.Module):
    """Pre-norm transformer block over serialized patches.

    ``x + cpe(x)``, then ``x + attn(norm(x))`` and ``x + mlp(norm(x))``,
    each residual branch with drop path. The conditional positional
    encoding is a 3x3x3 submanifold convolution (spconv), followed by a
    linear layer and LayerNorm: attention itself carries no position.

    Args:
        channels (int): C.
        num_heads (int): attention heads.
        mlp_ratio (float): hidden width of the MLP over C.
        drop_path (float): drop-path rate of both residual branches.
        qkv_bias (bool): bias of the attention's qkv projection.
        max_patches (int): patches per attention call (chunking).
        indice_key (str): spconv key of the stage, so the blocks of one
            stage compute the convolution's neighbour pairs once.
    """

    def __init__(self,
                 channels: int,
                 num_heads: int,
                 mlp_ratio: float = 4.0,
                 drop_path: float = 0.0,
                 qkv_bias: bool = True,
                 max_patches: int = 4096,
                 indice_key: str = 'ptv3_cpe') -> None:
        super().__init__()
        from spconv.pytorch import SubMConv3d

        # no bias: the linear layer after it has one (a bias before it is
        # redundant), and spconv refuses a fused bias on CPU in eval mode
        self.cpe_conv = SubMConv3d(
            channels, channels, 3, bias=False, indice_key=indice_key)
        self.cpe_proj = nn.Linear(channels, channels)
        self.cpe_norm = nn.LayerNorm(channels)
        self.norm1 = nn.LayerNorm(channels)
        self.attn = PatchAttention(
            channels, num_heads, qkv_bias=qkv_bias, max_patches=max_patches)
        self.norm2 = nn.LayerNorm(channels)
        hidden = int(channels * mlp_ratio)
        self.mlp = nn.Sequential(
            nn.Linear(channels, hidden), nn.GELU(),
            nn.Linear(hidden, channels))
        self.drop_path = DropPath(drop_path) if drop_path > 0 else \
            nn.Identity()

    def forward(self, sp, layout: PatchLayout):
        """Args: sp (SparseConvTensor) with (N, C) features; layout of the
        block's serialized order. Returns the SparseConvTensor with new
        features (same indices and neighbour pairs)."""
        feats, weight = sp.features, self.cpe_conv.weight
        if not feats.is_cuda and feats.dtype != weight.dtype:
            # spconv casts for autocast on CUDA only: on CPU a bf16 input
            # (a linear layer's output under autocast) meets fp32 weights
            sp = sp.replace_feature(feats.to(weight.dtype))
        cpe = self.cpe_norm(self.cpe_proj(self.cpe_conv(sp).features))
        x = sp.features + cpe
        x = x + self.drop_path(self.attn(self.norm1(x), layout))
        x = x + self.drop_path(self.mlp(self.norm2(x)))
        return sp.replace_feature(x)

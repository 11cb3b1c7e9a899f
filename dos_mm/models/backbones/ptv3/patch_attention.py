"""Multi-head self-attention within patches of serialized points."""
from typing import NamedTuple

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from torch import Tensor, nn

_CPU_LOGGED = False


class PatchLayout(NamedTuple):
    """Where each serialized point sits in the padded patches.

    Attributes:
        gather (Tensor): (T,) row of the point at each padded slot, -1 at
            padding; T = number of patches * patch size.
        valid (Tensor): (T,) bool, ``gather >= 0``.
        slot (Tensor): (N,) padded slot of each row (the inverse of
            ``gather`` on the valid slots).
        patch_size (int): P, slots per patch.
    """
    gather: Tensor
    valid: Tensor
    slot: Tensor
    patch_size: int


def patch_layout(perm: Tensor, scan: Tensor, batch_size: int,
                 patch_size: int) -> PatchLayout:
    """Cut each scan's serialized order into patches of P points.

    P is ``patch_size`` or, when every scan has fewer points, the largest
    scan's point count. A scan's last patch is padded at its end, so every
    patch holds at least one point and patches never mix scans.

    Args:
        perm (Tensor): (N,) rows sorted by the serialized code (scan in its
            top bits, so scan by scan).
        scan (Tensor): (N,) scan index of each row.
        batch_size (int): number of scans B.
        patch_size (int): the largest patch.
    """
    counts = torch.bincount(scan.long(), minlength=batch_size)  # (B,)
    size = max(1, min(int(patch_size), int(counts.max()) if len(scan) else 1))
    padded = torch.div(counts + size - 1, size, rounding_mode='floor') * size
    starts = counts.cumsum(0) - counts  # (B,) first sorted position
    pad_starts = padded.cumsum(0) - padded  # (B,) first padded slot
    scan_sorted = scan[perm].long()
    position = torch.arange(len(perm), device=perm.device)
    slot = pad_starts[scan_sorted] + position - starts[scan_sorted]
    gather = perm.new_full((int(padded.sum()), ), -1)
    gather[slot] = perm
    of_row = torch.empty_like(slot)
    of_row[perm] = slot
    return PatchLayout(gather, gather >= 0, of_row, size)


class PatchAttention(nn.Module):
    """Self-attention of each point with the points of its patch.

    Padding keys are masked out and padding queries dropped, so a point
    attends to exactly the points of its patch.
    Attention runs through ``F.scaled_dot_product_attention`` (on CPU,
    torch's CPU flash kernel, which takes the boolean mask; on CUDA, a
    kernel that takes a mask: memory-efficient or cuDNN), at most
    ``max_patches`` patches per call so that a large scan is chunked
    instead of exhausting memory; the result does not depend on it.

    Args:
        channels (int): C.
        num_heads (int): H; C must be divisible by it.
        qkv_bias (bool): bias of the query, key and value projection.
        attn_drop (float): dropout on the attention weights (training).
        proj_drop (float): dropout after the output projection.
        max_patches (int): patches per attention call.
    """

    def __init__(self,
                 channels: int,
                 num_heads: int,
                 qkv_bias: bool = True,
                 attn_drop: float = 0.0,
                 proj_drop: float = 0.0,
                 max_patches: int = 4096) -> None:
        super().__init__()
        if channels % num_heads:
            raise ValueError(f'channels {channels} are not divisible by '
                             f'num_heads {num_heads}')
        self.num_heads = num_heads
        self.attn_drop = attn_drop
        self.max_patches = max_patches
        self.qkv = nn.Linear(channels, 3 * channels, bias=qkv_bias)
        self.proj = nn.Linear(channels, channels)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x: Tensor, layout: PatchLayout) -> Tensor:
        """Args: x (N, C) point features; layout of their serialized
        order. Returns (N, C)."""
        _log_cpu_kernel_once(x)
        c = x.shape[1]
        p, h = layout.patch_size, self.num_heads
        qkv = self.qkv(x)  # (N, 3C)
        # padded slots copy row 0: finite, never a key (masked), and their
        # queries' outputs are dropped
        slots = qkv.index_select(0, layout.gather.clamp(min=0))  # (T, 3C)
        # (3, patches, H, P, C / H)
        q, k, v = slots.view(-1, p, 3, h, c // h).permute(2, 0, 3, 1, 4)
        keep = layout.valid.view(-1, 1, 1, p)  # (patches, 1, 1, P)
        drop = self.attn_drop if self.training else 0.0
        out = torch.cat([
            F.scaled_dot_product_attention(
                q[i:i + self.max_patches],
                k[i:i + self.max_patches],
                v[i:i + self.max_patches],
                attn_mask=keep[i:i + self.max_patches],
                dropout_p=drop) for i in range(0, len(q), self.max_patches)
        ])  # (patches, H, P, C / H)
        out = out.transpose(1, 2).reshape(-1, c)  # (T, C)
        points = out.index_select(0, layout.slot)  # (N, C), padding dropped
        return self.proj_drop(self.proj(points))


def _log_cpu_kernel_once(x: Tensor) -> None:
    global _CPU_LOGGED
    if x.device.type == 'cpu' and not _CPU_LOGGED:
        _CPU_LOGGED = True
        print_log(
            'PTv3 patch attention on CPU: scaled_dot_product_attention '
            'runs its CPU kernels, without the CUDA flash or '
            'memory-efficient ones; expect it to be much slower than on a '
            'GPU',
            logger='current')

"""Sparse cells identified by packed integer keys.

A cell is addressed by (scan, a, b, c): a scan index and three voxel
coordinates in the backbone's own axis order. Keys pack the four integers
into one int64 with fixed bit widths, so cells of different sets (student
and teacher, two feature levels) can be matched by sorting and
``searchsorted``, with no Python loop and no dependence on grid shapes.
"""
import math
from typing import Sequence, Tuple

import torch
from torch import Tensor

from ...functional.segment import index_count

AXIS_BITS = 17  # up to 131071 voxels per axis (6.5 km at 0.05 m)
SCAN_BITS = 63 - 3 * AXIS_BITS  # 12 bits: up to 4095 scans per batch


def pack_keys(coords: Tensor, check: bool = True) -> Tensor:
    """Pack (M, 4) non-negative int coords (scan, a, b, c) into (M,) keys.

    ``check`` tests the bit widths (one host-device synchronisation); pass
    False only for coordinates that are in range by construction, such as
    a sparse tensor's indices inside a grid already packed once.
    """
    c = coords.long()
    if check and c.numel():
        axis_bad = ((c[:, 1:] < 0) | (c[:, 1:] >= 1 << AXIS_BITS)).any()
        scan_bad = (c[:, 0] >= 1 << SCAN_BITS).any()
        if bool(axis_bad | scan_bad):  # the one host read when all is well
            if bool(axis_bad):
                raise ValueError(
                    'voxel coordinates must lie in '
                    f'[0, {(1 << AXIS_BITS) - 1}], got '
                    f'[{int(c[:, 1:].min())}, {int(c[:, 1:].max())}]: the '
                    'point cloud range is too large for the voxel size')
            raise ValueError(f'at most {(1 << SCAN_BITS) - 1} scans per batch')
    key = c[:, 0]
    for axis in range(1, 4):
        key = (key << AXIS_BITS) | c[:, axis]
    return key


def coarsen(coords: Tensor, stride: Sequence[int]) -> Tensor:
    """(M, 4) voxel coords -> coords of the cells of ``stride`` (per axis)."""
    div = coords.new_tensor([1] + [int(s) for s in stride])
    return torch.div(coords, div, rounding_mode='floor')


def refine(coords: Tensor, from_stride: Sequence[int],
           to_stride: Sequence[int]) -> Tensor:
    """Map cell coords of ``from_stride`` to the cells of ``to_stride``
    that contain them (or their parents when ``to`` is coarser)."""
    num = coords.new_tensor([1] + [int(s) for s in from_stride])
    den = coords.new_tensor([1] + [int(s) for s in to_stride])
    return torch.div(coords * num, den, rounding_mode='floor')


def lookup(query: Tensor, table: Tensor) -> Tuple[Tensor, Tensor]:
    """Row of each query key in ``table`` (keys need not be sorted).

    Args:
        query (Tensor): (M,) int64 keys.
        table (Tensor): (T,) int64 unique keys.

    Returns:
        tuple[Tensor, Tensor]: (M,) int64 row index (0 where missing) and
        (M,) bool found.
    """
    if table.numel() == 0:
        zeros = torch.zeros_like(query)
        return zeros, torch.zeros_like(query, dtype=torch.bool)
    sorted_keys, order = torch.sort(table)
    pos = torch.searchsorted(sorted_keys, query).clamp(max=len(table) - 1)
    found = sorted_keys[pos] == query
    return torch.where(found, order[pos], torch.zeros_like(pos)), found


def segment_mean(values: Tensor, index: Tensor, num: int) -> Tensor:
    """Mean of the rows of ``values`` (P, D) per group ``index`` (P,)."""
    out = values.new_zeros(num, values.shape[1])
    out.index_add_(0, index, values)
    count = index_count(index, num).clamp(min=1)
    return out / count[:, None].to(values.dtype)


def infer_strides(in_shape: Sequence[int],
                  level_shapes: Sequence[Sequence[int]]) -> list:
    """Per-axis power-of-two stride of each level from the grid shapes
    (padding makes the ratio inexact, e.g. 41 -> 21 is stride 2)."""
    return [
        tuple(2**round(math.log2(float(i) / max(int(s), 1)))
              for i, s in zip(in_shape, shape)) for shape in level_shapes
    ]


def unpack_keys(keys: Tensor) -> Tensor:
    """Inverse of :func:`pack_keys`: (M,) keys -> (M, 4) int64 coords."""
    mask = (1 << AXIS_BITS) - 1
    cols = [(keys >> (AXIS_BITS * (2 - i))) & mask for i in range(3)]
    return torch.stack([keys >> (3 * AXIS_BITS)] + cols, dim=1)


def unique_cells(coords: Tensor) -> Tuple[Tensor, Tensor]:
    """Unique rows of (P, 4) coords and the inverse map, through packed keys
    (a 1-D sort is far faster than ``torch.unique(dim=0)``).

    Returns:
        tuple[Tensor, Tensor]: (M, 4) unique coords sorted by key and (P,)
        row of each input in them.
    """
    keys, inverse = torch.unique(pack_keys(coords), return_inverse=True)
    return unpack_keys(keys), inverse

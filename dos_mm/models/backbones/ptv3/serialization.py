"""Space-filling-curve orders of integer grid cells (PTv3's serialization).

A serialization maps each occupied cell (scan, x, y, z) to an int64 code;
sorting the codes lays the cells of each scan along a curve that keeps
neighbours in space close in the order, so attention over consecutive
patches of the order is attention over local neighbourhoods.

Four curves, as in PTv3: the z-order (Morton) curve and the Hilbert curve,
and their ``-trans`` variants, the same curves with x and y exchanged. The
code of a cell is ``scan << (3 * depth) | curve(x, y, z)``, so codes sort
scan by scan. Both curves are nested: the cells with equal ``code >> 3``
are exactly the eight children of one cell of the grid at twice the cell
size, which is what grid pooling groups by.
"""
from typing import Sequence, Tuple

import torch
from torch import Tensor

ORDERS = ('z', 'z-trans', 'hilbert', 'hilbert-trans')
MAX_DEPTH = 16  # bits per axis: 3 * 16 = 48 code bits, 15 left for scans


def grid_depth(coords: Tensor) -> int:
    """Bits per axis needed for the non-negative cells ``coords`` (N, 3).

    Raises:
        ValueError: on a negative coordinate, or one of 2**MAX_DEPTH or more
            (the code would overflow int64).
    """
    if len(coords) == 0:
        return 1
    low, high = int(coords.min()), int(coords.max())
    if low < 0:
        raise ValueError(f'serialization needs non-negative grid cells, got '
                         f'{low}: shift the coordinates by the grid origin')
    depth = max(1, high.bit_length())
    if depth > MAX_DEPTH:
        raise ValueError(
            f'grid cell {high} needs {depth} bits per axis, more than '
            f'{MAX_DEPTH}: use a larger voxel size or a smaller range')
    return depth


def spread_bits(v: Tensor, depth: int) -> Tensor:
    """Bit i of each value of ``v`` (N,) int64 moved to bit 3i."""
    out = torch.zeros_like(v)
    for i in range(depth):
        out |= ((v >> i) & 1) << (3 * i)
    return out


def interleave(a: Tensor, b: Tensor, c: Tensor, depth: int) -> Tensor:
    """(N,) int64 codes whose bit triples, from the top, are (a, b, c)."""
    return (spread_bits(a, depth) << 2) | (spread_bits(b, depth) << 1) | \
        spread_bits(c, depth)


def z_order(xyz: Tensor, depth: int) -> Tensor:
    """Morton codes (N,) int64 of the cells ``xyz`` (N, 3) int64."""
    return interleave(xyz[:, 0], xyz[:, 1], xyz[:, 2], depth)


def hilbert_order(xyz: Tensor, depth: int) -> Tensor:
    """Hilbert-curve codes (N,) int64 of the cells ``xyz`` (N, 3) int64.

    Skilling's transform (AIP Conf. Proc. 707, 2004): the axes are turned
    into the "transposed" Hilbert index by reflections and exchanges of the
    low bits from the top bit down, then Gray-decoded; interleaving its bits
    gives the index. On a full cube, consecutive codes are face neighbours.
    """
    x = [xyz[:, i].clone() for i in range(3)]
    q = 1 << (depth - 1)
    while q > 1:  # undo the excess work of the top-down recursion
        low = q - 1
        for i in range(3):
            set_ = (x[i] & q) != 0
            if i == 0:
                x[0] = torch.where(set_, x[0] ^ low, x[0])
                continue
            swap = (x[0] ^ x[i]) & low
            x[0] = torch.where(set_, x[0] ^ low, x[0] ^ swap)
            x[i] = torch.where(set_, x[i], x[i] ^ swap)
        q >>= 1
    x[1] = x[1] ^ x[0]  # Gray encode
    x[2] = x[2] ^ x[1]
    flip = torch.zeros_like(x[0])
    q = 1 << (depth - 1)
    while q > 1:
        flip = torch.where((x[2] & q) != 0, flip ^ (q - 1), flip)
        q >>= 1
    return interleave(x[0] ^ flip, x[1] ^ flip, x[2] ^ flip, depth)


def curve_code(xyz: Tensor, order: str, depth: int) -> Tensor:
    """Codes (N,) int64 of the cells ``xyz`` (N, 3) along ``order``."""
    if order not in ORDERS:
        raise ValueError(f'unknown serialization order {order!r}: use one '
                         f'of {ORDERS}')
    if order.endswith('-trans'):
        xyz = xyz[:, [1, 0, 2]]
    curve = z_order if order.startswith('z') else hilbert_order
    return curve(xyz, depth)


def serialize(coors: Tensor, orders: Sequence[str],
              depth: int) -> Tuple[Tensor, Tensor]:
    """Serialized codes of the cells ``coors`` (N, 4) as (scan, x, y, z).

    Returns:
        tuple: ``codes`` (O, N) int64, scan in the top bits, one row per
        order; ``perm`` (O, N), the rows of ``coors`` sorted by each code.
    """
    coors = coors.long()
    scan = coors[:, 0] << (3 * depth)
    codes = torch.stack(
        [scan | curve_code(coors[:, 1:], o, depth) for o in orders])
    return codes, codes.argsort(dim=1)

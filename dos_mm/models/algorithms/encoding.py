"""What the DOS encoder returns for one set of voxels."""
from dataclasses import dataclass
from typing import Optional

import torch
from torch import Tensor


@dataclass
class Encoding:
    """The loss cells of one view and their features.

    Attributes:
        cells (Tensor): (M, 4) int64 unique loss cells (scan, a, b, c) of the
            encoded points, in voxel coordinates coarsened to ``stride``.
        point_cell (Tensor): (P,) int64 row in ``cells`` of each encoded
            point.
        feats (Tensor, optional): (M, C) neck features; None once a head
            pass has consumed them.
        stride (Tensor, optional): (3,) per-axis stride of the cells; None
            when nothing was encoded.
        missing (Tensor): 0-dim count of (cell, level) pairs the neck filled
            with zeros.
        keys (Tensor, optional): (M,) int64 packed ``cells``, for lookups
            (set by :meth:`DOSEncoder.encode`).
        centroid (Tensor, optional): (M, 3) mean original coordinates of
            each cell's points (set by :meth:`DOSEncoder.encode`).
    """
    cells: Tensor
    point_cell: Tensor
    feats: Optional[Tensor]
    stride: Optional[Tensor]
    missing: Tensor
    keys: Optional[Tensor] = None
    centroid: Optional[Tensor] = None

    @classmethod
    def empty(cls, channels: int, device) -> 'Encoding':
        """No cells: a view with nothing in range (or nothing left after
        the crop and mask), with ``channels`` feature columns."""
        none = torch.zeros(0, dtype=torch.long, device=device)
        return cls(
            cells=none.new_zeros(0, 4),
            point_cell=none,
            keys=none,
            feats=torch.zeros(0, channels, device=device),
            stride=None,
            missing=torch.zeros((), device=device),
            centroid=torch.zeros(0, 3, device=device))

    def __len__(self) -> int:
        """The number of cells M."""
        return len(self.cells)

    def take_feats(self) -> Tensor:
        """The (M, C) features, dropped from the encoding (a head pass that
        needs them once does not keep them alive)."""
        feats, self.feats = self.feats, None
        if feats is None:
            raise RuntimeError('the features of this encoding were already '
                               'taken by a head pass')
        return feats

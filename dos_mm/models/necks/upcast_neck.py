"""Gather multi-scale sparse features at the loss cells."""
from typing import List, Optional, Sequence, Tuple

import torch
from mmdet3d.registry import MODELS
from torch import Tensor, nn

from ...functional.segment import index_count
from ..utils.cells import lookup, pack_keys, refine


@MODELS.register_module()
class UpcastNeck(nn.Module):
    """Concatenate the features of several sparse levels at the loss cells.

    Levels coarser than the loss cells are up-cast (a cell takes the feature
    of its parent); finer or equal levels are average-pooled into the cell
    ("multi-scale features upsampled and concatenated", no decoder). Cells
    missing from a level get zeros and are counted (a 0-dim tensor returned
    with the features, so counting costs no host-device synchronisation).
    The neck has no parameters and keeps no state.

    Args:
        levels (Sequence[int], optional): indices of the backbone outputs to
            concatenate; all when None.
    """

    def __init__(self, levels: Optional[Sequence[int]] = None) -> None:
        super().__init__()
        self.levels = None if levels is None else list(levels)

    def out_channels(self, level_channels: Sequence[int]) -> int:
        """C of the features :meth:`forward` returns for a backbone whose
        levels have ``level_channels``."""
        chosen = range(len(level_channels)) \
            if self.levels is None else self.levels
        return int(sum(level_channels[i] for i in chosen))

    def forward(self,
                feats: List,
                strides: List[Sequence[int]],
                cells: Tensor,
                cell_stride: Sequence[int],
                coarse_only: bool = False) -> Tuple[Tensor, Tensor]:
        """Args:
            feats (list[SparseConvTensor]): backbone levels.
            strides (list[tuple]): per-axis stride of each level.
            cells (Tensor): (M, 4) loss cells (scan, a, b, c).
            cell_stride (Sequence[int]): per-axis stride of the loss cells.
            coarse_only (bool): leave out the levels finer than the cells
                (the probes read the loss level and coarser).

        Returns:
            tuple: (M, sum of level channels) features, and the 0-dim
            int64 count of (cell, level) pairs with no feature.
        """
        chosen = range(len(feats)) if self.levels is None else self.levels
        out, missing = [], cells.new_zeros((), dtype=torch.long)
        for i in chosen:
            coarse = all(s >= c for s, c in zip(strides[i], cell_stride))
            if coarse_only and not coarse:
                continue
            if coarse:
                feat, miss = self._upcast(feats[i], strides[i], cells,
                                          cell_stride)
            else:
                feat, miss = self._pool(feats[i], strides[i], cells,
                                        cell_stride)
            out.append(feat)
            missing = missing + miss
        return torch.cat(out, dim=1), missing

    @staticmethod
    def _upcast(level, stride, cells, cell_stride) -> Tuple[Tensor, Tensor]:
        parent = refine(cells, cell_stride, stride)
        top = parent.new_tensor([int(s) - 1 for s in level.spatial_shape])
        parent[:, 1:] = torch.minimum(parent[:, 1:], top)  # padded edges
        # a level's indices lie inside its spatial shape, no larger than the
        # input grid whose voxels the voxeliser packed with the check; parent
        # is clamped to that shape
        row, found = lookup(
            pack_keys(parent, check=False),
            pack_keys(level.indices, check=False))
        # index_select, not features[row]: many cells share a parent, and
        # the backward of advanced indexing (index_put_ with accumulate) adds
        # them in thread order on CPU, so two runs differ; index_select's
        # backward (index_add_) adds in index order
        feat = level.features.index_select(0, row)
        feat = feat * found[:, None].to(level.features.dtype)
        return feat, (~found).sum()

    @staticmethod
    def _pool(level, stride, cells, cell_stride) -> Tuple[Tensor, Tensor]:
        child = refine(level.indices.long(), stride, cell_stride)
        # in range as in _upcast (a coarsened level's indices)
        row, found = lookup(
            pack_keys(child, check=False), pack_keys(cells, check=False))
        feat = level.features
        pooled = feat.new_zeros(len(cells), feat.shape[1])
        pooled.index_add_(0, row[found], feat[found])
        count = index_count(row[found], len(cells))
        pooled = pooled / count.clamp(min=1)[:, None].to(feat.dtype)
        return pooled, (count == 0).sum()

"""Steps whose scans hold nothing in range: counted, logged, bounded.

A scan whose points all lie outside ``point_cloud_range`` (another unit,
another frame, a range meant for another dataset) voxelises to nothing, and
a step made only of such scans has no loss term: DOS returns a zero loss
with zero gradients. Left alone, a run on such data would train nothing and
save checkpoints to the end. The guard names each empty scan in the log and
stops the run after ``max_in_row`` empty steps in a row.
"""
from typing import List, Sequence

import torch
from torch import Tensor


class NothingInRange(RuntimeError):
    """Too many steps in a row without a point inside the range."""


def empty_scans(cells: Sequence[Tensor], batch_size: int) -> Tensor:
    """(B,) bool: the scans that have no cell in any of the views.

    Args:
        cells: per view, (M, 4) int64 cells whose column 0 is the scan.
        batch_size: B, the scans of the step.
    """
    device = cells[0].device if len(cells) else None
    present = torch.zeros(batch_size, dtype=torch.bool, device=device)
    for c in cells:  # index_fill_: no read back to the host
        present.index_fill_(0, c[:, 0], True)
    return ~present


class EmptyStepGuard:
    """Counts empty scans and steps; raises :class:`NothingInRange` after
    ``max_in_row`` steps in a row with no scan in range.

    Args:
        max_in_row (int): empty steps in a row that stop the run.
        logged (int): scans named in full in the log before only every
            100th is.
    """

    def __init__(self, max_in_row: int = 20, logged: int = 20) -> None:
        if max_in_row < 1:
            raise ValueError(f'max_in_row must be >= 1, got {max_in_row}')
        self.max_in_row = max_in_row
        self.logged = logged
        self.in_row = 0
        self.num_empty_scans = 0
        self.num_empty_steps = 0

    def update(self, names: List[str], step_empty: bool,
               point_range: str) -> None:
        """Count one step: ``names`` are this process's empty scans,
        ``step_empty`` whether no scan of the (global) batch was in range.
        """
        from mmengine.logging import print_log
        for name in names:
            self.num_empty_scans += 1
            n = self.num_empty_scans
            if n <= self.logged or n % 100 == 0:
                print_log(
                    f'DOS: scan {name} has no point inside point_cloud_range '
                    f'{point_range}; it adds nothing to this step ({n} such '
                    'scans so far in this process)',
                    logger='current',
                    level=30)
        if not step_empty:
            self.in_row = 0
            return
        self.in_row += 1
        self.num_empty_steps += 1
        if self.in_row >= self.max_in_row:
            raise NothingInRange(
                f'{self.in_row} steps in a row had no point inside '
                f'point_cloud_range {point_range} (last scans: {names}): '
                'the loss is zero and nothing is learned. Fix: check that '
                'the scans are in metres in the sensor frame, and that '
                "the config's point_cloud_range is meant for this dataset "
                '(model.data_preprocessor.voxel_layer.point_cloud_range)')

"""Device-side part of DOS data preparation: masking and voxelisation."""
from typing import Dict, List, Optional

import numpy as np
import torch
from mmdet3d.registry import MODELS
from mmengine.dist import get_rank
from torch import Tensor

from ..utils.block_mask import block_mask
from ..utils.cells import lookup, pack_keys
from .any_device_preprocessor import AnyDeviceDet3DDataPreprocessor
from .sparse_voxelize import hard_voxelize, minkunet_voxelize


@MODELS.register_module()
class DOSDataPreprocessor(AnyDeviceDet3DDataPreprocessor):
    """Mask each view by blocks; voxelise its full and observable points.

    Masking runs here, on the training device, so that ``DOSScheduleHook``
    can change ``block_size`` and ``mask_ratio`` at every iteration (dataset
    workers are separate processes a hook cannot reach). Masked points are
    removed before the student's voxelisation: nothing about them reaches it.

    The voxelisation is the downstream model's: ``voxel_type='hard'``
    (CenterPoint: mmcv's hard voxelisation, reimplemented vectorised in
    :mod:`.sparse_voxelize`; coords (scan, z, y, x)) or
    ``'minkunet'`` (MinkUNet: rounded coords (scan, x, y, z), one point per
    voxel, on a grid whose origin is the range's lower corner, so the
    student's and the teacher's cells coincide and masked points cannot
    move the student's grid).

    Each view becomes a dict with ``full`` (the teacher's input),
    ``visible`` and ``student`` entries, each holding the voxel dict plus
    ``point_vox`` (P', 4) voxel coords of the points whose cells are wanted
    and ``point_rows`` (P',) their rows in the view; and ``orig_coord``
    (P, 3), ``masked`` (P,) bool, ``num_points``, ``num_visible``. The
    student's input is ``visible`` itself, or for the mask-token ablations
    the full voxels with a (V,) ``token_mask`` (see :func:`token_input`).

    Args:
        student_input (str): what the student encodes: ``'observable'``
            (DOS: only the unmasked points, loss at observable cells),
            ``'mask_token'`` (the paper's ablation baseline: every voxel,
            the masked ones replaced by a learnable token, loss at the
            masked cells; the encoder needs ``mask_token_channels``) or
            ``'mask_token_all'`` (the same input, loss at every cell of the
            view, as Sonata's masked baseline).
        block_size (float): mask block edge in metres (paper: 1 m outdoor,
            0.4 m indoor); scheduled by ``DOSScheduleHook``.
        mask_ratio (float): fraction of non-empty blocks hidden (paper: 0.6
            for detection, 0.7 for segmentation); scheduled.
        seed (int, optional): seed of the masking generator. During
            training ``DOSScheduleHook`` calls :meth:`seed_step` before every
            iteration, so the masks are a pure function of (seed, rank,
            iteration) and a resumed run masks exactly as an uninterrupted
            one; the runner's seed is used when this is None.
        **kwargs: arguments of ``Det3DDataPreprocessor`` (``voxel=True``,
            ``voxel_type``, ``voxel_layer``).
    """

    STUDENT_INPUTS = ('observable', 'mask_token', 'mask_token_all')

    def __init__(self,
                 student_input: str = 'observable',
                 block_size: float = 1.0,
                 mask_ratio: float = 0.6,
                 seed: Optional[int] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if student_input not in self.STUDENT_INPUTS:
            raise ValueError(f'student_input must be one of '
                             f'{self.STUDENT_INPUTS}, got {student_input!r}')
        self.student_input = student_input
        if not self.voxel or self.voxel_type not in ('hard', 'minkunet'):
            raise ValueError(
                "DOSDataPreprocessor needs voxel=True and voxel_type 'hard' "
                f"or 'minkunet', got voxel={self.voxel}, "
                f'voxel_type={self.voxel_type!r}')
        self.block_size = block_size
        self.mask_ratio = mask_ratio
        self.seed = seed
        self.generator = torch.Generator()
        if seed is not None:
            self.generator.manual_seed(seed)

    def seed_step(self, step: int, base_seed: Optional[int] = None) -> int:
        """Seed the masking generator from (seed, rank, step).

        Args:
            step (int): the training iteration.
            base_seed (int, optional): used when the preprocessor has no
                ``seed`` of its own (the runner's seed).

        Returns:
            int: the generator's new seed.
        """
        seed = self.seed if self.seed is not None else (base_seed or 0)
        words = np.random.SeedSequence([seed, get_rank(),
                                        step]).generate_state(2)
        value = int(words[0]) << 31 | int(words[1]) >> 1
        self.generator.manual_seed(value)
        return value

    def voxelize_set(self, points: Tensor, batch: Tensor, keep: Tensor,
                     batch_size: int, origin: Optional[Tensor]) -> dict:
        """Voxelise the rows ``keep`` of a view's (P, C) points."""
        rows = torch.nonzero(keep).squeeze(1)
        pts, scan = points[rows], batch[rows]
        layer = self.voxel_layer
        if self.voxel_type == 'hard':
            max_voxels = layer.max_voxels[0 if self.training else 1] \
                if isinstance(layer.max_voxels, (tuple, list)) \
                else layer.max_voxels
            out = hard_voxelize(pts, scan, layer.point_cloud_range,
                                layer.voxel_size, layer.max_num_points,
                                max_voxels)
            inside = out.pop('inside')
            out['point_vox'] = out['point_vox'][inside]
            out['point_rows'] = rows[inside]
            return out
        inside = self.in_range(pts)  # MinkUNet's voxeliser has no range
        rows, pts, scan = rows[inside], pts[inside], scan[inside]
        out = minkunet_voxelize(pts, scan, layer.voxel_size, origin,
                                batch_size)
        out['point_rows'] = rows
        return out

    def in_range(self, points: Tensor) -> Tensor:
        """(P,) bool: inside ``voxel_layer.point_cloud_range``. mmdet3d's
        MinkUNet voxelisation ignores the range; DOS applies it (as hard
        voxelisation does), so a stray point kilometres away cannot push the
        grid beyond the packed cell keys."""
        bounds = points.new_tensor(self.voxel_layer.point_cloud_range)
        xyz = points[:, :3]
        return ((xyz >= bounds[:3]) & (xyz < bounds[3:])).all(1)

    def grid_origin(self, points: Tensor, batch: Tensor,
                    batch_size: int) -> Optional[Tensor]:
        """(B, 3) grid origin of the MinkUNet voxelisation: the rounded
        lower corner of ``point_cloud_range``, the same for every scan and
        view; None for hard voxelisation, whose grid is the range's.

        mmdet3d's MinkUNet voxeliser puts the origin at each scan's minimum.
        Here that minimum would be over the full view, masked points
        included, and would shift the student's voxel grid (which voxels
        merge at each stride) by where the masked points lie. A fixed
        origin leaks nothing, and the student's and the teacher's cells
        still coincide. Against the downstream models' per-scan origin it
        is a translation of the grid, which changes only which voxels share
        a coarse cell, as any translation of the scan does.
        """
        if self.voxel_type != 'minkunet':
            return None
        size = points.new_tensor(self.voxel_layer.voxel_size)
        low = points.new_tensor(self.voxel_layer.point_cloud_range[:3])
        return torch.round(low / size).long().expand(batch_size, 3)

    def voxelize_scans(self, points: Tensor, batch: Tensor,
                       batch_size: int) -> dict:
        """Voxelise every point of whole scans (no masking): probes,
        supervised baselines, benchmarks."""
        return self.voxelize_set(
            points, batch,
            torch.ones(len(points), dtype=torch.bool, device=points.device),
            batch_size, self.grid_origin(points, batch, batch_size))

    def prepare_view(self, view: Dict[str, List[Tensor]]) -> Dict:
        """Mask and voxelise one view of every scan of the batch."""
        pts_list: List[Tensor] = view['points']
        batch_size = len(pts_list)
        batch = torch.cat([
            torch.full((len(p), ), i, dtype=torch.long, device=p.device)
            for i, p in enumerate(pts_list)
        ])
        points = torch.cat(pts_list)  # (P, C)
        # blocks of the points in range only: a stray far point must not
        # stretch the block grid (points out of range are never voxelised)
        inside = self.in_range(points)
        masked = torch.zeros_like(inside)
        masked[inside] = block_mask(points[inside, :3], batch[inside],
                                    self.block_size, self.mask_ratio,
                                    self.generator)
        origin = self.grid_origin(points, batch, batch_size)
        full = self.voxelize_set(points, batch, torch.ones_like(masked),
                                 batch_size, origin)
        visible = self.voxelize_set(points, batch, ~masked, batch_size, origin)
        student = visible if self.student_input == 'observable' else \
            token_input(full, masked,
                        every_cell=self.student_input == 'mask_token_all')
        return dict(
            full=full,
            visible=visible,
            student=student,
            orig_coord=torch.cat(view['orig_coord']),
            masked=masked,
            num_points=int(inside.sum()),
            num_visible=int((inside & ~masked).sum()))

    def forward(self, data: dict, training: bool = False) -> dict:
        """A DOS batch (``inputs['views']``, from ``PackDOSInputs``) gets
        its views masked and voxelised. A batch of whole scans
        (``inputs['points']``, from mmdet3d's ``Pack3DDetInputs``: the
        online probe's labelled scans) is only moved to the device; the
        model voxelises each scan whole (:meth:`voxelize_scans`)."""
        data = self.cast_data(data)
        inputs = data['inputs']
        if 'views' not in inputs:
            if 'points' not in inputs:
                raise KeyError(
                    'DOSDataPreprocessor: a batch needs inputs["views"] '
                    '(PackDOSInputs) or inputs["points"] (Pack3DDetInputs), '
                    f'got {sorted(inputs)}')
            return dict(
                inputs=dict(points=list(inputs['points'])),
                data_samples=data['data_samples'])
        views = [self.prepare_view(v) for v in inputs['views']]
        return dict(
            inputs=dict(views=views), data_samples=data['data_samples'])


def token_input(full: Dict[str, Tensor],
                masked: Tensor,
                every_cell: bool = False) -> Dict[str, Tensor]:
    """The mask-token ablations' student input: the full view's voxels,
    those holding a masked point marked for the token.

    Args:
        full (dict): the full view's voxel dict, with ``point_vox`` (P', 4)
            and ``point_rows`` (P',).
        masked (Tensor): (P,) bool masked points of the view.
        every_cell (bool): keep every voxelised point (the cells of the
            whole view) instead of the masked ones.

    Returns:
        dict: ``full``'s voxels with ``token_mask`` (V,) bool and the
        ``point_vox`` / ``point_rows`` of the points whose cells are wanted.
    """
    rows = full['point_rows']
    hidden = masked[rows]  # (P',) of the voxelised points
    vrow, found = lookup(
        pack_keys(full['point_vox']), pack_keys(full['coors'].long()))
    token_mask = torch.zeros(
        len(full['coors']), dtype=torch.bool, device=rows.device)
    token_mask[vrow[found & hidden]] = True
    out = dict(full, token_mask=token_mask)
    if not every_cell:
        out.update(
            point_vox=full['point_vox'][hidden], point_rows=rows[hidden])
    return out

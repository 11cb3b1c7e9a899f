"""DOS: Distilling Observable Softmaps of Zipfian Prototypes."""
from typing import Dict, List, Optional, Tuple

import torch
from mmdet3d.registry import MODELS
from mmengine import dist
from mmengine.model import BaseModel
from torch import Tensor
from torch.profiler import record_function

from dos_mm.functional import dos_schedule
from ..utils.cells import lookup
from ..utils.cross_view_match import match_nearest
from .dos_encoder import DOSEncoder
from .empty_steps import EmptyStepGuard, empty_scans
from .encoding import Encoding
from .schedule_config import checked_schedule_start
from .state_dict_keys import renamed_key, upgrade_state_dict
from .teacher_ema import TeacherEMA


@MODELS.register_module()
class DOS(BaseModel):
    """Self-supervised pretraining of a sparse 3D backbone with DOS.

    The student encodes only the observable (unmasked) points of each view;
    masked points are removed before voxelisation, so nothing about them can
    reach it. The EMA teacher encodes the full views. At the student's loss
    cells both give cosine logits to K prototypes; teacher logits are
    balanced by Zipf-Sinkhorn and turned into per-scene softmaps, which the
    student's softmaps match (same view and cross view, 1/2 each).

    One step: views (the preprocessor) -> teacher and student encodings
    (``encoder``, a :class:`DOSEncoder`) -> matched cells -> targets and
    loss (``head``, a ``DOSHead``) -> diagnostics. What the student sees is
    the preprocessor's ``student_input``.

    Args:
        encoder (dict): arguments of :class:`DOSEncoder`.
        head (dict): ``DOSHead`` config (targets, loss, student
            temperature).
        schedule (dict, optional): what changes in the schedule of tau_T,
            alpha, the teacher momentum and the masks (keyword arguments of
            :func:`dos_mm.functional.dos_schedule`, whose defaults are the
            rest). The one place these values are stated; the model holds
            their start until ``DOSScheduleHook`` sets them per iteration.
        cross_view_radius (float, optional): largest distance in metres
            between matched cells of two views; default 2 x the loss cell.
        data_preprocessor (dict): ``DOSDataPreprocessor`` config.
        max_empty_steps (int): steps in a row without a point inside the
            range that stop the run (:class:`EmptyStepGuard`; each empty
            scan is logged by name).
    """

    def __init__(self,
                 encoder: dict,
                 head: dict,
                 schedule: Optional[dict] = None,
                 cross_view_radius: Optional[float] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 max_empty_steps: int = 20,
                 **scheduled) -> None:
        start = checked_schedule_start(
            dict(schedule or {}), head, data_preprocessor, scheduled)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.schedule = dict(schedule or {})
        self.student = DOSEncoder(**encoder)
        self.teacher = TeacherEMA(self.student, start['teacher_momentum'])
        self.head = MODELS.build(head)
        self._check_prototype_counts()
        self.set_schedule(**start)
        self.cross_view_radius = cross_view_radius  # None: resolved once
        self.empty_steps = EmptyStepGuard(max_empty_steps)
        self._register_load_state_dict_pre_hook(self._upgrade_keys)
        student_input = getattr(self.data_preprocessor, 'student_input',
                                'observable')
        if student_input != 'observable' and self.student.mask_token is None:
            raise ValueError(f"student_input='{student_input}' needs "
                             'encoder.mask_token_channels (the backbone '
                             'input channels)')

    def _check_prototype_counts(self) -> None:
        """The prototype head's K and the target's must agree (otherwise
        the first step fails deep in a matrix product)."""
        usage = getattr(getattr(self.head, 'target', None), 'usage', None)
        if usage is None:
            return
        k_head, k_target = self.student.num_prototypes, usage.numel()
        if k_head != k_target:
            raise ValueError(
                f'model.encoder.head.num_prototypes={k_head} but '
                f'model.head.target.num_prototypes={k_target}: the target '
                'is computed over the prototypes the head scores. Fix: '
                'state K once (num_prototypes = ... at the top of the '
                'config) and pass it to both, as configs/dos/*.py do')

    def init_weights(self) -> None:
        super().init_weights()
        # the teacher starts as an exact copy of the initialised student
        self.teacher.module.load_state_dict(self.student.state_dict())

    @staticmethod
    def _upgrade_keys(state, prefix, *args) -> None:
        """Load-state-dict pre-hook: rename older keys in place (only
        those; the dict's other entries and metadata stay as they are)."""
        for key in list(state):
            new = renamed_key(key, prefix)
            if new != key:
                state[new] = state.pop(key)

    @staticmethod
    def upgrade_state_dict(state: dict) -> dict:
        """See :func:`upgrade_state_dict` (read by ``CheckpointCheckHook``
        before it compares a checkpoint with the model)."""
        return upgrade_state_dict(state)

    # ------------------------------------------------------------------
    def radius(self, encodings: List[Encoding]) -> float:
        """The cross-view matching radius: the configured one, or 2 x the
        loss cell's edge, resolved from the first encoding with cells and
        kept (1.0 while no encoding has cells: nothing to match)."""
        if self.cross_view_radius is None:
            stride = next(
                (e.stride for e in encodings if e.stride is not None), None)
            if stride is None:
                return 1.0
            size = self.data_preprocessor.voxel_layer.voxel_size[0]
            self.cross_view_radius = 2 * float(size) * int(stride[-1])
        return self.cross_view_radius

    @record_function('dos.matching')
    def match_views(self, student: List[Encoding], teacher: List[Encoding],
                    radius: float, stats: dict) -> Dict:
        """Pairs (student cell, teacher cell) for every (student view i,
        teacher view j): the same cell where j == i, the nearest cell in
        original coordinates within ``radius`` otherwise.

        Returns:
            dict: ``(i, j) -> (s_rows (R,), t_rows (R,))`` int64 rows into
            student ``i``'s and teacher ``j``'s cells.
        """
        pairs = {}
        for i, s in enumerate(student):
            scan = s.cells[:, 0]
            if len(scan) == 0:  # crop / mask left nothing in range
                stats['empty_views'] += 1
            stats['cells'] += len(scan)
            for j, t in enumerate(teacher):
                if j == i:
                    row, ok = lookup(s.keys, t.keys)
                else:
                    row, ok = match_nearest(s.centroid, scan, t.centroid,
                                            t.cells[:, 0], radius)
                    stats['pairs'] += int(ok.sum())
                s_rows = ok.nonzero()[:, 0]
                pairs[(i, j)] = (s_rows, row[s_rows])
        return pairs

    def loss(self, inputs: dict, data_samples: List) -> Dict[str, Tensor]:
        views = inputs['views']
        batch_size = len(data_samples)
        with torch.no_grad():
            teacher = [
                self.teacher.module.encode(v['full'], v['orig_coord'],
                                           batch_size) for v in views
            ]
        student = [
            self.student.encode(v['student'], v['orig_coord'], batch_size)
            for v in views
        ]
        logits = [
            self.student.embed(s.take_feats(), self.head.student_temp)
            for s in student
        ]
        stats = dict(pairs=0, cells=0, empty_views=0)
        pairs = self.match_views(student, teacher,
                                 self.radius(student + teacher), stats)
        plan = self.head.targets(teacher, self.teacher.module, pairs)
        total = self.head.loss(logits, [s.cells for s in student], plan, pairs,
                               batch_size)
        if total is None:  # nothing observable anywhere: a counted zero
            total = sum(p.sum() * 0 for p in self.student.parameters())
        empty = empty_scans([t.cells for t in teacher], batch_size)
        out = dict(loss=total)
        out.update(
            self.diagnostics(views, student, plan.winners, stats, empty))
        self._count_empty(empty, data_samples, out['empty_scan_fraction'])
        return out

    def _count_empty(self, empty: Tensor, data_samples: List,
                     fraction: Tensor) -> None:
        """Log this process's scans with nothing in range; stop after too
        many steps in a row where no scan of the global batch had any
        (``fraction`` of empty scans in the global batch is 1)."""
        share = float(fraction)  # one read; the names only when needed
        names = [] if share == 0 else [
            str(data_samples[i].metainfo.get('lidar_path', f'#{i}'))
            for i in empty.nonzero()[:, 0].tolist()
        ]
        layer = getattr(self.data_preprocessor, 'voxel_layer', None)
        self.empty_steps.update(
            names, share >= 1.0,
            str(list(getattr(layer, 'point_cloud_range', ['?']))))

    @torch.no_grad()
    def diagnostics(self, views: list, student: List[Encoding],
                    winners: Tensor, stats: dict,
                    empty: Tensor) -> Dict[str, Tensor]:
        """Scalars to log (their names avoid 'loss', see mmengine's
        ``parse_losses``), computed over the global batch; prototype usage
        is that of the teacher at the target cells, whose top prototypes
        are ``winners`` (N,); ``empty`` (B,) bool marks scans with nothing
        in range."""
        dev = views[0]['orig_coord'].device
        counts = torch.tensor([
            float(sum(v['num_visible'] for v in views)),
            float(sum(v['num_points'] for v in views)),
            float(stats['pairs']),
            float(stats['cells']),
            float(stats['empty_views'])
        ],
                              device=dev)
        # cells missing from a neck level: summed on the device, no sync
        missing = torch.stack([s.missing.float().to(dev) for s in student])
        counts = torch.cat([
            counts,
            missing.sum().reshape(1),
            empty.float().sum().to(dev).reshape(1),
            counts.new_tensor([float(len(empty))])
        ])
        dist.all_reduce(counts, op='sum')
        out = self.head.usage(winners, self.student.num_prototypes, dev)
        out.update(
            visible_fraction=counts[0] / counts[1].clamp(min=1),
            matched_pairs=counts[2] / counts[3].clamp(min=1),
            empty_views=counts[4],
            upcast_missing=counts[5],
            empty_scan_fraction=counts[6] / counts[7].clamp(min=1))
        return out

    def forward(self,
                inputs: dict,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            if 'points' not in inputs:
                raise ValueError(
                    "DOS mode='predict' reads whole scans (Pack3DDetInputs' "
                    "'points', the online probe's dataloader), got "
                    f'{sorted(inputs)}')
            return self.predict(inputs['points'], data_samples)
        if mode == 'tensor':
            batch_size = len(data_samples)
            return [
                self.student.logits(
                    self.student.encode(v['full'], v['orig_coord'],
                                        batch_size).take_feats())
                for v in inputs['views']
            ]
        raise RuntimeError(
            f"DOS is a pretraining model: mode={mode!r} is not supported "
            "(use 'loss', 'predict' or 'tensor'). To evaluate a backbone, "
            'convert the checkpoint and fine-tune or linear-probe it.')

    @torch.no_grad()
    def predict(self, points: List[Tensor], data_samples: List) -> List:
        """The teacher's reading of whole scans (no masking, no crop) for
        the online probe (``OnlineProbeMetric``): the teacher is the
        network that is exported. Each data sample gains

        - ``cell_feats`` (M, C'): features of the scan's loss cells from the
          loss level and the coarser ones (the linear probe's features, as
          in the benchmarks);
        - ``cell_prototype`` (M,): each cell's top prototype (the head reads
          every level);
        - ``point_cell`` (P',): the cell of each voxelised point;
        - ``point_rows`` (P',): those points' rows in the scan (points out of
          range have none).

        BatchNorm uses its running statistics when the model is in eval
        mode, as mmengine's validation loop sets it.
        """
        teacher = self.teacher.module
        for pts, sample in zip(points, data_samples):
            scan = torch.zeros(len(pts), dtype=torch.long, device=pts.device)
            vox = self.data_preprocessor.voxelize_scans(pts, scan, 1)
            if len(vox['coors']) < 2:  # nothing (or one voxel) in range
                rows = vox['point_rows'][:0]
                sample.cell_feats = pts.new_zeros(0, 0)
                sample.cell_prototype = rows
                sample.point_cell = rows
                sample.point_rows = rows
                continue
            levels = teacher.levels(vox, 1)  # one backbone pass
            probe = teacher.gather(levels, vox['point_vox'], coarse_only=True)
            full = teacher.gather(levels, vox['point_vox'])
            sample.cell_feats = probe.feats
            sample.cell_prototype = teacher.logits(full.feats).argmax(1)
            sample.point_cell = probe.point_cell
            sample.point_rows = vox['point_rows']
        return data_samples

    def teacher_update(self) -> None:
        """EMA step of the teacher towards the student (one optimizer
        step)."""
        self.teacher.update_parameters(self.student)

    def schedule_at(self, it: int, max_iters: int) -> Dict[str, float]:
        """The scheduled values of iteration ``it`` of ``max_iters`` (what
        :meth:`set_schedule` takes)."""
        return dos_schedule(it, max_iters, **self.schedule)

    def set_schedule(self, **values: float) -> Tuple[str, ...]:
        """Set scheduled scalars by name (the values in force); returns the
        names set."""
        pre = self.data_preprocessor
        targets = dict(
            teacher_temp=(self.head, 'teacher_temp'),
            alpha=(self.head.target, 'alpha'),
            teacher_momentum=(self.teacher, 'momentum'),
            block_size=(pre, 'block_size'),
            mask_ratio=(pre, 'mask_ratio'))
        for name, value in values.items():
            if name not in targets:
                raise KeyError(f'unknown scheduled value {name!r}; known: '
                               f'{sorted(targets)}')
            obj, attr = targets[name]
            setattr(obj, attr, float(value))
        return tuple(values)

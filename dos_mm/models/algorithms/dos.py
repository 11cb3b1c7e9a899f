"""DOS: Distilling Observable Softmaps of Zipfian Prototypes."""
import logging
from typing import Dict, List, Optional, Tuple

import torch
from mmdet3d.registry import MODELS
from mmengine import dist
from mmengine.logging import print_log
from mmengine.model import BaseModel
from torch import Tensor

from ..heads import CosineLogits
from ..utils.cells import lookup, pack_keys, segment_mean
from ..utils.cross_view_match import match_nearest
from ..utils.prototype_usage import prototype_usage
from .dos_encoder import DOSEncoder
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

    This class only orchestrates; the parts are built from config:
    ``encoder`` (voxel encoder, backbone, neck, head), ``target``
    (``ZipfSinkhornTarget``) and ``loss`` (``SoftmapLoss``).

    Args:
        encoder (dict): arguments of :class:`DOSEncoder`.
        target (dict): target generator config.
        loss (dict): loss config.
        teacher_momentum (float): weight the teacher keeps (scheduled).
        teacher_temp (float): tau_T (scheduled; paper 0.04 -> 0.07).
        student_temp (float): tau_S (default 0.1).
        cross_view_radius (float, optional): largest distance in metres
            between matched cells of two views; default 2 x the loss cell.
        same_view_weight (float): weight of the same-view term (paper 0.5);
            the cross-view term gets the rest.
        student_input (str): ``'observable'`` (DOS: the student sees only
            the unmasked points, loss at observable cells) or
            ``'mask_token'`` (the paper's ablation baseline: the student
            sees every voxel, masked ones replaced by a learnable token,
            and is distilled at the masked cells; needs the encoder's
            ``mask_token_channels``) or ``'mask_token_all'`` (the same
            input, distilled at every cell of the masked view, as Sonata's
            masked baseline).
        collapse_fraction (float): when at most this fraction of the K
            prototypes wins any cell of the global batch, a prototype
            collapse is logged as a warning (and ``collapsed`` is 1).
        data_preprocessor (dict): ``DOSDataPreprocessor`` config.
    """
    # student input -> the part of a view the student encodes
    STUDENT_INPUTS = dict(
        observable='visible', mask_token='masked', mask_token_all='masked_all')

    def __init__(self,
                 encoder: dict,
                 target: dict,
                 loss: dict = dict(type='SoftmapLoss'),
                 teacher_momentum: float = 0.994,
                 teacher_temp: float = 0.04,
                 student_temp: float = 0.1,
                 cross_view_radius: Optional[float] = None,
                 same_view_weight: float = 0.5,
                 student_input: str = 'observable',
                 collapse_fraction: float = 0.01,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.student = DOSEncoder(**encoder)
        self.teacher = TeacherEMA(self.student, teacher_momentum)
        self.target_generator = MODELS.build(target)
        self.loss_module = MODELS.build(loss)
        self.teacher_temp = teacher_temp
        self.student_temp = student_temp
        self.cross_view_radius = cross_view_radius
        self.same_view_weight = same_view_weight
        if student_input not in self.STUDENT_INPUTS:
            raise ValueError(f'student_input must be one of '
                             f'{tuple(self.STUDENT_INPUTS)}, got '
                             f'{student_input!r}')
        if student_input != 'observable' and self.student.mask_token is None:
            raise ValueError(f"student_input='{student_input}' needs "
                             'encoder.mask_token_channels (the backbone '
                             'input channels)')
        self.student_input = student_input
        self.collapse_fraction = collapse_fraction
        self.final_alpha = self.target_generator.alpha

    def init_weights(self) -> None:
        super().init_weights()
        # the teacher starts as an exact copy of the initialised student
        self.teacher.module.load_state_dict(self.student.state_dict())

    # ------------------------------------------------------------------
    def encode(self,
               net,
               view: dict,
               part: str,
               batch_size: int,
               head: Optional[str] = 'logits') -> Dict[str, Tensor]:
        """Run ``net`` (student or teacher encoder) on ``view[part]``:
        ``'visible'`` (observable points), ``'full'`` (every point) or
        ``'masked'`` (ablation: every voxel, cells of the masked points) or
        ``'masked_all'`` (every voxel, every cell).
        Adds each cell's centroid in original coordinates (M, 3) and its
        key (M,). ``head``: ``'logits'`` adds the (M, K) cosine logits,
        ``'embed'`` their factors, the (M, D) unit embeddings ``emb`` and
        (K, D) unit prototypes ``protos`` (the student's loss never
        materialises its logits for backward), and None returns the (M, C)
        features instead, leaving the head to the caller (the teacher's
        head only runs on the cells that become targets)."""
        if part in ('masked', 'masked_all'):  # ablation: masked tokenised
            inp, point_vox, rows, token_mask = self._token_input(
                view, every_cell=part == 'masked_all')
        else:
            inp = view[part]
            point_vox, rows, token_mask = inp['point_vox'], \
                inp['point_rows'], None
        if len(inp['coors']) < 2 or len(rows) == 0:  # nothing in range
            return self._empty_encoding(inp['point_vox'].device)
        try:
            out = net.features(inp, point_vox, batch_size, token_mask)
        except ValueError as exc:
            # a handful of voxels that merge into one cell at a coarse
            # level: training-mode BatchNorm cannot normalise one value
            if 'more than 1 value per channel' not in str(exc):
                raise
            print_log(
                f'DOS: a {part} view of {len(inp["coors"])} voxels collapses '
                'to a single voxel at a coarse level; counted as empty',
                logger='current',
                level=logging.WARNING)
            return self._empty_encoding(inp['point_vox'].device)
        if head == 'logits':
            out['logits'] = net.head(out.pop('feats'))
        elif head == 'embed':
            out['emb'], out['protos'] = net.head.embed(out.pop('feats'))
        out['centroid'] = segment_mean(view['orig_coord'][rows],
                                       out['point_cell'], len(out['cells']))
        out['keys'] = pack_keys(out['cells'])
        return out

    @staticmethod
    def _token_input(view: dict, every_cell: bool = False) -> Tuple:
        """Full voxels, the voxel coords / rows of the masked points (of
        every point with ``every_cell``), and the (V,) voxels holding a
        masked point (to get the mask token)."""
        full = view['full']
        rows = full['point_rows']
        masked = view['masked'][rows]  # (P',) of the voxelised points
        vrow, found = lookup(
            pack_keys(full['point_vox']), pack_keys(full['coors'].long()))
        token_mask = torch.zeros(
            len(full['coors']), dtype=torch.bool, device=rows.device)
        token_mask[vrow[found & masked]] = True
        if every_cell:
            return full, full['point_vox'], rows, token_mask
        return full, full['point_vox'][masked], rows[masked], token_mask

    def _empty_encoding(self, device) -> Dict[str, Tensor]:
        head = self.student.head
        k, d = head.prototypes.weight.shape
        empty = torch.zeros(0, dtype=torch.long, device=device)
        return dict(
            cells=empty.new_zeros(0, 4),
            point_cell=empty,
            logits=torch.zeros(0, k, device=device),
            emb=torch.zeros(0, d, device=device),
            protos=torch.zeros(k, d, device=device),
            feats=torch.zeros(0, head.projector[0].in_features, device=device),
            stride=None,
            centroid=torch.zeros(0, 3, device=device),
            keys=empty)

    def cell_edge(self, stride: Tensor) -> float:
        """Edge of a loss cell in metres (first horizontal axis)."""
        size = self.data_preprocessor.voxel_layer.voxel_size[0]
        return float(size) * int(stride[-1])

    def match_views(
            self, student: list, teacher: list, radius: float,
            stats: dict) -> Dict[Tuple[int, int], Tuple[Tensor, Tensor]]:
        """Pairs (student cell, teacher cell) for every (student view i,
        teacher view j): the same cell where j == i, the nearest cell in
        original coordinates within ``radius`` otherwise.

        Returns:
            dict: ``(i, j) -> (s_rows (R,), t_rows (R,))`` int64 rows into
            student ``i``'s and teacher ``j``'s cells.
        """
        pairs = {}
        for i, s in enumerate(student):
            scan = s['cells'][:, 0]
            if len(scan) == 0:  # crop / mask left nothing in range
                stats['empty_views'] += 1
            stats['cells'] += len(scan)
            for j, t in enumerate(teacher):
                if j == i:
                    row, ok = lookup(s['keys'], t['keys'])
                else:
                    row, ok = match_nearest(s['centroid'], scan, t['centroid'],
                                            t['cells'][:, 0], radius)
                    stats['pairs'] += int(ok.sum())
                s_rows = ok.nonzero()[:, 0]
                pairs[(i, j)] = (s_rows, row[s_rows])
        return pairs

    @torch.no_grad()
    def targets(self, teacher: list,
                pairs: dict) -> Tuple[Tensor, Dict, Tensor]:
        """One Zipf-Sinkhorn plan over the global batch of target cells.

        The teacher head runs once per view, on the cells that are the
        target of at least one student cell (same or cross view), and the
        plan is computed once over all of them: the N cells of the whole
        batch (docs/method.md, "targets"), instead of one plan per term.

        Each view's (M, C) features are dropped from ``teacher`` once its
        head has run: nothing after this needs them.

        Returns:
            tuple: the (N, K) float32 log plan, ``(i, j) -> (R,)`` rows of
            the plan for each pair's targets, and the (N,) prototype each
            target cell's cosine logits rank first.
        """
        rows, plan_rows, offset = [], {}, 0
        for j, t in enumerate(teacher):
            keys = [key for key in pairs if key[1] == j]
            wanted = torch.cat([pairs[key][1] for key in keys])
            used, inverse = torch.unique(wanted, return_inverse=True)
            rows.append(used)
            sizes = [len(pairs[key][1]) for key in keys]
            for key, inv in zip(keys, inverse.split(sizes)):
                plan_rows[key] = inv + offset
            offset += len(used)
        # each view's head output goes straight into one (N, K) float32
        # tensor, scaled in place: no per-view copies, no concatenation
        logits = torch.empty(
            offset, self.student.head.num_prototypes, device=rows[0].device)
        start = 0
        for t, used in zip(teacher, rows):
            self._teacher_head(
                t.pop('feats'), used, out=logits[start:start + len(used)])
            start += len(used)
        winners = logits.argmax(1)
        log_q = self.target_generator(
            logits.div_(self.teacher_temp), overwrite=True)
        return log_q, plan_rows, winners

    @torch.no_grad()
    def _teacher_head(self,
                      feats: Tensor,
                      rows: Tensor,
                      out: Optional[Tensor] = None,
                      chunk: int = 1024) -> Tensor:
        """(R, K) teacher logits of ``feats[rows]``, written into ``out``
        when given, ``chunk`` rows at a time: the head has no batch
        statistics, so this equals one call, and the projector's
        (R, hidden) activations never exist at once (two (chunk, hidden)
        tensors instead)."""
        head = self.teacher.module.head
        if out is None:
            out = feats.new_empty(len(rows), head.num_prototypes)
        start = 0
        for part in rows.split(chunk):
            out[start:start + len(part)] = head(feats[part])
            start += len(part)
        return out

    def loss(self, inputs: dict, data_samples: List) -> Dict[str, Tensor]:
        views = inputs['views']
        batch_size = len(data_samples)
        with torch.no_grad():
            teacher = [
                self.encode(
                    self.teacher.module, v, 'full', batch_size, head=None)
                for v in views
            ]
        part = self.STUDENT_INPUTS[self.student_input]
        student = [
            self.encode(self.student, v, part, batch_size, head='embed')
            for v in views
        ]
        strides = [
            e['stride'] for e in student + teacher if e['stride'] is not None
        ]
        radius = self.cross_view_radius
        if radius is None:  # nothing in range on this rank: nothing to match
            radius = 2 * self.cell_edge(strides[0]) if strides else 1.0
        stats = dict(pairs=0, cells=0, empty_views=0)
        pairs = self.match_views(student, teacher, radius, stats)
        log_q, plan_rows, winners = self.targets(teacher, pairs)
        terms = []
        for i, s in enumerate(student):
            term = self._view_term(i, s, pairs, log_q, plan_rows, batch_size)
            if term is not None:
                terms.append(term)
        del log_q  # the (N, K) plan: backward does not need it
        if terms:
            total = torch.stack(terms).sum()
        else:  # nothing observable anywhere: a counted, finite zero
            total = sum(p.sum() * 0 for p in self.student.parameters())
        out = dict(loss=total)
        out.update(self.diagnostics(views, winners, stats))
        return out

    def _view_term(self, i: int, s: dict, pairs: dict, log_q: Tensor,
                   plan_rows: dict, batch_size: int) -> Optional[Tensor]:
        """w * same-view + (1 - w) * mean cross-view term of student view
        ``i`` (the mean over the cross views with matched cells; w = 1 when
        there is none), each term its (R, K) student logits against its
        (R, K) rows of the target plan; None when the view has no
        observable cell.

        Every rank calls the loss for every pair, rows or not: its
        ``softmap_norm='batch'`` collectives must match across ranks.
        """
        scan = s['cells'][:, 0]
        keys = [key for key in pairs if key[0] == i]
        cross = [key for key in keys if key[1] != i and len(pairs[key][0])]
        terms = []
        for key in keys:
            s_rows = pairs[key][0]
            if key[1] == i:
                weight = self.same_view_weight if cross else 1.0
            elif key in cross:
                weight = (1 - self.same_view_weight) / len(cross)
            else:
                weight = 0.0
            terms.append((s_rows, plan_rows[key], scan[s_rows], weight))
        logits = CosineLogits(s['emb'], s['protos'], self.student_temp)
        value = self.loss_module.weighted_terms(logits, log_q, terms,
                                                batch_size)
        return value if len(pairs[(i, i)][0]) else None

    @torch.no_grad()
    def diagnostics(self, views: list, winners: Tensor,
                    stats: dict) -> Dict[str, Tensor]:
        """Scalars to log (their names avoid 'loss', see mmengine's
        ``parse_losses``), computed over the global batch; prototype usage
        is that of the teacher at the target cells, whose top prototypes
        are ``winners`` (N,)."""
        dev = views[0]['orig_coord'].device
        counts = torch.tensor([
            float(sum(v['num_visible'] for v in views)),
            float(sum(v['num_points'] for v in views)),
            float(stats['pairs']),
            float(stats['cells']),
            float(stats['empty_views'])
        ],
                              device=dev)
        dist.all_reduce(counts, op='sum')
        out = prototype_usage(
            winners.to(dev), self.student.head.num_prototypes,
            self.final_alpha, self.collapse_fraction)
        out.update(
            visible_fraction=counts[0] / counts[1].clamp(min=1),
            matched_pairs=counts[2] / counts[3].clamp(min=1),
            empty_views=counts[4],
            usage_rank_agreement=self.target_generator.last_rank_agreement.to(
                dev),
            upcast_missing=torch.as_tensor(
                self.student.neck.last_missing, dtype=torch.float, device=dev))
        return out

    def forward(self,
                inputs: dict,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'tensor':
            batch_size = len(data_samples)
            return [
                self.encode(self.student, v, 'full', batch_size)['logits']
                for v in inputs['views']
            ]
        raise RuntimeError(
            f"DOS is a pretraining model: mode={mode!r} is not supported "
            "(use 'loss' or 'tensor'). To evaluate, convert the checkpoint "
            'and fine-tune or linear-probe the backbone.')

    def teacher_update(self) -> None:
        """EMA step of the teacher towards the student (one optimizer
        step)."""
        self.teacher.update_parameters(self.student)

    def set_schedule(self, **values: float) -> Tuple[str, ...]:
        """Set scheduled scalars by name; returns the names set."""
        pre = self.data_preprocessor
        targets = dict(
            teacher_temp=(self, 'teacher_temp'),
            alpha=(self.target_generator, 'alpha'),
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

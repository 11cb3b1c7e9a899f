"""What a pretraining run has learnt so far, measured in mmengine's
validation loop: a linear probe and segmentation from the prototypes."""
import zlib
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmdet3d.evaluation.functional import seg_eval
from mmdet3d.registry import METRICS
from mmengine.evaluator import BaseMetric

from ..linear_probe import (ProbeConfig, class_balanced_sample,
                            fit_linear_probe, predict)
from ..prototype_segmentation import overlap, score_mappings


def _numpy(value) -> np.ndarray:
    return value.cpu().numpy() if isinstance(value, torch.Tensor) \
        else np.asarray(value)


@METRICS.register_module()
class OnlineProbeMetric(BaseMetric):
    """Linear-probe mIoU and segmentation from the prototypes of a DOS
    teacher, every ``val_interval`` iterations of a pretraining run.

    It reads the outputs of ``DOS.predict`` on the scans of a
    ``ProbeSplits`` dataset: the probe (``Linear`` on standardised
    features of the loss level and coarser, full-batch AdamW, seeded: the
    benchmarks' probe) is fitted on a class-balanced sample of the points
    of the ``fit`` scans and scored with mmdet3d's ``seg_eval`` on the
    ``held_out`` scans; each prototype is mapped to a class on the fit
    scans, many-to-one and one-to-one (Hungarian;
    :mod:`dos_mm.evaluation.prototype_segmentation`), and scored on all the
    voxelised points of the held-out scans.

    To bound what each process keeps, the probe is scored on a seeded
    uniform sample of ``score_points_per_scan`` voxelised points of each
    held-out scan (None: all; the benchmarks score all), and fitted on
    ``fit_points_per_scan`` class-balanced points per fit scan. Samples are
    seeded by the scan's path, so they do not depend on which process reads
    the scan.

    Logged values (with the prefix ``probe/``): ``miou``, ``acc``,
    ``head_miou`` and ``tail_miou`` (means of the per-class IoU over
    ``head_classes`` and over the other classes, when ``head_classes`` is
    given), ``proto_many_to_one_miou``, ``proto_one_to_one_miou``, ``nmi``
    (classes against top prototypes on the held-out points) and
    ``prototypes_in_use`` (top prototype of at least one held-out point).
    All but the last are percentages or in [0, 1] (``nmi``).

    Args:
        head_classes (Sequence[str]): the frequent classes (the rest is the
            tail); empty: no head / tail values.
        fit_points_per_scan (int): class-balanced points of each fit scan.
        score_points_per_scan (int, optional): sampled points of each
            held-out scan for the probe's score.
        probe (dict, optional): fields of :class:`ProbeConfig` (epochs, lr,
            weight_decay, seed).
        num_prototypes (int, optional): K, for the overlap counts; read
            from the predictions when None (the largest index + 1).
    """
    default_prefix = 'probe'

    def __init__(self,
                 head_classes: Sequence[str] = (),
                 fit_points_per_scan: int = 10000,
                 score_points_per_scan: Optional[int] = 10000,
                 probe: Optional[dict] = None,
                 num_prototypes: Optional[int] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.head_classes = tuple(head_classes)
        self.fit_points_per_scan = fit_points_per_scan
        self.score_points_per_scan = score_points_per_scan
        self.probe_cfg = ProbeConfig(**(probe or {}))
        self.num_prototypes = num_prototypes

    def _generator(self, sample: dict) -> torch.Generator:
        key = str(sample.get('lidar_path', sample.get('sample_idx', '')))
        return torch.Generator().manual_seed(self.probe_cfg.seed * 1_000_003 +
                                             zlib.crc32(key.encode()))

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep, per scan, the points the probe and the mapping need."""
        num_classes = len(self.dataset_meta['classes'])
        for sample in data_samples:
            role = sample.get('probe_role')
            if role not in ('fit', 'held_out'):
                raise ValueError(
                    'OnlineProbeMetric: a data sample without probe_role '
                    f"(got {role!r}, scan {sample.get('lidar_path')}). Fix: "
                    "use type='ProbeSplits' as the validation dataset")
            rows = torch.as_tensor(sample['point_rows']).cpu()
            cells = torch.as_tensor(sample['point_cell']).cpu()
            mask = torch.as_tensor(
                _numpy(sample['gt_pts_seg']['pts_semantic_mask']))
            labels = mask.long()[rows]
            labels[(labels < 0) | (labels >= num_classes)] = -1
            winners = torch.as_tensor(sample['cell_prototype']).cpu()[cells]
            feats = torch.as_tensor(sample['cell_feats']).cpu()
            gen = self._generator(sample)
            if role == 'fit':
                keep = class_balanced_sample(labels, num_classes,
                                             self.fit_points_per_scan, gen)
                feats = feats[cells[keep]].float()
            else:  # held out: a uniform sample, in half precision
                keep = self._score_rows(len(rows), gen)
                feats = feats[cells[keep]].half()
            self.results.append(
                dict(
                    role=role,
                    feats=feats,
                    labels=labels[keep],
                    winners=winners.int(),
                    point_labels=labels.short()))

    def _score_rows(self, num_points: int,
                    gen: torch.Generator) -> torch.Tensor:
        """Sorted rows of at most ``score_points_per_scan`` points, drawn
        uniformly with ``gen`` (all rows when the scan has no more)."""
        limit = self.score_points_per_scan
        if limit is None or num_points <= limit:
            return torch.arange(num_points)
        return torch.randperm(num_points, generator=gen)[:limit].sort().values

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        classes = list(self.dataset_meta['classes'])
        unknown = [c for c in self.head_classes if c not in classes]
        if unknown:
            raise ValueError(
                f'OnlineProbeMetric: head_classes {unknown} are not classes '
                f'of the dataset ({classes}). Fix: name them as the '
                "dataset's metainfo does")
        fit = [r for r in results if r['role'] == 'fit']
        held = [r for r in results if r['role'] == 'held_out']
        fit_feats = [r['feats'] for r in fit if len(r['labels'])]
        if not fit_feats or not held:
            raise ValueError(
                f'OnlineProbeMetric: {len(fit_feats)} fit scans with '
                f'labelled points in range and {len(held)} held-out scans; '
                'both are needed. Fix: check the ProbeSplits ann_files and '
                'that their scans lie inside the point_cloud_range')
        out = self._probe(fit_feats,
                          [r['labels'] for r in fit if len(r['labels'])], held,
                          classes)
        out.update(self._prototypes(fit, held, len(classes)))
        return out

    def _probe(self, fit_feats: List[torch.Tensor],
               fit_labels: List[torch.Tensor], held: List[dict],
               classes: List[str]) -> Dict[str, float]:
        """Fit on the fit scans' sample, ``seg_eval`` on the held-out."""
        probe = fit_linear_probe(
            torch.cat(fit_feats), torch.cat(fit_labels), len(classes),
            self.probe_cfg)
        ignore = len(classes)
        preds, gts = [], []
        for r in held:
            preds.append(predict(probe, r['feats'].float())[0].numpy())
            gts.append(
                torch.where(r['labels'] >= 0, r['labels'], ignore).numpy())
        label2cat = dict(enumerate(classes))
        label2cat[ignore] = 'ignore'
        res = seg_eval(gts, preds, label2cat, ignore, logger='silent')
        out = dict(miou=100 * float(res['miou']), acc=100 * float(res['acc']))
        if self.head_classes:
            per_class = {c: 100 * float(res[c]) for c in classes}
            head = [per_class[c] for c in self.head_classes]
            tail = [
                v for c, v in per_class.items() if c not in self.head_classes
            ]
            out.update(
                head_miou=float(np.nanmean(head)),
                tail_miou=float(np.nanmean(tail)))
        return out

    def _prototypes(self, fit: List[dict], held: List[dict],
                    num_classes: int) -> Dict[str, float]:
        """Both mappings fitted on every fit point, scored on every
        held-out point; NMI on the held-out points."""
        from sklearn.metrics import normalized_mutual_info_score
        k = self.num_prototypes or 1 + max(
            int(r['winners'].max()) for r in fit + held if len(r['winners']))
        counts = sum(
            overlap(r['winners'].numpy(), r['point_labels'].numpy(), k,
                    num_classes) for r in fit)
        assign = torch.cat([r['winners'] for r in held]).numpy()
        labels = torch.cat([r['point_labels'] for r in held]).long().numpy()
        scores = score_mappings(counts, assign, labels, num_classes)
        keep = labels >= 0
        return dict(
            proto_many_to_one_miou=scores['many_to_one_miou'],
            proto_one_to_one_miou=scores['one_to_one_miou'],
            nmi=float(
                normalized_mutual_info_score(labels[keep], assign[keep])),
            prototypes_in_use=scores['prototypes_in_use'])

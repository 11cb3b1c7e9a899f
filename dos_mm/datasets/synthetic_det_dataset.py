"""The synthetic scans as an mmdet3d 3D detection dataset."""
import os.path as osp
from typing import List, Optional

import numpy as np
from mmdet3d.datasets import Det3DDataset
from mmdet3d.registry import DATASETS
from mmdet3d.structures import LiDARInstance3DBoxes

from .synthetic.classes import BY_RAW_ID, DETECTION_CLASSES


@DATASETS.register_module()
class SyntheticDetDataset(Det3DDataset):
    """Boxes of the synthetic LiDAR scans (``dos_mm.datasets.synthetic``).

    Reads the generator's mmdet3d v2 info files
    (``semantickitti_infos_{train,val}.pkl``, the folder pretraining reads),
    whose instances carry bottom-centred LiDAR boxes, the raw class id of
    the object and its number of LiDAR points. Raw ids map to the nuScenes
    detection names of ``DETECTION_CLASSES`` (bicyclists are bicycles and
    motorcyclists motorcycles, as nuScenes boxes a rider with the vehicle);
    objects with no detection class (benches, bins, bollards) and boxes with
    fewer than ``min_points`` points are left out. A scan without boxes is
    kept (``filter_empty_gt=False`` in the configs).

    Args:
        min_points (int): fewest LiDAR points of a kept box (default 1, as
            nuScenes' evaluation drops boxes without points).
        **kwargs: arguments of ``Det3DDataset``.
    """
    METAINFO = dict(classes=DETECTION_CLASSES)

    def __init__(self,
                 *args,
                 min_points: int = 1,
                 modality: Optional[dict] = None,
                 box_type_3d: str = 'LiDAR',
                 **kwargs) -> None:
        self.min_points = min_points
        super().__init__(
            *args,
            modality=modality or dict(use_lidar=True, use_camera=False),
            box_type_3d=box_type_3d,
            **kwargs)

    def _detection_label(self, raw_id: int, info: dict) -> int:
        """Index in ``DETECTION_CLASSES`` of a raw id (-1: no box class)."""
        cls = BY_RAW_ID.get(int(raw_id))
        if cls is None:
            path = info['lidar_points']['lidar_path']
            raise ValueError(
                f'{osp.join(self.data_root, self.ann_file)}: scan {path} has '
                f'a box of unknown class id {raw_id}; known: '
                f'{sorted(BY_RAW_ID)}. Fix: regenerate the data with this '
                'version of dos_mm (tools/generate_synthetic.py)')
        return DETECTION_CLASSES.index(cls.detection) \
            if cls.detection else -1

    def parse_ann_info(self, info: dict) -> dict:
        """Boxes (N, 7) as ``LiDARInstance3DBoxes`` and labels (N,) of the
        detection classes, empty arrays when a scan has none."""
        kept: List[dict] = []
        for inst in info.get('instances', []):
            label = self._detection_label(inst['bbox_label_3d'], info)
            if label < 0 or inst.get('num_lidar_pts', 1) < self.min_points:
                continue
            kept.append(dict(bbox_3d=inst['bbox_3d'], bbox_label_3d=label))
        ann = super().parse_ann_info(dict(info, instances=kept))
        if ann is None:
            ann = dict(
                gt_bboxes_3d=np.zeros((0, 7), np.float32),
                gt_labels_3d=np.zeros(0, np.int64))
        keep = ann['gt_labels_3d'] >= 0  # classes outside the config's list
        ann['gt_bboxes_3d'] = LiDARInstance3DBoxes(
            ann['gt_bboxes_3d'][keep].reshape(-1, 7),
            box_dim=7,
            origin=(0.5, 0.5, 0)).convert_to(self.box_mode_3d)
        ann['gt_labels_3d'] = ann['gt_labels_3d'][keep]
        ann.pop('instances', None)
        return ann

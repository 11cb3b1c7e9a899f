"""nuScenes-lidarseg for mmdet3d's segmentation models.

mmdet3d 1.4 reads nuScenes only as a detection dataset. Its nuScenes info
converter already records each sweep's ``pts_semantic_mask_path`` when the
lidarseg tables are present; this class reads those info files as a
``Seg3DDataset``. The 32 raw lidarseg categories are mapped to the 16 classes
of the nuScenes-lidarseg benchmark by ``NUSCENES_LIDARSEG_LABEL_MAP`` (from
the nuScenes devkit's documentation), with 16 = ignored.
"""
from typing import Dict, Optional

import numpy as np
from mmdet3d.datasets import Seg3DDataset
from mmdet3d.registry import DATASETS

NUSCENES_LIDARSEG_CLASSES = ('barrier', 'bicycle', 'bus', 'car',
                             'construction_vehicle', 'motorcycle',
                             'pedestrian', 'traffic_cone', 'trailer', 'truck',
                             'driveable_surface', 'other_flat', 'sidewalk',
                             'terrain', 'manmade', 'vegetation')
IGNORE_INDEX = len(NUSCENES_LIDARSEG_CLASSES)  # 16

# raw lidarseg index -> benchmark class (16 = ignore)
_RAW_TO_NAME = {
    2: 'pedestrian',
    3: 'pedestrian',
    4: 'pedestrian',
    6: 'pedestrian',
    9: 'barrier',
    12: 'traffic_cone',
    14: 'bicycle',
    15: 'bus',
    16: 'bus',
    17: 'car',
    18: 'construction_vehicle',
    21: 'motorcycle',
    22: 'trailer',
    23: 'truck',
    24: 'driveable_surface',
    25: 'other_flat',
    26: 'sidewalk',
    27: 'terrain',
    28: 'manmade',
    30: 'vegetation'
}
NUSCENES_LIDARSEG_LABEL_MAP: Dict[int, int] = {
    raw: (NUSCENES_LIDARSEG_CLASSES.index(_RAW_TO_NAME[raw])
          if raw in _RAW_TO_NAME else IGNORE_INDEX)
    for raw in range(32)
}


@DATASETS.register_module()
class NuScenesSegDataset(Seg3DDataset):
    """nuScenes-lidarseg point segmentation (16 classes).

    Args: those of ``Seg3DDataset``. ``data_prefix`` defaults to the
    nuScenes layout: ``samples/LIDAR_TOP`` for points and
    ``lidarseg/v1.0-trainval`` for the per-point ``uint8`` labels.
    """
    METAINFO = {
        'classes':
        NUSCENES_LIDARSEG_CLASSES,
        'palette': [[255, 120, 50], [255, 192, 203], [255, 255, 0],
                    [0, 150, 245], [0, 255, 255], [200, 180, 0], [255, 0, 0],
                    [255, 240, 150], [135, 60, 0], [160, 32,
                                                    240], [255, 0, 255],
                    [139, 137, 137], [75, 0, 75], [150, 240, 80],
                    [230, 230, 250], [0, 175, 0]],
        'seg_valid_class_ids':
        tuple(range(IGNORE_INDEX)),
        'seg_all_class_ids':
        tuple(range(IGNORE_INDEX)),
    }

    def __init__(self,
                 data_prefix: dict = dict(
                     pts='samples/LIDAR_TOP',
                     img='',
                     pts_instance_mask='',
                     pts_semantic_mask='lidarseg/v1.0-trainval'),
                 ignore_index: int = IGNORE_INDEX,
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(
            data_prefix=data_prefix,
            ignore_index=ignore_index,
            metainfo=dict(
                dict(classes=NUSCENES_LIDARSEG_CLASSES), **(metainfo or {})),
            **kwargs)

    def get_seg_label_mapping(self, metainfo=None) -> np.ndarray:
        """(32,) int64: raw lidarseg index -> class (16 = ignore)."""
        mapping = np.full(32, IGNORE_INDEX, dtype=np.int64)
        for raw, cls in NUSCENES_LIDARSEG_LABEL_MAP.items():
            mapping[raw] = cls
        return mapping

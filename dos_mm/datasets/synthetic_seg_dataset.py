"""The synthetic scans as an mmdet3d segmentation dataset of their own
classes."""
import colorsys
from typing import Optional

import numpy as np
from mmdet3d.datasets import SemanticKittiDataset
from mmdet3d.registry import DATASETS

from .synthetic.classes import CLASSES, RAW_TO_INDEX


@DATASETS.register_module()
class SyntheticSegDataset(SemanticKittiDataset):
    """Point labels of the synthetic LiDAR scans in their 24 classes
    (``dos_mm.datasets.synthetic.CLASSES``), not SemanticKITTI's 19.

    The scans are in the SemanticKITTI layout, so mmdet3d's
    ``SemanticKittiDataset`` reads them; its ``seg_label_mapping`` would map
    the raw ids of the classes SemanticKITTI lacks (traffic cones, barriers,
    bollards, benches, bins) to the ignore index and fold ``bus`` into
    ``other-vehicle``. This dataset keeps every synthetic class, as the
    probes of the benchmarks do: raw id -> ``RAW_TO_INDEX``, any other id ->
    ``ignore_index`` (24). The pipeline's ``PointSegClassMapping`` applies
    the mapping, as for SemanticKITTI.
    """
    METAINFO = dict(
        classes=tuple(c.name for c in CLASSES),
        # one hue per class, for mmdet3d's visualiser
        palette=[[
            int(255 * v)
            for v in colorsys.hsv_to_rgb(i / len(CLASSES), 0.7, 0.9)
        ] for i in range(len(CLASSES))],
        seg_valid_class_ids=tuple(range(len(CLASSES))),
        seg_all_class_ids=tuple(range(len(CLASSES))))

    def __init__(self,
                 *args,
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        # mmdet3d's Seg3DDataset reads the classes from ``metainfo`` and
        # fails on None; these are the synthetic classes unless overridden
        metainfo = dict(metainfo or {})
        metainfo.setdefault('classes', self.METAINFO['classes'])
        super().__init__(*args, metainfo=metainfo, **kwargs)

    def get_seg_label_mapping(self,
                              metainfo: Optional[dict] = None) -> np.ndarray:
        """(max raw id + 1,) int64: raw id -> class index, 24 for the rest."""
        ignore = len(CLASSES)
        mapping = np.full(max(RAW_TO_INDEX) + 1, ignore, dtype=np.int64)
        for raw_id, index in RAW_TO_INDEX.items():
            mapping[raw_id] = index
        return mapping

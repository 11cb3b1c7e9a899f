from .label_splits import label_split, write_label_splits
from .nuscenes_seg_dataset import NuScenesSegDataset
from .synthetic_det_dataset import SyntheticDetDataset
from .transforms import DOSMultiView, PackDOSInputs, PadBoxVelocity

__all__ = [
    'DOSMultiView', 'PackDOSInputs', 'PadBoxVelocity', 'NuScenesSegDataset',
    'SyntheticDetDataset', 'label_split', 'write_label_splits'
]

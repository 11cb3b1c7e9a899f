from .label_splits import label_split, write_label_splits
from .nuscenes_seg_dataset import NuScenesSegDataset
from .transforms import DOSMultiView, PackDOSInputs, PadBoxVelocity

__all__ = [
    'DOSMultiView', 'PackDOSInputs', 'PadBoxVelocity', 'NuScenesSegDataset',
    'label_split', 'write_label_splits'
]

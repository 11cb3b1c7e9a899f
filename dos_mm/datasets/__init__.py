from .label_splits import label_split, write_label_splits
from .nuscenes_seg_dataset import NuScenesSegDataset
from .probe_splits import ProbeSplits
from .synthetic_det_dataset import SyntheticDetDataset
from .synthetic_seg_dataset import SyntheticSegDataset
from .transforms import DOSMultiView, PackDOSInputs, PadBoxVelocity

__all__ = [
    'DOSMultiView', 'PackDOSInputs', 'PadBoxVelocity', 'NuScenesSegDataset',
    'ProbeSplits', 'SyntheticDetDataset', 'SyntheticSegDataset', 'label_split',
    'write_label_splits'
]

from .checked_loading import CheckedLoadPointsFromFile, UnreadableScan
from .multi_view import DOSMultiView, NoUsableScan
from .pack_dos_inputs import PackDOSInputs
from .pad_box_velocity import PadBoxVelocity
from .scale_point_channels import ScalePointChannels

__all__ = [
    'CheckedLoadPointsFromFile', 'DOSMultiView', 'NoUsableScan',
    'PackDOSInputs', 'PadBoxVelocity', 'ScalePointChannels', 'UnreadableScan'
]

"""The classes of the synthetic street scenes and their SemanticKITTI ids.

Raw ids are those of the SemanticKITTI label files, so mmdet3d's
``SemanticKittiDataset`` maps them with its own ``seg_label_mapping``.
"""
from typing import Dict, NamedTuple, Tuple


class SynthClass(NamedTuple):
    name: str  # SemanticKITTI class name
    raw_id: int  # id written to the .label files
    reflectivity: float  # mean LiDAR intensity in [0, 1]


CLASSES: Tuple[SynthClass, ...] = (
    SynthClass('road', 40, 0.10),
    SynthClass('sidewalk', 48, 0.25),
    SynthClass('terrain', 72, 0.35),
    SynthClass('building', 50, 0.45),
    SynthClass('vegetation', 70, 0.55),
    SynthClass('trunk', 71, 0.30),
    SynthClass('car', 10, 0.70),
    SynthClass('truck', 18, 0.60),
    SynthClass('person', 30, 0.20),
    SynthClass('bicyclist', 31, 0.40),
    SynthClass('pole', 80, 0.50),
    SynthClass('traffic-sign', 81, 0.95),
)

BY_NAME: Dict[str, SynthClass] = {c.name: c for c in CLASSES}
RAW_IDS = tuple(c.raw_id for c in CLASSES)

"""The classes of the synthetic scenes, their label ids and materials.

Raw ids are those of the SemanticKITTI label files where SemanticKITTI has
the class, so mmdet3d's ``SemanticKittiDataset`` maps them with its own
``seg_label_mapping`` (``bus`` becomes its ``other-vehicle``); the classes
SemanticKITTI lacks get ids from 100 up, which its mapping ignores and
``RAW_TO_INDEX`` maps.

``reflectivity`` is the range from which each object (or each scene's
surface of a ground class) draws its own material reflectivity; the ranges
overlap widely, so intensity alone does not name a class. ``detection`` is
the nuScenes detection name of the class's boxes (None: no box).
"""
from typing import Dict, NamedTuple, Optional, Tuple


class SynthClass(NamedTuple):
    name: str  # SemanticKITTI class name where it has one
    raw_id: int  # id written to the .label files
    reflectivity: Tuple[float, float]  # range of a material's reflectivity
    detection: Optional[str] = None  # nuScenes detection name of its boxes


CLASSES: Tuple[SynthClass, ...] = (
    SynthClass('road', 40, (0.04, 0.30)),
    SynthClass('sidewalk', 48, (0.10, 0.45)),
    SynthClass('parking', 44, (0.05, 0.35)),
    SynthClass('other-ground', 49, (0.10, 0.50)),  # kerbs
    SynthClass('terrain', 72, (0.10, 0.55)),
    SynthClass('building', 50, (0.08, 0.75)),
    SynthClass('fence', 51, (0.10, 0.70)),
    SynthClass('vegetation', 70, (0.20, 0.65)),
    SynthClass('trunk', 71, (0.10, 0.45)),
    SynthClass('pole', 80, (0.15, 0.70)),
    SynthClass('traffic-sign', 81, (0.35, 0.95)),
    SynthClass('car', 10, (0.05, 0.90), 'car'),
    SynthClass('truck', 18, (0.10, 0.85), 'truck'),
    SynthClass('bus', 13, (0.15, 0.85), 'bus'),
    SynthClass('motorcycle', 15, (0.10, 0.80), 'motorcycle'),
    SynthClass('bicycle', 11, (0.10, 0.70), 'bicycle'),
    SynthClass('person', 30, (0.08, 0.60), 'pedestrian'),
    SynthClass('bicyclist', 31, (0.08, 0.65), 'bicycle'),
    SynthClass('motorcyclist', 32, (0.08, 0.65), 'motorcycle'),
    SynthClass('traffic-cone', 101, (0.30, 0.95), 'traffic_cone'),
    SynthClass('barrier', 102, (0.20, 0.85), 'barrier'),
    SynthClass('bollard', 103, (0.15, 0.80)),
    SynthClass('bench', 104, (0.10, 0.60)),
    SynthClass('trash-can', 105, (0.10, 0.65)),
)

BY_NAME: Dict[str, SynthClass] = {c.name: c for c in CLASSES}
BY_RAW_ID: Dict[int, SynthClass] = {c.raw_id: c for c in CLASSES}
RAW_IDS = tuple(c.raw_id for c in CLASSES)
RAW_TO_INDEX: Dict[int, int] = {c.raw_id: i for i, c in enumerate(CLASSES)}
GROUND = ('road', 'sidewalk', 'parking', 'other-ground', 'terrain')
# the nuScenes detection names the boxes carry, in a fixed order
DETECTION_CLASSES: Tuple[str, ...] = tuple(
    dict.fromkeys(c.detection for c in CLASSES if c.detection))
# the frequent classes, each over 3 % of the points; the other 18 (the
# tail) hold about a tenth of them together, most under 1 % each
# (tests/test_datasets/test_synthetic.py checks the split on sampled scans)
HEAD_CLASSES = ('road', 'sidewalk', 'terrain', 'building', 'vegetation', 'car')


def semantickitti_label_mapping(labels_map: Dict[int, int],
                                ignore: int) -> Dict[int, int]:
    """mmdet3d's SemanticKITTI ``labels_map`` (raw id -> class) extended
    with the synthetic classes SemanticKITTI lacks, mapped to ``ignore``.

    mmdet3d fills its lookup table with zeros, so a raw id missing from its
    map would silently become class 0 (car).
    """
    out = dict(labels_map)
    out.update({c.raw_id: ignore for c in CLASSES if c.raw_id not in out})
    return out

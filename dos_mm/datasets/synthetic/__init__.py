"""Synthetic LiDAR scenes in the SemanticKITTI format (the demo's data and
the project's controlled benchmark)."""
from .classes import (CLASSES, DETECTION_CLASSES, RAW_IDS, RAW_TO_INDEX,
                      SynthClass)
from .layouts import sample_scene
from .lidar import LidarSpec, scan_scene
from .scene import LAYOUTS, Ground, Scene
from .writer import GENERATOR_VERSION, generate_dataset, read_marker

__all__ = [
    'CLASSES', 'DETECTION_CLASSES', 'RAW_IDS', 'RAW_TO_INDEX', 'SynthClass',
    'LidarSpec', 'scan_scene', 'LAYOUTS', 'Ground', 'Scene', 'sample_scene',
    'GENERATOR_VERSION', 'generate_dataset', 'read_marker'
]

"""Synthetic LiDAR street scenes in the SemanticKITTI format (the demo's
data and the project's controlled benchmark)."""
from .classes import CLASSES, RAW_IDS
from .lidar import LidarSpec, scan_scene
from .scene import Scene, sample_scene
from .writer import GENERATOR_VERSION, generate_dataset, read_marker

__all__ = [
    'CLASSES', 'RAW_IDS', 'LidarSpec', 'scan_scene', 'Scene', 'sample_scene',
    'GENERATOR_VERSION', 'generate_dataset', 'read_marker'
]

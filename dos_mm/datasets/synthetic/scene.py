"""Random street scenes: a road with sidewalks, buildings, trees, vehicles,
people, poles and signs, placed so that class frequencies are long-tailed.
"""
from dataclasses import dataclass, field
from typing import List

import numpy as np

from .classes import BY_NAME


@dataclass
class Scene:
    """Primitives of one scene; every list holds (params..., class raw id).

    Ground labels are a function of the lateral offset ``y``: road within
    ``road_half_width``, sidewalk for the next ``sidewalk_width`` metres,
    terrain beyond.
    """
    road_half_width: float
    sidewalk_width: float
    boxes: List[tuple] = field(default_factory=list)  # centre, size, yaw, id
    cylinders: List[tuple] = field(default_factory=list)  # xy, r, z0, z1, id
    spheres: List[tuple] = field(default_factory=list)  # centre, r, id

    def ground_label(self, y: np.ndarray) -> np.ndarray:
        ay = np.abs(y)
        road, side, terr = (
            BY_NAME[n].raw_id for n in ('road', 'sidewalk', 'terrain'))
        return np.where(
            ay < self.road_half_width, road,
            np.where(ay < self.road_half_width + self.sidewalk_width, side,
                     terr)).astype(np.uint32)

    def object_boxes(self) -> np.ndarray:
        """(M, 8) boxes (x, y, z, l, w, h, yaw, raw id) of the objects
        (vehicles, people), with z at the box bottom as in mmdet3d."""
        ids = {BY_NAME[n].raw_id for n in ('car', 'truck', 'bicyclist')}
        rows = [(c[0], c[1], c[2] - s[2] / 2, s[0], s[1], s[2], yaw, cid)
                for c, s, yaw, cid in self.boxes if cid in ids]
        person = BY_NAME['person'].raw_id
        rows += [(xy[0], xy[1], z0, 2 * r, 2 * r, z1 - z0, 0.0, cid)
                 for xy, r, z0, z1, cid in self.cylinders if cid == person]
        return np.asarray(rows, np.float32).reshape(-1, 8)


def _box(scene, name, x, y, size, yaw, z0=0.0):
    l, w, h = size
    scene.boxes.append(
        (np.array([x, y,
                   z0 + h / 2]), np.array([l, w,
                                           h]), yaw, BY_NAME[name].raw_id))


def sample_scene(rng: np.random.Generator, extent: float = 60.0) -> Scene:
    """Draw one scene within ``[-extent, extent]`` around the sensor."""
    scene = Scene(
        road_half_width=rng.uniform(3.5, 7.0),
        sidewalk_width=rng.uniform(2.0, 4.0))
    edge = scene.road_half_width + scene.sidewalk_width
    # buildings: two rows of facades behind the sidewalks, with gaps
    for side in (-1, 1):
        x = -extent
        while x < extent:
            length = rng.uniform(8, 25)
            if rng.random() < 0.8:
                depth = rng.uniform(8, 15)
                setback = rng.uniform(1.0, 8.0)
                _box(scene, 'building', x + length / 2,
                     side * (edge + setback + depth / 2),
                     (length, depth, rng.uniform(5, 18)), 0.0)
            x += length + rng.uniform(2, 10)
    # trees on the sidewalks and lots: trunk + crown; bushes on terrain
    for _ in range(rng.integers(6, 16)):
        x, y = rng.uniform(-extent, extent), rng.choice([-1, 1]) * (
            edge - rng.uniform(0.3, 1.0))
        h = rng.uniform(2.0, 3.5)
        scene.cylinders.append((np.array([x, y]), rng.uniform(0.12, 0.25), 0.0,
                                h, BY_NAME['trunk'].raw_id))
        scene.spheres.append((np.array([x, y, h + 1.5]), rng.uniform(1.5, 3),
                              BY_NAME['vegetation'].raw_id))
    for _ in range(rng.integers(5, 15)):
        y = rng.choice([-1, 1]) * (edge + rng.uniform(0.5, 6))
        scene.spheres.append(
            (np.array([rng.uniform(-extent, extent), y,
                       0.2]), rng.uniform(0.6,
                                          1.4), BY_NAME['vegetation'].raw_id))
    # vehicles: many cars (parked and driving), few trucks, rare cyclists
    for _ in range(rng.integers(4, 14)):
        lane = rng.choice([-1, 1]) * rng.uniform(
            0.3, max(0.4, scene.road_half_width - 1.0))
        yaw = rng.normal(0, 0.08) + (
            np.pi if lane > 0 and rng.random() < .5 else 0)
        _box(
            scene,
            'car',
            rng.uniform(-extent, extent),
            lane,
            (rng.uniform(3.8, 5.0), rng.uniform(1.6, 2.0), rng.uniform(
                1.4, 1.8)),
            yaw,
            z0=0.15)
    for _ in range(rng.integers(0, 3)):
        _box(
            scene,
            'truck',
            rng.uniform(-extent, extent),
            rng.choice([-1, 1]) * scene.road_half_width / 2,
            (rng.uniform(7, 11), rng.uniform(2.3, 2.6), rng.uniform(2.8, 3.8)),
            rng.normal(0, 0.05),
            z0=0.3)
    for _ in range(rng.integers(1, 5)):
        _box(scene, 'bicyclist', rng.uniform(-extent, extent),
             rng.choice([-1, 1]) * (scene.road_half_width - 0.8),
             (1.8, 0.6, 1.75), rng.normal(0, 0.1))
    # people on the sidewalks (rare), poles and signs along the kerb
    for _ in range(rng.integers(3, 12)):
        y = rng.choice([-1, 1]) * (
            scene.road_half_width + rng.uniform(0.3, scene.sidewalk_width))
        scene.cylinders.append((np.array([rng.uniform(-extent, extent),
                                          y]), rng.uniform(0.22, 0.32), 0.0,
                                rng.uniform(1.5,
                                            1.9), BY_NAME['person'].raw_id))
    for _ in range(rng.integers(3, 10)):
        x = rng.uniform(-extent, extent)
        y = rng.choice([-1, 1]) * (scene.road_half_width + 0.4)
        height = rng.uniform(3.5, 7)
        scene.cylinders.append((np.array([x, y]), rng.uniform(0.06, 0.12), 0.0,
                                height, BY_NAME['pole'].raw_id))
        if rng.random() < 0.6:
            _box(
                scene,
                'traffic-sign',
                x,
                y, (0.08, 0.7, 0.7),
                rng.uniform(-0.3, 0.3) + np.pi / 2,
                z0=height - 1.0)
    return scene

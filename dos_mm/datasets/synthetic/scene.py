"""One synthetic scene: a ground layout and the primitives on it.

Every primitive carries its class's raw id, its own material reflectivity
and the object instance it belongs to (-1 for stuff: buildings, trees,
poles, fences). Objects (vehicles, people, street furniture) are one or
more primitives plus one box around them, bottom-centred in the sensor
frame as mmdet3d stores LiDAR boxes.
"""
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import numpy as np

from .classes import BY_NAME, CLASSES, GROUND

LAYOUTS = ('street', 'intersection', 'parking', 'plaza')


@dataclass
class Ground:
    """Ground classes as a function of (x, y), for one of ``LAYOUTS``.

    ``street``: a road along x (``|y| < road_half_width``), a kerb band,
    sidewalks, terrain. ``intersection``: a second road along y
    (``|x| < cross_half_width``), bands measured from the nearest road.
    ``parking``: a parking area of ``parking_depth`` next to the road on the
    +y side before the kerb. ``plaza``: the street with a paved square
    (sidewalk) of half size ``plaza_half`` centred at ``(0,
    plaza_centre)``.
    """
    layout: str
    road_half_width: float
    sidewalk_width: float
    kerb_width: float = 0.3
    cross_half_width: float = 0.0
    parking_depth: float = 0.0
    plaza_half: float = 0.0
    plaza_centre: float = 0.0

    def edge(self) -> float:
        """Lateral offset of the outer sidewalk edge on the -y side."""
        return self.road_half_width + self.kerb_width + self.sidewalk_width

    def labels(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """(P,) uint32 raw ids of the ground at (x, y)."""
        ids = {n: BY_NAME[n].raw_id for n in GROUND}
        ay = np.abs(y)
        if self.layout == 'intersection':
            dist = np.minimum(ay - self.road_half_width,
                              np.abs(x) - self.cross_half_width)
        else:
            dist = ay - self.road_half_width  # from the road edge
        if self.layout == 'parking':
            lot = (y >= self.road_half_width) & (dist < self.parking_depth)
            dist = np.where(y >= self.road_half_width,
                            dist - self.parking_depth, dist)
        out = np.where(
            dist < 0, ids['road'],
            np.where(
                dist < self.kerb_width, ids['other-ground'],
                np.where(dist < self.kerb_width + self.sidewalk_width,
                         ids['sidewalk'], ids['terrain'])))
        if self.layout == 'parking':
            out = np.where(lot, ids['parking'], out)
        if self.layout == 'plaza':
            square = (np.abs(x) < self.plaza_half) & (
                np.abs(y - self.plaza_centre) < self.plaza_half)
            out = np.where(square & (dist >= self.kerb_width), ids['sidewalk'],
                           out)
        return out.astype(np.uint32)


@dataclass
class Scene:
    """Primitives of one scene. Each box is (centre (3,), size (l, w, h),
    yaw, raw id, instance, reflectivity); each cylinder (centre xy (2,),
    radius, z0, z1, raw id, instance, reflectivity); each sphere (centre
    (3,), radius, raw id, instance, reflectivity)."""
    ground: Ground
    ground_reflectivity: dict = field(default_factory=dict)  # raw id -> r
    boxes: List[tuple] = field(default_factory=list)
    cylinders: List[tuple] = field(default_factory=list)
    spheres: List[tuple] = field(default_factory=list)
    instances: List[tuple] = field(default_factory=list)  # (x..yaw, id)

    @classmethod
    def empty(cls, ground: Ground, rng: np.random.Generator) -> 'Scene':
        """A scene with its ground materials drawn and no primitives."""
        refl = {
            c.raw_id: float(rng.uniform(*c.reflectivity))
            for c in CLASSES if c.name in GROUND
        }
        return cls(ground=ground, ground_reflectivity=refl)

    def ground_label(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self.ground.labels(x, y)

    def add_box(self, name: str, centre: Sequence[float],
                size: Sequence[float], yaw: float, instance: int,
                reflectivity: float) -> None:
        self.boxes.append(
            (np.asarray(centre, np.float32), np.asarray(size, np.float32),
             float(yaw), BY_NAME[name].raw_id, instance, reflectivity))

    def add_cylinder(self, name: str, xy: Sequence[float], radius: float,
                     z0: float, z1: float, instance: int,
                     reflectivity: float) -> None:
        self.cylinders.append(
            (np.asarray(xy, np.float32), float(radius), float(z0), float(z1),
             BY_NAME[name].raw_id, instance, reflectivity))

    def add_sphere(self, name: str, centre: Sequence[float], radius: float,
                   instance: int, reflectivity: float) -> None:
        self.spheres.append((np.asarray(centre, np.float32), float(radius),
                             BY_NAME[name].raw_id, instance, reflectivity))

    def new_instance(self,
                     name: str,
                     box: Sequence[float],
                     raw_name: Optional[str] = None) -> int:
        """Register an object with its (x, y, z bottom, l, w, h, yaw) box;
        returns its instance index."""
        self.instances.append(
            (*[float(v) for v in box], BY_NAME[raw_name or name].raw_id))
        return len(self.instances) - 1

    def object_boxes(self) -> np.ndarray:
        """(M, 8) boxes (x, y, z, l, w, h, yaw, raw id) of every object,
        z at the box bottom as in mmdet3d."""
        return np.asarray(self.instances, np.float32).reshape(-1, 8)

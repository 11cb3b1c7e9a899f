"""Random scenes of four layouts: a street, an intersection, a street with
a parking lot, and a plaza beside a road.

Object counts are drawn so that class frequencies fall off roughly as a
power law, as in real driving data: ground, buildings and vegetation hold
most points, cars many, and people, two-wheelers, buses and street
furniture few.
"""
import numpy as np

from . import objects as obj
from .scene import LAYOUTS, Ground, Scene


def _ground(rng: np.random.Generator, layout: str) -> Ground:
    ground = Ground(
        layout=layout,
        road_half_width=float(rng.uniform(3.5, 7.0)),
        sidewalk_width=float(rng.uniform(2.0, 4.5)),
        kerb_width=float(rng.uniform(0.2, 0.4)))
    if layout == 'intersection':
        ground.cross_half_width = float(rng.uniform(3.5, 6.5))
    elif layout == 'parking':
        ground.parking_depth = float(rng.uniform(12.0, 25.0))
    elif layout == 'plaza':
        ground.plaza_half = float(rng.uniform(12.0, 25.0))
        ground.plaza_centre = ground.edge() + ground.plaza_half
    return ground


def _side(rng) -> int:
    return int(rng.choice([-1, 1]))


def _inner(ground: Ground) -> dict:
    """Side (-1, 1) -> lateral offset where its kerbside band begins."""
    kerb = ground.road_half_width + ground.kerb_width
    return {-1: kerb, 1: kerb + ground.parking_depth}


def _buildings(scene: Scene,
               rng,
               extent: float,
               offsets: dict,
               skip=None) -> None:
    """Rows of facades behind ``offsets[side]`` on both sides of the x
    axis, leaving out what ``skip(x)`` rejects."""
    for side in (-1, 1):
        offset = offsets[side]
        x = -extent
        while x < extent:
            length = rng.uniform(8, 25)
            if rng.random() < 0.8 and not (skip and skip(x + length / 2)):
                depth, setback = rng.uniform(8, 15), rng.uniform(1.0, 8.0)
                height = rng.uniform(5, 18)
                scene.add_box('building',
                              (x + length / 2, side *
                               (offset + setback + depth / 2), height / 2),
                              (length, depth, height), 0.0, -1,
                              float(rng.uniform(0.08, 0.75)))
            x += length + rng.uniform(2, 10)


def _street_furniture(scene: Scene, rng, extent: float, inner: dict,
                      count: int) -> None:
    """Poles and signs along the kerb lines."""
    for _ in range(count):
        side = _side(rng)
        obj.pole(scene, rng, rng.uniform(-extent, extent),
                 side * (inner[side] + 0.1),
                 rng.random() < 0.6)


def _traffic(scene: Scene,
             rng,
             extent: float,
             half: float,
             cars: int,
             along_y: bool = False) -> None:
    """Vehicles and riders on a road of half width ``half`` along x (or
    along y)."""

    def place(fn, lane_frac, *args):
        lane = _side(rng) * rng.uniform(0.3, max(0.4, lane_frac * half))
        pos = rng.uniform(-extent, extent)
        yaw = rng.normal(0, 0.08) + (np.pi if rng.random() < .5 else 0)
        x, y = (lane, pos) if along_y else (pos, lane)
        fn(scene, rng, x, y, yaw + (np.pi / 2 if along_y else 0), *args)

    for _ in range(cars):
        place(obj.car, 1.0 - 1.0 / half)
    for _ in range(rng.integers(0, 2)):
        place(obj.truck, 0.5)
    if rng.random() < 0.35:
        place(obj.bus, 0.5)
    for _ in range(rng.integers(0, 4)):
        place(obj.two_wheeler, 0.9, False, True)
    for _ in range(int(rng.random() < 0.4) * rng.integers(1, 3)):
        place(obj.two_wheeler, 0.9, True, True)


def _kerbside(scene: Scene, rng, ground: Ground, extent: float) -> None:
    """Trees, people, parked two-wheelers, bins, bollards and road works
    on the sidewalks (and the road's edge)."""
    inner, width = _inner(ground), ground.sidewalk_width

    def spot():
        side, x = _side(rng), rng.uniform(-extent, extent)
        if abs(x) < ground.cross_half_width + ground.kerb_width:
            x += np.sign(x) * (2 * ground.cross_half_width + 1)  # not on it
        return x, side * (
            inner[side] + rng.uniform(0.3, max(0.4, width - 0.3)))

    for _ in range(rng.integers(6, 16)):
        x, y = spot()
        side = int(np.sign(y))
        obj.tree(scene, rng, x, side * (inner[side] + width - 0.6))
    for _ in range(rng.integers(3, 12)):
        obj.person(scene, rng, *spot(), rng.uniform(-np.pi, np.pi))
    for _ in range(rng.integers(0, 4)):
        obj.two_wheeler(scene, rng, *spot(), np.pi / 2,
                        rng.random() < 0.3, False)
    for _ in range(rng.integers(0, 3)):
        obj.trash_can(scene, rng, *spot(), 0.0)
    if rng.random() < 0.4:
        for _ in range(rng.integers(2, 8)):
            x, y = spot()
            side = int(np.sign(y))
            obj.bollard(scene, rng, x, side * (inner[side] + 0.3), 0.0)
    if rng.random() < 0.3:  # road works: cones and barriers on the road
        x0 = rng.uniform(-extent / 2, extent / 2)
        y0 = _side(rng) * (ground.road_half_width - 1.2)
        for i in range(rng.integers(3, 8)):
            obj.cone(scene, rng, x0 + 1.5 * i, y0, 0.0)
        for i in range(rng.integers(1, 4)):
            obj.barrier(scene, rng, x0 + 2.2 * i, y0 - np.sign(y0) * 1.0, 0.0)


def _bushes_and_fences(scene: Scene, rng, extent: float,
                       offsets: dict) -> None:
    for _ in range(rng.integers(5, 15)):
        side = _side(rng)
        y = side * (offsets[side] + rng.uniform(0.5, 6))
        scene.add_sphere('vegetation', (rng.uniform(-extent, extent), y, 0.2),
                         rng.uniform(0.6, 1.4), -1,
                         float(rng.uniform(0.2, 0.65)))
    for _ in range(rng.integers(0, 4)):
        length, side = rng.uniform(4, 20), _side(rng)
        y = side * (offsets[side] + rng.uniform(0.2, 1.0))
        height = rng.uniform(1.0, 2.0)
        scene.add_box('fence', (rng.uniform(-extent, extent), y, height / 2),
                      (length, 0.06, height), 0.0, -1,
                      float(rng.uniform(0.1, 0.7)))


def _parking_lot(scene: Scene, rng, ground: Ground, extent: float) -> None:
    """Rows of parked cars (and a few two-wheelers) in the lot on +y."""
    y = ground.road_half_width + 3.0
    while y < ground.road_half_width + ground.parking_depth - 2.5:
        x = -extent
        while x < extent:
            if rng.random() < 0.7:
                obj.car(scene, rng, x, y + rng.normal(0, 0.2),
                        np.pi / 2 + rng.normal(0, 0.05))
            elif rng.random() < 0.15:
                obj.two_wheeler(scene, rng, x, y, np.pi / 2,
                                rng.random() < 0.5, False)
            x += rng.uniform(2.5, 3.2)
        y += rng.uniform(6.0, 7.5)
    for _ in range(rng.integers(2, 10)):
        obj.bollard(scene, rng, rng.uniform(-extent, extent),
                    ground.road_half_width + 0.4, 0.0)


def _plaza(scene: Scene, rng, ground: Ground) -> None:
    """Benches, bins, trees and people on the paved square."""
    half, centre = ground.plaza_half, ground.plaza_centre

    def spot():
        return rng.uniform(-half + 1, half -
                           1), centre + rng.uniform(-half + 1, half - 1)

    for _ in range(rng.integers(2, 6)):
        obj.bench(scene, rng, *spot(), rng.uniform(-np.pi, np.pi))
    for _ in range(rng.integers(1, 5)):
        obj.trash_can(scene, rng, *spot(), 0.0)
    for _ in range(rng.integers(4, 16)):
        obj.person(scene, rng, *spot(), rng.uniform(-np.pi, np.pi))
    for _ in range(rng.integers(3, 10)):
        obj.tree(scene, rng, *spot())
    for _ in range(rng.integers(0, 3)):
        obj.two_wheeler(scene, rng, *spot(), rng.uniform(-np.pi, np.pi), False,
                        False)


def sample_scene(rng: np.random.Generator,
                 extent: float = 60.0,
                 layout: str = None) -> Scene:
    """Draw one scene within ``[-extent, extent]`` around the sensor; the
    layout is drawn (street 40 %, the others 20 % each) unless given."""
    if layout is None:
        layout = str(rng.choice(LAYOUTS, p=[0.4, 0.2, 0.2, 0.2]))
    if layout not in LAYOUTS:
        raise ValueError(f'unknown layout {layout!r}; known: {LAYOUTS}')
    ground = _ground(rng, layout)
    scene = Scene.empty(ground, rng)
    inner = _inner(ground)
    offsets = {side: inner[side] + ground.sidewalk_width for side in inner}
    if layout == 'plaza':  # the square replaces the +y buildings
        offsets[1] = ground.plaza_centre + ground.plaza_half + 0.5
        _plaza(scene, rng, ground)
    if layout == 'parking':
        _parking_lot(scene, rng, ground, extent)
    skip = None
    if layout == 'intersection':
        cross = ground.cross_half_width + ground.kerb_width + \
            ground.sidewalk_width
        skip = lambda x: abs(x) < cross + 10  # noqa: E731
        _traffic(
            scene,
            rng,
            extent,
            ground.cross_half_width,
            int(rng.integers(2, 7)),
            along_y=True)
    _buildings(scene, rng, extent, offsets, skip)
    _traffic(scene, rng, extent, ground.road_half_width,
             int(rng.integers(4, 14)))
    _kerbside(scene, rng, ground, extent)
    _street_furniture(scene, rng, extent, inner, int(rng.integers(3, 10)))
    _bushes_and_fences(scene, rng, extent, offsets)
    return scene

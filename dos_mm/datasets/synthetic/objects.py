"""Objects made of primitives, each with its box and its own material.

Every function adds one object standing on the ground at (x, y) with
heading ``yaw`` and returns its instance index. Sizes are drawn around
real-world ones (metres).
"""
import numpy as np

from .classes import BY_NAME
from .scene import Scene


def _refl(rng: np.random.Generator, name: str) -> float:
    return float(rng.uniform(*BY_NAME[name].reflectivity))


def _offset(x: float, y: float, yaw: float, along: float):
    """(x, y) moved ``along`` metres in the heading direction."""
    return x + along * np.cos(yaw), y + along * np.sin(yaw)


def car(scene: Scene, rng, x: float, y: float, yaw: float) -> int:
    length, width = rng.uniform(3.8, 5.0), rng.uniform(1.6, 2.0)
    height = rng.uniform(1.4, 1.8)
    inst = scene.new_instance('car', (x, y, 0.0, length, width, height, yaw))
    refl = _refl(rng, 'car')
    body = 0.55 * height
    scene.add_box('car', (x, y, 0.2 + (body - 0.2) / 2),
                  (length, width, body - 0.2), yaw, inst, refl)
    cx, cy = _offset(x, y, yaw, -0.1 * length)
    scene.add_box('car', (cx, cy, body + (height - body) / 2),
                  (0.55 * length, 0.92 * width, height - body), yaw, inst,
                  0.5 * refl)  # glass returns less
    return inst


def truck(scene: Scene, rng, x: float, y: float, yaw: float) -> int:
    length, width = rng.uniform(6.5, 11.0), rng.uniform(2.3, 2.6)
    height = rng.uniform(2.8, 3.8)
    inst = scene.new_instance('truck', (x, y, 0.0, length, width, height, yaw))
    refl = _refl(rng, 'truck')
    cab = 2.0
    cx, cy = _offset(x, y, yaw, length / 2 - cab / 2)
    scene.add_box('truck', (cx, cy, 0.3 + 0.4 * (height - 0.3)),
                  (cab, width, 0.8 * (height - 0.3)), yaw, inst, refl)
    bx, by = _offset(x, y, yaw, -cab / 2)
    scene.add_box('truck', (bx, by, 0.3 + (height - 0.3) / 2),
                  (length - cab - 0.2, width, height - 0.3), yaw, inst,
                  _refl(rng, 'truck'))
    return inst


def bus(scene: Scene, rng, x: float, y: float, yaw: float) -> int:
    length, width = rng.uniform(10.0, 12.5), rng.uniform(2.45, 2.6)
    height = rng.uniform(3.0, 3.4)
    inst = scene.new_instance('bus', (x, y, 0.0, length, width, height, yaw))
    scene.add_box('bus', (x, y, 0.3 + (height - 0.3) / 2),
                  (length, width, height - 0.3), yaw, inst, _refl(rng, 'bus'))
    return inst


def two_wheeler(scene: Scene, rng, x: float, y: float, yaw: float, motor: bool,
                rider: bool) -> int:
    """A (motor)bicycle, parked or ridden; the rider's class labels the
    whole object (SemanticKITTI's bicyclist / motorcyclist)."""
    vehicle = 'motorcycle' if motor else 'bicycle'
    name = ('motorcyclist' if motor else 'bicyclist') if rider else vehicle
    length = rng.uniform(1.9, 2.3) if motor else rng.uniform(1.6, 1.8)
    width = rng.uniform(0.7, 0.9) if motor else rng.uniform(0.5, 0.65)
    frame = rng.uniform(1.0, 1.3) if motor else rng.uniform(0.9, 1.1)
    height = rng.uniform(1.6, 1.8) if rider else frame
    inst = scene.new_instance(name, (x, y, 0.0, length, width, height, yaw))
    scene.add_box(name, (x, y, frame / 2), (length, 0.4 * width, frame), yaw,
                  inst, _refl(rng, vehicle))
    if rider:
        scene.add_cylinder(name, (x, y), 0.2, frame * 0.8, height, inst,
                           _refl(rng, name))
    return inst


def _upright(scene: Scene, rng, name: str, x: float, y: float, yaw: float,
             radius: tuple, height: tuple) -> int:
    """An upright cylinder standing at (x, y), radius and height drawn from
    the given ranges, boxed by its bounding square."""
    r, h = rng.uniform(*radius), rng.uniform(*height)
    inst = scene.new_instance(name, (x, y, 0.0, 2 * r, 2 * r, h, yaw))
    scene.add_cylinder(name, (x, y), r, 0.0, h, inst, _refl(rng, name))
    return inst


def person(scene: Scene, rng, x: float, y: float, yaw: float) -> int:
    return _upright(scene, rng, 'person', x, y, yaw, (0.22, 0.32), (1.5, 1.95))


def cone(scene: Scene, rng, x: float, y: float, yaw: float) -> int:
    return _upright(scene, rng, 'traffic-cone', x, y, yaw, (0.12, 0.2),
                    (0.5, 0.8))


def barrier(scene: Scene, rng, x: float, y: float, yaw: float) -> int:
    length, width = rng.uniform(1.5, 2.5), rng.uniform(0.3, 0.6)
    height = rng.uniform(0.8, 1.1)
    inst = scene.new_instance('barrier',
                              (x, y, 0.0, length, width, height, yaw))
    scene.add_box('barrier', (x, y, height / 2), (length, width, height), yaw,
                  inst, _refl(rng, 'barrier'))
    return inst


def bollard(scene: Scene, rng, x: float, y: float, yaw: float) -> int:
    return _upright(scene, rng, 'bollard', x, y, yaw, (0.07, 0.12), (0.8, 1.1))


def bench(scene: Scene, rng, x: float, y: float, yaw: float) -> int:
    length, depth = rng.uniform(1.5, 2.2), rng.uniform(0.5, 0.7)
    inst = scene.new_instance('bench', (x, y, 0.0, length, depth, 0.9, yaw))
    refl = _refl(rng, 'bench')
    scene.add_box('bench', (x, y, 0.42), (length, depth, 0.08), yaw, inst,
                  refl)
    bx, by = x - 0.4 * depth * np.sin(yaw), y + 0.4 * depth * np.cos(yaw)
    scene.add_box('bench', (bx, by, 0.68), (length, 0.08, 0.44), yaw, inst,
                  refl)
    return inst


def trash_can(scene: Scene, rng, x: float, y: float, yaw: float) -> int:
    return _upright(scene, rng, 'trash-can', x, y, yaw, (0.25, 0.35),
                    (0.8, 1.1))


def tree(scene: Scene, rng, x: float, y: float) -> None:
    """A trunk and its crown (stuff: no box)."""
    height = rng.uniform(2.0, 3.5)
    scene.add_cylinder('trunk', (x, y), rng.uniform(0.12, 0.25), 0.0, height,
                       -1, _refl(rng, 'trunk'))
    scene.add_sphere('vegetation', (x, y, height + 1.5), rng.uniform(1.5, 3),
                     -1, _refl(rng, 'vegetation'))


def pole(scene: Scene, rng, x: float, y: float, sign: bool) -> None:
    """A pole, optionally with a sign facing the road (stuff)."""
    height = rng.uniform(3.5, 7.0)
    scene.add_cylinder('pole', (x, y), rng.uniform(0.06, 0.12), 0.0, height,
                       -1, _refl(rng, 'pole'))
    if sign:
        scene.add_box('traffic-sign', (x, y, height - 0.65), (0.08, 0.7, 0.7),
                      rng.uniform(-0.3, 0.3) + np.pi / 2, -1,
                      _refl(rng, 'traffic-sign'))

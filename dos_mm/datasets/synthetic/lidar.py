"""A simulated spinning LiDAR: beams x azimuth rays cast into a scene."""
from dataclasses import dataclass
from typing import Tuple

import numpy as np

from .classes import CLASSES
from .primitives import INF, ray_boxes, ray_cylinders, ray_ground, ray_spheres
from .scene import Scene

_REFLECTIVITY = {c.raw_id: c.reflectivity for c in CLASSES}


@dataclass(frozen=True)
class LidarSpec:
    """Sensor geometry and noise (defaults: a 32-beam spinning LiDAR)."""
    num_beams: int = 32
    azimuth_steps: int = 1440
    elevation: Tuple[float, float] = (-25.0, 10.0)  # degrees, low to high
    height: float = 1.8  # metres above the ground
    max_range: float = 70.0
    range_noise: float = 0.015  # metres (std)
    dropout: float = 0.03  # fraction of returns lost


def ray_directions(spec: LidarSpec) -> np.ndarray:
    """(num_beams * azimuth_steps, 3) unit directions, beam-major."""
    elev = np.deg2rad(np.linspace(*spec.elevation, spec.num_beams))
    azim = np.linspace(-np.pi, np.pi, spec.azimuth_steps, endpoint=False)
    e, a = np.meshgrid(elev, azim, indexing='ij')
    return np.stack([np.cos(e) * np.cos(a),
                     np.cos(e) * np.sin(a),
                     np.sin(e)], -1).reshape(-1, 3).astype(np.float32)


def scan_scene(scene: Scene, spec: LidarSpec,
               rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """Cast every ray; keep the first hit of each.

    Returns:
        tuple: (N, 4) float32 points (x, y, z, intensity) in the sensor
        frame and (N,) uint32 raw SemanticKITTI labels.
    """
    d = ray_directions(spec)
    o = np.array([0.0, 0.0, spec.height], np.float32)
    parts, ids = [ray_ground(o, d)[:, None]], [np.array([0], np.int64)]
    if scene.boxes:
        c, s, yaw, cid = (np.array(v) for v in zip(*scene.boxes))
        parts.append(ray_boxes(o, d, c, s, yaw))
        ids.append(cid)
    if scene.cylinders:
        xy, r, z0, z1, cid = (np.array(v) for v in zip(*scene.cylinders))
        parts.append(ray_cylinders(o, d, xy, r, np.stack([z0, z1], 1)))
        ids.append(cid)
    if scene.spheres:
        c, r, cid = (np.array(v) for v in zip(*scene.spheres))
        parts.append(ray_spheres(o, d, c, r))
        ids.append(cid)
    t_all = np.concatenate(parts, axis=1)  # (R, 1 + M)
    hit = t_all.argmin(1)
    t = t_all[np.arange(len(d)), hit]
    keep = (t < min(spec.max_range, INF)) & (
        rng.random(len(d)) >= spec.dropout)
    t, hit, d = t[keep], hit[keep], d[keep]
    prim_ids = np.concatenate(ids)[hit]  # 0 marks the ground
    t = t + rng.normal(0, spec.range_noise, len(t)).astype(np.float32)
    xyz = o + d * t[:, None]
    labels = prim_ids.astype(np.uint32)
    ground = prim_ids == 0
    labels[ground] = scene.ground_label(xyz[ground, 1])
    xyz[ground, 2] = rng.normal(0, 0.01, int(ground.sum()))
    refl = np.vectorize(_REFLECTIVITY.get, otypes=[np.float32])(labels)
    falloff = np.clip(1.0 - t / (2 * spec.max_range), 0.3, 1.0)
    intensity = np.clip(refl * falloff + rng.normal(0, 0.03, len(t)), 0, 1)
    points = np.concatenate([xyz, intensity[:, None]], 1).astype(np.float32)
    return points, labels

"""A simulated spinning LiDAR: beams x azimuth rays cast into a scene."""
from dataclasses import dataclass
from typing import Tuple

import numpy as np

from .primitives import INF, ray_boxes, ray_cylinders, ray_ground, ray_spheres
from .scene import Scene


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


def _incidence(kind: str, prims: list, which: np.ndarray, p: np.ndarray,
               d: np.ndarray) -> np.ndarray:
    """(H,) |cos| of the angle between each ray ``d`` (H, 3) and the
    surface normal at its hit ``p`` (H, 3) on primitive ``which`` (H,)."""
    if kind == 'box':
        centre, size, yaw = (np.array([b[k] for b in prims]) for k in range(3))
        c, s = np.cos(-yaw[which]), np.sin(-yaw[which])
        rel = p - centre[which]
        local = np.stack([
            c * rel[:, 0] - s * rel[:, 1], s * rel[:, 0] + c * rel[:, 1],
            rel[:, 2]
        ], 1)
        face = np.argmax(np.abs(local) / (size[which] / 2), axis=1)
        dl = np.stack(
            [c * d[:, 0] - s * d[:, 1], s * d[:, 0] + c * d[:, 1], d[:, 2]], 1)
        return np.abs(dl[np.arange(len(d)), face])
    if kind == 'cylinder':
        xy = np.array([c[0] for c in prims])[which]
        n = p[:, :2] - xy
        n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)
        return np.abs((n * d[:, :2]).sum(1))
    centre = np.array([c[0] for c in prims])[which]  # sphere
    n = p - centre
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)
    return np.abs((n * d).sum(1))


def scan_scene(scene: Scene,
               spec: LidarSpec,
               rng: np.random.Generator,
               return_instances: bool = False) -> Tuple[np.ndarray, ...]:
    """Cast every ray; keep the first hit of each.

    Intensity is the hit material's reflectivity (each object's and each
    ground class's own, see ``Scene``), times an incidence factor (0.3 +
    0.7 |cos| of the angle to the surface normal) and a range falloff,
    plus noise: surfaces of one class return different intensities, and
    classes overlap.

    Returns:
        tuple: (N, 4) float32 points (x, y, z, intensity) in the sensor
        frame, (N,) uint32 raw SemanticKITTI labels and, with
        ``return_instances``, the (N,) int64 object instance of each point
        (-1 for stuff and ground).
    """
    d = ray_directions(spec)
    o = np.array([0.0, 0.0, spec.height], np.float32)
    parts = [ray_ground(o, d)[:, None]]
    kinds = [('ground', [], 1)]
    if scene.boxes:
        c, size, yaw = (
            np.array([b[k] for b in scene.boxes]) for k in range(3))
        parts.append(ray_boxes(o, d, c, size, yaw))
        kinds.append(('box', scene.boxes, len(scene.boxes)))
    if scene.cylinders:
        xy, r, z0, z1 = (
            np.array([c[k] for c in scene.cylinders]) for k in range(4))
        parts.append(ray_cylinders(o, d, xy, r, np.stack([z0, z1], 1)))
        kinds.append(('cylinder', scene.cylinders, len(scene.cylinders)))
    if scene.spheres:
        c, r = (np.array([s[k] for s in scene.spheres]) for k in range(2))
        parts.append(ray_spheres(o, d, c, r))
        kinds.append(('sphere', scene.spheres, len(scene.spheres)))
    t_all = np.concatenate(parts, axis=1)  # (R, 1 + M)
    hit = t_all.argmin(1)
    t = t_all[np.arange(len(d)), hit]
    keep = (t < min(spec.max_range, INF)) & (
        rng.random(len(d)) >= spec.dropout)
    t, hit, d = t[keep], hit[keep], d[keep]
    xyz = o + d * t[:, None]  # exact hits, for the normals
    labels = np.zeros(len(t), np.uint32)
    instance = np.full(len(t), -1, np.int64)
    refl = np.zeros(len(t), np.float32)
    cos = np.abs(d[:, 2]).astype(np.float32)  # the ground's normal is z
    start = 0
    for kind, prims, count in kinds:
        sel = (hit >= start) & (hit < start + count)
        if kind != 'ground' and sel.any():
            which = hit[sel] - start
            labels[sel] = np.array([q[-3] for q in prims])[which]
            instance[sel] = np.array([q[-2] for q in prims])[which]
            refl[sel] = np.array([q[-1] for q in prims])[which]
            cos[sel] = _incidence(kind, prims, which, xyz[sel], d[sel])
        start += count
    ground = hit == 0
    labels[ground] = scene.ground_label(xyz[ground, 0], xyz[ground, 1])
    refl[ground] = np.vectorize(
        scene.ground_reflectivity.get, otypes=[np.float32])(labels[ground]) \
        if ground.any() else refl[ground]
    t = t + rng.normal(0, spec.range_noise, len(t)).astype(np.float32)
    xyz = o + d * t[:, None]
    xyz[ground, 2] = rng.normal(0, 0.01, int(ground.sum()))
    falloff = np.clip(1.0 - t / (2 * spec.max_range), 0.3, 1.0)
    intensity = np.clip(
        refl * (0.3 + 0.7 * cos) * falloff + rng.normal(0, 0.03, len(t)), 0, 1)
    points = np.concatenate([xyz, intensity[:, None]], 1).astype(np.float32)
    if return_instances:
        return points, labels, instance
    return points, labels

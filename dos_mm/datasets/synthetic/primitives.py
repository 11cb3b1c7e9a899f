"""Ray intersection with the primitives synthetic scenes are made of.

Every function intersects R rays (origin ``o`` (3,), unit directions
``d`` (R, 3)) with M primitives at once and returns the (R, M) distance to
the first hit, ``inf`` where a ray misses.
"""
import numpy as np

INF = np.float32(np.inf)


def ray_ground(o: np.ndarray, d: np.ndarray) -> np.ndarray:
    """(R,) distance to the plane z = 0 (inf for rays going up)."""
    with np.errstate(divide='ignore', invalid='ignore'):
        t = -o[2] / d[:, 2]
    return np.where((d[:, 2] < -1e-6) & (t > 0), t, INF).astype(np.float32)


def ray_boxes(o: np.ndarray, d: np.ndarray, centre: np.ndarray,
              size: np.ndarray, yaw: np.ndarray) -> np.ndarray:
    """Boxes with (M, 3) centres, (M, 3) sizes (l, w, h), (M,) yaw."""
    if len(centre) == 0:
        return np.full((len(d), 0), INF, np.float32)
    c, s = np.cos(-yaw), np.sin(-yaw)  # rotate rays into each box frame
    rel = o[None, :] - centre  # (M, 3)
    ox = c * rel[:, 0] - s * rel[:, 1]
    oy = s * rel[:, 0] + c * rel[:, 1]
    oz = rel[:, 2]
    dx = d[:, None, 0] * c - d[:, None, 1] * s  # (R, M)
    dy = d[:, None, 0] * s + d[:, None, 1] * c
    dz = np.broadcast_to(d[:, None, 2], dx.shape)
    half = size / 2
    t_near = np.full(dx.shape, -INF, np.float32)
    t_far = np.full(dx.shape, INF, np.float32)
    for oo, dd, h in ((ox, dx, half[:,
                                    0]), (oy, dy, half[:,
                                                       1]), (oz, dz, half[:,
                                                                          2])):
        with np.errstate(divide='ignore', invalid='ignore'):
            t1 = (-h - oo) / dd
            t2 = (h - oo) / dd
        lo, hi = np.minimum(t1, t2), np.maximum(t1, t2)
        parallel = np.abs(dd) < 1e-9
        outside = parallel & ((oo < -h) | (oo > h))
        lo = np.where(parallel, -INF, lo)
        hi = np.where(parallel, np.where(outside, -INF, INF), hi)
        t_near, t_far = np.maximum(t_near, lo), np.minimum(t_far, hi)
    hit = (t_near <= t_far) & (t_near > 0)
    return np.where(hit, t_near, INF).astype(np.float32)


def ray_cylinders(o: np.ndarray, d: np.ndarray, centre: np.ndarray,
                  radius: np.ndarray, z_range: np.ndarray) -> np.ndarray:
    """Vertical cylinders: (M, 2) x-y centres, (M,) radii, (M, 2) z0, z1."""
    if len(centre) == 0:
        return np.full((len(d), 0), INF, np.float32)
    rel = o[None, :2] - centre  # (M, 2)
    a = (d[:, 0]**2 + d[:, 1]**2)[:, None]  # (R, 1)
    b = 2 * (d[:, None, 0] * rel[:, 0] + d[:, None, 1] * rel[:, 1])
    cc = (rel**2).sum(1) - radius**2  # (M,)
    disc = b**2 - 4 * a * cc
    with np.errstate(invalid='ignore', divide='ignore'):
        t = (-b - np.sqrt(disc)) / (2 * a)
    z = o[2] + t * d[:, None, 2]
    hit = (disc >= 0) & (t > 0) & (z >= z_range[:, 0]) & (z <= z_range[:, 1])
    return np.where(hit, t, INF).astype(np.float32)


def ray_spheres(o: np.ndarray, d: np.ndarray, centre: np.ndarray,
                radius: np.ndarray) -> np.ndarray:
    """Spheres with (M, 3) centres and (M,) radii."""
    if len(centre) == 0:
        return np.full((len(d), 0), INF, np.float32)
    rel = o[None, :] - centre  # (M, 3)
    b = 2 * (d @ rel.T)  # (R, M)
    cc = (rel**2).sum(1) - radius**2
    disc = b**2 - 4 * cc
    with np.errstate(invalid='ignore'):
        t = (-b - np.sqrt(disc)) / 2
    return np.where((disc >= 0) & (t > 0), t, INF).astype(np.float32)

import numpy as np
import pytest

from dos_mm.datasets.transforms.view_augment import (jitter, random_crop,
                                                     random_rigid_transform)


def _cloud(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-20, 20, size=(n, 3)).astype(np.float32)


def test_random_crop_size_sorted_unique_int64():
    xyz = _cloud(1000)
    for seed in range(5):
        idx = random_crop(xyz, (0.3, 0.3), np.random.default_rng(seed))
        assert idx.dtype == np.int64
        assert len(idx) == 300
        assert np.all(np.diff(idx) > 0)  # sorted, no duplicates
        assert idx.min() >= 0 and idx.max() < len(xyz)


def test_random_crop_ratio_drawn_from_range():
    xyz = _cloud(1000)
    sizes = [
        len(random_crop(xyz, (0.6, 0.9), np.random.default_rng(seed)))
        for seed in range(30)
    ]
    assert min(sizes) >= 600 and max(sizes) <= 900
    assert len(set(sizes)) > 5  # the ratio is random, not a constant


def test_random_crop_full_and_tiny():
    xyz = _cloud(50)
    rng = np.random.default_rng(0)
    assert np.array_equal(random_crop(xyz, (1.0, 1.0), rng), np.arange(50))
    assert len(random_crop(xyz, (1e-6, 1e-6), rng)) == 1


def _is_xy_disc(xyz, idx):
    """Whether ``idx`` are the x-y nearest neighbours of one of them."""
    kept = np.zeros(len(xyz), bool)
    kept[idx] = True
    for c in xyz[idx, :2]:
        d2 = ((xyz[:, :2] - c)**2).sum(1)
        if d2[kept].max() <= d2[~kept].min():
            return True
    return False


def test_random_crop_is_xy_disc_ignoring_z():
    # Every x-y location holds two points far apart in z: a crop in x-y
    # keeps both or neither.
    xy = np.random.default_rng(1).uniform(-10, 10, size=(200, 2))
    xyz = np.concatenate([
        np.concatenate([xy, np.zeros((200, 1))], 1),
        np.concatenate([xy, np.full((200, 1), 50.0)], 1)
    ]).astype(np.float32)
    for seed in range(5):
        idx = random_crop(xyz, (0.5, 0.5), np.random.default_rng(seed))
        assert len(idx) == 200
        low = set(idx[idx < 200].tolist())
        high = set((idx[idx >= 200] - 200).tolist())
        assert low == high
        assert _is_xy_disc(xyz, idx)


def test_random_crop_deterministic_for_seed():
    xyz = _cloud(500)
    a = random_crop(xyz, (0.2, 0.8), np.random.default_rng(7))
    b = random_crop(xyz, (0.2, 0.8), np.random.default_rng(7))
    c = random_crop(xyz, (0.2, 0.8), np.random.default_rng(8))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def _scale_of_similarity(mat, atol=1e-5):
    """Scale s of ``mat`` asserting ``mat.T @ mat == s**2 I``."""
    mat = mat.astype(np.float64)
    gram = mat.T @ mat
    s2 = np.trace(gram) / 3
    np.testing.assert_allclose(gram, s2 * np.eye(3), atol=atol)
    return np.sqrt(s2)


def test_rigid_transform_is_similarity_within_ranges():
    rng = np.random.default_rng(0)
    dets = []
    for _ in range(200):
        mat = random_rigid_transform(rng, np.pi, 0.05, (0.9, 1.1), True)
        assert mat.shape == (3, 3) and mat.dtype == np.float32
        s = _scale_of_similarity(mat)
        assert 0.9 - 1e-6 <= s <= 1.1 + 1e-6
        # the tilt is small: z stays close to vertical
        assert mat[2, 2] / s >= np.cos(0.05)**2 - 1e-6
        dets.append(np.linalg.det(mat.astype(np.float64)))
    dets = np.sign(dets)
    # flips make improper transforms about half of the time
    assert 50 < (dets < 0).sum() < 150


def test_rigid_transform_without_flip_is_proper():
    rng = np.random.default_rng(1)
    for _ in range(50):
        mat = random_rigid_transform(rng, np.pi, 0.05, (0.9, 1.1), False)
        assert np.linalg.det(mat.astype(np.float64)) > 0


def test_rigid_transform_identity_and_rotation_range():
    rng = np.random.default_rng(2)
    mat = random_rigid_transform(rng, 0.0, 0.0, (1.0, 1.0), False)
    np.testing.assert_allclose(mat, np.eye(3), atol=1e-7)
    angles = []
    for _ in range(200):
        mat = random_rigid_transform(rng, 0.5, 0.0, (2.0, 2.0), False)
        # no tilt: a pure z-rotation scaled by 2, z axis untouched
        np.testing.assert_allclose(mat[2], [0, 0, 2], atol=1e-6)
        np.testing.assert_allclose(mat[:, 2], [0, 0, 2], atol=1e-6)
        angles.append(np.arctan2(mat[1, 0], mat[0, 0]))
    angles = np.abs(angles)
    assert angles.max() <= 0.5 + 1e-6
    assert angles.max() > 0.4


def test_jitter_bounded_and_pure():
    xyz = _cloud(20000)
    before = xyz.copy()
    out = jitter(xyz, 0.01, 0.02, np.random.default_rng(0))
    assert out.dtype == xyz.dtype and out.shape == xyz.shape
    assert np.array_equal(xyz, before)  # input untouched
    noise = (out - xyz).astype(np.float64)
    assert np.abs(noise).max() <= 0.02 + 1e-5
    assert noise.std() == pytest.approx(0.01, rel=0.1)
    assert np.abs(noise).max() > 0.015  # clipped, not scaled down
    big = jitter(xyz, 0.01, 1.0, np.random.default_rng(0))
    assert (big - xyz).std() == pytest.approx(0.01, rel=0.05)


def test_jitter_zero_sigma_is_identity():
    xyz = _cloud(10)
    out = jitter(xyz, 0.0, 0.02, np.random.default_rng(0))
    assert np.array_equal(out, xyz)

from pathlib import Path

import numpy as np
import pytest
import torch
from mmdet3d.registry import TRANSFORMS
from mmdet3d.structures.points import LiDARPoints
from mmengine.config import Config
from mmengine.registry import init_default_scope

import dos_mm.datasets.transforms.multi_view as multi_view_module
from dos_mm.datasets import DOSMultiView

REPO = Path(__file__).resolve().parents[3]

CLIP = 0.02  # DOSMultiView's default jitter_clip


def _scan(n=2000, seed=0):
    """(n, 5) float32: x, y, z, intensity and a second feature channel."""
    rng = np.random.default_rng(seed)
    xyz = rng.uniform([-30, -30, -2], [30, 30, 4], size=(n, 3))
    feats = rng.uniform(0, 1, size=(n, 2))
    return np.concatenate([xyz, feats], 1).astype(np.float32)


def _fit_similarity(src, dst):
    """Least-squares linear map M with dst ~ src @ M.T; returns (M, s)."""
    src, dst = src.astype(np.float64), dst.astype(np.float64)
    mat = np.linalg.lstsq(src, dst, rcond=None)[0].T
    gram = mat.T @ mat
    s2 = np.trace(gram) / 3
    np.testing.assert_allclose(gram, s2 * np.eye(3), atol=2e-3)
    return mat, np.sqrt(s2)


def _check_view(view, scan, scale_range=(0.9, 1.1), clip=CLIP):
    points, coord, idx = view['points'], view['orig_coord'], view['orig_idx']
    assert points.dtype == np.float32 and coord.dtype == np.float32
    assert idx.dtype == np.int64
    assert points.shape == (len(idx), scan.shape[1])
    assert coord.shape == (len(idx), 3)
    assert len(np.unique(idx)) == len(idx)
    # original coordinates and extra features are the scan's, exactly
    assert np.array_equal(coord, scan[idx, :3])
    assert np.array_equal(points[:, 3:], scan[idx, 3:])
    # xyz is a similarity transform of orig_coord up to the jitter
    mat, s = _fit_similarity(coord, points[:, :3])
    assert scale_range[0] - 1e-3 <= s <= scale_range[1] + 1e-3
    resid = points[:, :3] - coord.astype(np.float64) @ mat.T
    assert np.abs(resid).max() <= clip + 1e-3
    # pairwise distance ratios are constant (= s) within the jitter
    rng = np.random.default_rng(0)
    i, j = rng.integers(len(idx), size=(2, 500))
    d_orig = np.linalg.norm(coord[i] - coord[j], axis=1)
    d_view = np.linalg.norm(points[i, :3] - points[j, :3], axis=1)
    ok = d_orig > 1.0
    tol = 2 * np.sqrt(3) * clip / d_orig[ok] + 1e-4
    assert np.all(np.abs(d_view[ok] / d_orig[ok] - s) <= tol)
    return mat, s


def test_views_are_similarity_transforms_of_the_crop():
    scan = _scan()
    out = DOSMultiView(seed=0).transform(dict(points=scan.copy()))
    views = out['dos_views']
    assert len(views) == 2
    mats = [_check_view(view, scan)[0] for view in views]
    # each view has its own augmentation
    assert not np.allclose(mats[0], mats[1], atol=1e-2)
    assert not np.array_equal(views[0]['orig_idx'], views[1]['orig_idx'])
    assert 'dos_nonfinite_points' not in out


def test_without_jitter_the_transform_is_exact():
    scan = _scan(500)
    view = DOSMultiView(
        jitter_sigma=0.0, seed=3).transform(dict(points=scan))['dos_views'][0]
    _check_view(view, scan, clip=1e-4)


def test_scale_rotation_and_tilt_follow_the_arguments():
    scan = _scan(300)
    transform = DOSMultiView(
        num_views=1,
        rot_range=0.0,
        tilt_range=0.0,
        scale_range=(1.5, 1.5),
        flip=False,
        jitter_sigma=0.0,
        seed=0)
    view = transform.transform(dict(points=scan))['dos_views'][0]
    np.testing.assert_allclose(
        view['points'][:, :3], 1.5 * view['orig_coord'], rtol=1e-6, atol=1e-5)


def test_crop_ratio_is_respected():
    scan = _scan(1000)
    fixed = DOSMultiView(crop_ratio=(0.5, 0.5), seed=0)
    for view in fixed.transform(dict(points=scan))['dos_views']:
        assert len(view['orig_idx']) == 500
    ranged = DOSMultiView(crop_ratio=(0.6, 0.8), seed=1)
    sizes = []
    for _ in range(10):
        for view in ranged.transform(dict(points=scan))['dos_views']:
            sizes.append(len(view['orig_idx']))
    assert min(sizes) >= 600 and max(sizes) <= 800
    full = DOSMultiView(crop_ratio=(1.0, 1.0), seed=2)
    for view in full.transform(dict(points=scan))['dos_views']:
        assert np.array_equal(view['orig_idx'], np.arange(1000))


def test_num_views():
    out = DOSMultiView(num_views=3, seed=0).transform(dict(points=_scan(200)))
    assert len(out['dos_views']) == 3


def _views_equal(a, b):
    return all(
        np.array_equal(va[k], vb[k]) for va, vb in zip(a, b)
        for k in ('points', 'orig_coord', 'orig_idx'))


def test_seed_reproducibility():
    scan = _scan(800)
    first = DOSMultiView(seed=5).transform(dict(points=scan))['dos_views']
    again = DOSMultiView(seed=5).transform(dict(points=scan))['dos_views']
    other = DOSMultiView(seed=6).transform(dict(points=scan))['dos_views']
    assert _views_equal(first, again)
    assert not _views_equal(first, other)
    # the random state advances: a second call gives new views
    transform = DOSMultiView(seed=5)
    transform.transform(dict(points=scan))
    second = transform.transform(dict(points=scan))['dos_views']
    assert not _views_equal(first, second)


def test_lidar_points_input_matches_numpy_input():
    scan = _scan(600)[:, :4]
    points = LiDARPoints(
        torch.from_numpy(scan.copy()),
        points_dim=4,
        attribute_dims=dict(intensity=3))
    from_obj = DOSMultiView(seed=1).transform(dict(points=points))
    from_arr = DOSMultiView(seed=1).transform(dict(points=scan))
    assert _views_equal(from_obj['dos_views'], from_arr['dos_views'])
    for view in from_obj['dos_views']:
        _check_view(view, scan)


def test_non_finite_points_are_dropped_and_counted():
    scan = _scan(1000)
    bad = np.array([3, 10, 500, 999])
    scan[3, 0] = np.nan
    scan[10, 2] = np.inf
    scan[500, 3] = -np.inf  # a bad feature also drops the point
    scan[999, 4] = np.nan
    out = DOSMultiView(
        crop_ratio=(1.0, 1.0), seed=0).transform(dict(points=scan.copy()))
    assert out['dos_nonfinite_points'] == 4
    for view in out['dos_views']:
        assert len(view['orig_idx']) == 996
        for key in ('points', 'orig_coord'):
            assert np.isfinite(view[key]).all()
        # indices still point into the scan as given, bad points excluded
        assert not np.isin(bad, view['orig_idx']).any()
        assert np.array_equal(view['orig_coord'], scan[view['orig_idx'], :3])
        assert np.array_equal(view['points'][:, 3:], scan[view['orig_idx'],
                                                          3:])


def test_non_finite_points_with_crops_keep_original_indices():
    scan = _scan(1000)
    scan[::7, 1] = np.nan
    out = DOSMultiView(seed=4).transform(dict(points=scan.copy()))
    assert out['dos_nonfinite_points'] == len(scan[::7])
    for view in out['dos_views']:
        assert np.all(view['orig_idx'] % 7 != 0)
        assert np.array_equal(view['orig_coord'], scan[view['orig_idx'], :3])


def test_too_few_points_skips_with_warning(monkeypatch):
    logged = []
    monkeypatch.setattr(multi_view_module, 'print_log',
                        lambda msg, **kw: logged.append((msg, kw)))
    monkeypatch.setattr(DOSMultiView, 'num_skipped', 0)
    transform = DOSMultiView(min_points=32, min_view_points=1, seed=0)
    scan = _scan(31)
    assert transform(dict(points=scan, lidar_path='a/000007.bin')) is None
    assert DOSMultiView.num_skipped == 1
    assert len(logged) == 1
    msg, kwargs = logged[0]
    assert 'a/000007.bin' in msg and '31 finite points' in msg
    assert kwargs.get('level') == 30  # logging.WARNING
    # finite points are what count: 40 points, 10 of them NaN
    scan = _scan(40)
    scan[:10, 0] = np.nan
    results = dict(points=scan, sample_idx=12)
    assert transform(results) is None
    assert results['dos_nonfinite_points'] == 10
    assert DOSMultiView.num_skipped == 2
    assert '12' in logged[1][0]
    # enough points: not skipped
    assert transform(dict(points=_scan(32))) is not None
    assert DOSMultiView.num_skipped == 2


@pytest.mark.parametrize('kwargs', [
    dict(num_views=0),
    dict(crop_ratio=(0.0, 1.0)),
    dict(crop_ratio=(0.8, 0.5)),
    dict(crop_ratio=(0.5, 1.2)),
])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError, match='num_views|crop_ratio'):
        DOSMultiView(**kwargs)


def test_built_from_registry():
    init_default_scope('mmdet3d')
    transform = TRANSFORMS.build(
        dict(type='DOSMultiView', crop_ratio=(0.5, 0.5), seed=0))
    assert isinstance(transform, DOSMultiView)
    out = transform(dict(points=_scan(100)))
    assert [len(v['orig_idx']) for v in out['dos_views']] == [50, 50]


def _semantickitti_metainfo(tmp_path):
    """``metainfo`` of mmdet3d's own SemanticKITTI dataset config."""
    cfg_file = tmp_path / 'semantickitti_base.py'
    cfg_file.write_text(
        "_base_ = ['mmdet3d::_base_/datasets/semantickitti.py']\n")
    return Config.fromfile(str(cfg_file)).metainfo.to_dict()


def test_semantickitti_fixture_through_mmdet3d_loader(tmp_path,
                                                      shared_fixtures):
    kitti = shared_fixtures / 'semantickitti'
    from mmdet3d.datasets import SemanticKittiDataset
    init_default_scope('mmdet3d')
    dataset = SemanticKittiDataset(
        data_root=str(kitti),
        ann_file='semantickitti_infos.pkl',
        metainfo=_semantickitti_metainfo(tmp_path),
        data_prefix=dict(
            pts='sequences/00/velodyne',
            pts_semantic_mask='sequences/00/labels'),
        pipeline=[
            dict(
                type='LoadPointsFromFile',
                coord_type='LIDAR',
                load_dim=4,
                use_dim=4),
            dict(type='DOSMultiView', min_points=8, seed=0),
        ])
    results = dataset[0]
    raw = np.fromfile(
        kitti / 'sequences/00/velodyne/000000.bin',
        dtype=np.float32).reshape(-1, 4)
    assert results['lidar_path'].endswith('000000.bin')
    for view in results['dos_views']:
        assert np.array_equal(view['orig_coord'], raw[view['orig_idx'], :3])
        assert np.array_equal(view['points'][:, 3], raw[view['orig_idx'], 3])


def test_the_defaults_are_the_views_every_pretraining_config_uses():
    """The pretraining configs write ``dict(type='DOSMultiView')``: these
    defaults are the one statement of the views (paper: two views, random
    crops, rotation about z by up to pi, scaling 0.9-1.1)."""
    import glob

    from ...conftest import REPO
    t = DOSMultiView()
    assert (t.num_views, t.crop_ratio, t.scale_range) == (2, (0.6, 1.0),
                                                          (0.9, 1.1))
    assert t.rot_range == np.pi and t.jitter_sigma == 0.005
    for path in glob.glob(str(REPO / 'configs' / 'dos' / 'pretrain_*.py')):
        pipeline = Config.fromfile(path).train_dataloader.dataset.get(
            'pipeline') or []
        views = [s for s in pipeline if s['type'] == 'DOSMultiView']
        assert all(set(v) == {'type'} for v in views), path

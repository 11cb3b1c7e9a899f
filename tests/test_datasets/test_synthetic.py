import importlib.util
import os
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import dos_mm.datasets.synthetic.writer as writer_module
from dos_mm.datasets.synthetic import (CLASSES, DETECTION_CLASSES,
                                       GENERATOR_VERSION, LAYOUTS, RAW_IDS,
                                       Ground, LidarSpec, Scene,
                                       generate_dataset, read_marker,
                                       sample_scene, scan_scene)
from dos_mm.datasets.synthetic.classes import (BY_NAME, BY_RAW_ID, GROUND,
                                               HEAD_CLASSES,
                                               semantickitti_label_mapping)
from dos_mm.datasets.synthetic.primitives import ray_boxes

REPO = Path(__file__).resolve().parents[2]
SMALL = LidarSpec(num_beams=16, azimuth_steps=360)
GROUND_IDS = [BY_NAME[n].raw_id for n in GROUND]
# mmdet3d's SemanticKITTI config spells two class names differently, and
# calls buses other vehicles
MMDET3D_NAMES = {
    'trunk': 'trunck',
    'terrain': 'terrian',
    'bus': 'other-vehicle'
}
OBJECTS = {c.raw_id
           for c in CLASSES if c.detection
           } | {BY_NAME[n].raw_id
                for n in ('bollard', 'bench', 'trash-can')}


def _scan(seed, spec=LidarSpec(), layout=None):
    rng = np.random.default_rng(seed)
    scene = sample_scene(rng, layout=layout)
    points, labels = scan_scene(scene, spec, rng)
    return scene, points, labels


def _ray_index(points, labels, spec):
    """(beam, azimuth step) of the ray that made each point."""
    rel = points[:, :3].astype(np.float64) - [0, 0, spec.height]
    horiz = np.linalg.norm(rel[:, :2], axis=1)
    # the z of ground points is resampled: their ray ends at z = 0
    ground = np.isin(labels, GROUND_IDS)
    dz = np.where(ground, -spec.height, rel[:, 2])
    elev = np.rad2deg(np.arctan2(dz, horiz))
    lo, hi = spec.elevation
    beam = np.round((elev - lo) / (hi - lo) * (spec.num_beams - 1))
    azim = np.round((np.arctan2(rel[:, 1], rel[:, 0]) + np.pi) /
                    (2 * np.pi) * spec.azimuth_steps) % spec.azimuth_steps
    return beam.astype(np.int64), azim.astype(np.int64)


def test_scan_is_deterministic_for_a_seed():
    _, p1, l1 = _scan(3, SMALL)
    _, p2, l2 = _scan(3, SMALL)
    _, p3, _ = _scan(4, SMALL)
    assert np.array_equal(p1, p2) and np.array_equal(l1, l2)
    assert p1.shape != p3.shape or not np.array_equal(p1, p3)


def test_scan_values_in_range():
    spec = LidarSpec()
    scene, points, labels = _scan(0, spec)
    assert points.dtype == np.float32 and points.shape[1] == 4
    assert labels.dtype == np.uint32 and labels.shape == (len(points), )
    assert len(points) > 0.5 * spec.num_beams * spec.azimuth_steps
    assert np.isfinite(points).all()
    dist = np.linalg.norm(points[:, :3] - [0, 0, spec.height], axis=1)
    assert dist.max() <= spec.max_range + 0.1
    assert points[:, 3].min() >= 0 and points[:, 3].max() <= 1
    assert set(np.unique(labels).tolist()) <= set(RAW_IDS)


def test_ground_points():
    scene, points, labels = _scan(1, layout='street')
    ground = np.isin(labels, GROUND_IDS)
    assert ground.mean() > 0.2
    assert np.abs(points[ground, 2]).max() < 0.06
    # the ground labels of a street follow the lateral offset: road, kerb,
    # sidewalk, terrain
    g = scene.ground
    ay = np.abs(points[:, 1])
    bands = (('road', 0,
              g.road_half_width), ('other-ground', g.road_half_width,
                                   g.road_half_width + g.kerb_width),
             ('sidewalk', g.road_half_width + g.kerb_width,
              g.edge()), ('terrain', g.edge(), np.inf))
    for name, lo, hi in bands:
        sel = ground & (labels == BY_NAME[name].raw_id)
        # (labels are those of the exact hit; points carry range noise)
        assert np.all((ay[sel] >= lo - 0.1) & (ay[sel] < hi + 0.1)), name
    road = labels == BY_NAME['road'].raw_id
    assert road.sum() > (labels == BY_NAME['sidewalk'].raw_id).sum() > 0


@pytest.mark.parametrize('layout', LAYOUTS)
def test_every_layout_has_its_ground(layout):
    scene, points, labels = _scan(4, layout=layout)
    assert scene.ground.layout == layout
    present = set(np.unique(labels).tolist())
    own = {
        'street': 'sidewalk',
        'intersection': 'road',
        'parking': 'parking',
        'plaza': 'sidewalk'
    }
    assert BY_NAME[own[layout]].raw_id in present
    road = labels == BY_NAME['road'].raw_id
    if layout == 'intersection':  # a second road along y
        far = np.abs(points[road, 1]) > scene.ground.road_half_width + 1
        assert far.any()
        assert np.all(  # (up to the range noise of the points)
            np.abs(points[road][far, 0]) < scene.ground.cross_half_width + 0.1)
    if layout == 'plaza':  # a paved square beside the road
        side = labels == BY_NAME['sidewalk'].raw_id
        assert points[side, 1].max() > scene.ground.edge() + 2
    with pytest.raises(ValueError, match='unknown layout'):
        sample_scene(np.random.default_rng(0), layout='moon')


def test_one_return_per_ray():
    spec = LidarSpec()
    _, points, labels = _scan(2, spec)
    assert len(points) <= spec.num_beams * spec.azimuth_steps
    beam, azim = _ray_index(points, labels, spec)
    assert beam.min() >= 0 and beam.max() < spec.num_beams
    keys = beam * spec.azimuth_steps + azim
    assert len(np.unique(keys)) == len(keys)


def test_occlusion_first_hit_only():
    spec = LidarSpec(range_noise=0.0, dropout=0.0)
    car, wall = BY_NAME['car'].raw_id, BY_NAME['building'].raw_id
    rng = np.random.default_rng(0)
    scene = Scene.empty(Ground('street', 5.0, 2.0), rng)
    car_box = (np.array([8.0, 0.0, 1.0]), np.array([4.0, 2.0, 2.0]), 0.2)
    scene.add_box('car', *car_box, 0, 0.5)
    scene.add_box('building', (25.0, 0.0, 5.0), (1.0, 40.0, 10.0), 0.0, -1,
                  0.5)
    points, labels = scan_scene(scene, spec, rng)
    assert (labels == car).sum() > 100 and (labels == wall).sum() > 100
    origin = np.array([0, 0, spec.height], np.float32)
    rel = points[labels == wall, :3] - origin
    dirs = (rel / np.linalg.norm(rel, axis=1, keepdims=True)).astype(
        np.float32)
    t_car = ray_boxes(origin, dirs, car_box[0][None], car_box[1][None],
                      np.array([car_box[2]]))
    # no wall point lies behind the car
    assert np.isinf(t_car).all()


def _histogram(seeds):
    counts = dict.fromkeys(RAW_IDS, 0)
    for seed in seeds:
        _, _, labels = _scan(seed)
        ids, num = np.unique(labels, return_counts=True)
        for i, n in zip(ids.tolist(), num.tolist()):
            counts[i] += n
    return counts


def test_class_frequencies_fall_off_like_a_power_law():
    counts = _histogram(range(12))
    freq = np.sort(np.array([n for n in counts.values() if n > 0]))[::-1]
    assert len(freq) >= 20  # classes present
    rank = np.arange(1, len(freq) + 1)
    slope, icpt = np.polyfit(np.log(rank), np.log(freq), 1)
    fit = slope * np.log(rank) + icpt
    r2 = 1 - ((np.log(freq) - fit)**2).sum() / (
        (np.log(freq) - np.log(freq).mean())**2).sum()
    assert slope < -1.5 and r2 > 0.8, (slope, r2)
    assert max(counts, key=counts.get) in GROUND_IDS
    total = sum(counts.values())
    frac = {c.name: counts[c.raw_id] / total for c in CLASSES}
    assert frac['car'] > 0.05  # a frequent object class
    rare = ('traffic-cone', 'bench', 'trash-can', 'bicycle', 'motorcyclist')
    assert max(frac[name] for name in rare) < 0.005
    # the head / tail split the reports use
    tail = {k: v for k, v in frac.items() if k not in HEAD_CLASSES}
    assert min(frac[name] for name in HEAD_CLASSES) > 0.03
    assert sum(tail.values()) < 0.2
    assert np.median(list(tail.values())) < 0.01


def test_intensity_does_not_name_the_class():
    """Each object draws its own material, and the ranges overlap: a
    threshold on intensity separates no pair of look-alike classes well
    (v1 gave every class one reflectivity with little noise). Ground and
    upright surfaces differ more, by incidence, as in real scans."""
    rng = np.random.default_rng(3)
    values = {}
    for _ in range(6):
        scene = sample_scene(rng)
        points, labels = scan_scene(scene, LidarSpec(), rng)
        for raw in np.unique(labels):
            values.setdefault(BY_RAW_ID[int(raw)].name,
                              []).append(points[labels == raw, 3])
    values = {k: np.concatenate(v) for k, v in values.items()}

    def best_threshold_accuracy(a, b):
        cut = np.quantile(np.r_[a, b], np.linspace(0.01, 0.99, 99))
        acc = [((a < c).mean() + (b >= c).mean()) / 2 for c in cut]
        return max(max(acc), 1 - min(acc))

    for a, b in (('road', 'sidewalk'), ('car', 'building'), ('person', 'pole'),
                 ('person', 'trunk'), ('building', 'vegetation'), ('sidewalk',
                                                                   'terrain')):
        accuracy = best_threshold_accuracy(values[a], values[b])
        assert accuracy < 0.8, (a, b, accuracy)


def test_object_boxes_hold_their_points():
    rng = np.random.default_rng(5)
    scene = sample_scene(rng)
    points, labels, instance = scan_scene(
        scene, LidarSpec(), rng, return_instances=True)
    boxes = scene.object_boxes()
    assert boxes.shape[1] == 8 and boxes.dtype == np.float32
    assert set(boxes[:, 7].astype(int).tolist()) <= OBJECTS
    # every object point has its instance, and every stuff point none
    assert np.array_equal(instance >= 0, np.isin(labels, list(OBJECTS)))
    assert (boxes[:, 7].astype(int)[instance[instance >= 0]] == labels[
        instance >= 0]).all()
    pts, own = points[instance >= 0, :3], boxes[instance[instance >= 0]]
    x, y, z, length, width, height, yaw = own[:, :7].T
    c, s = np.cos(-yaw), np.sin(-yaw)
    dx, dy = pts[:, 0] - x, pts[:, 1] - y
    lx, ly = c * dx - s * dy, s * dx + c * dy
    inside = ((np.abs(lx) <= length / 2 + 0.1) &
              (np.abs(ly) <= width / 2 + 0.1) & (pts[:, 2] >= z - 0.1) &
              (pts[:, 2] <= z + height + 0.1))
    assert inside.all()  # z is the box bottom, as in mmdet3d
    assert set(DETECTION_CLASSES) == {
        'car', 'truck', 'bus', 'motorcycle', 'bicycle', 'pedestrian',
        'traffic_cone', 'barrier'
    }


# ---------------------------------------------------------------- writer


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp('synth') / 'data'
    settings = generate_dataset(
        str(out), num_train=2, num_val=1, seed=7, spec=SMALL)
    return out, settings


def test_layout_and_file_sizes(dataset):
    out, settings = dataset
    assert settings == read_marker(str(out))
    assert settings['generator_version'] == GENERATOR_VERSION
    assert (settings['seed'], settings['num_train'],
            settings['num_val']) == (7, 2, 1)
    assert settings['lidar']['num_beams'] == 16
    expected = {
        'dos_synthetic.json', 'semantickitti_infos_train.pkl',
        'semantickitti_infos_val.pkl'
    }
    for seq, n in (('00', 2), ('08', 1)):
        for i in range(n):
            for sub, ext in (('velodyne', 'bin'), ('labels', 'label'),
                             ('boxes', 'npy')):
                expected.add(f'sequences/{seq}/{sub}/{i:06d}.{ext}')
    found = {
        str(p.relative_to(out)).replace(os.sep, '/')
        for p in out.rglob('*') if p.is_file()
    }
    assert found == expected
    for seq, n in (('00', 2), ('08', 1)):
        for i in range(n):
            base = out / 'sequences' / seq
            size = (base / 'velodyne' / f'{i:06d}.bin').stat().st_size
            assert size > 0 and size % 16 == 0
            points = np.fromfile(
                base / 'velodyne' / f'{i:06d}.bin',
                dtype=np.float32).reshape(-1, 4)
            labels = np.fromfile(
                base / 'labels' / f'{i:06d}.label', dtype=np.uint32)
            assert len(labels) == len(points)
            assert np.isfinite(points).all()
            assert set(np.unique(labels).tolist()) <= set(RAW_IDS)
            boxes = np.load(base / 'boxes' / f'{i:06d}.npy')
            assert boxes.ndim == 2 and boxes.shape[1] == 8


def test_info_files_mmdet3d_v2_format(dataset):
    out, _ = dataset
    for split, n in (('train', 2), ('val', 1)):
        with open(out / f'semantickitti_infos_{split}.pkl', 'rb') as f:
            infos = pickle.load(f)
        assert set(infos) == {'metainfo', 'data_list'}
        assert infos['metainfo']['DATASET'] == 'SemanticKITTI'
        assert len(infos['data_list']) == n
        for info in infos['data_list']:
            assert info['lidar_points']['num_pts_feats'] == 4
            assert (out / info['lidar_points']['lidar_path']).is_file()
            assert (out / info['pts_semantic_mask_path']).is_file()
            assert info['layout'] in LAYOUTS
            labels = np.fromfile(
                out / info['pts_semantic_mask_path'], dtype=np.uint32)
            for inst in info['instances']:
                assert len(inst['bbox_3d']) == 7
                assert inst['bbox_label_3d'] in OBJECTS
                assert 0 <= inst['num_lidar_pts'] <= (
                    labels == inst['bbox_label_3d']).sum()


def test_info_keys_match_mmdet3d_fixture(dataset, shared_fixtures):
    kitti = shared_fixtures / 'semantickitti'
    with open(kitti / 'semantickitti_infos.pkl', 'rb') as f:
        ref = pickle.load(f)
    with open(dataset[0] / 'semantickitti_infos_train.pkl', 'rb') as f:
        ours = pickle.load(f)
    assert set(ref) == set(ours)
    assert set(ref['data_list'][0]) <= set(ours['data_list'][0])
    assert set(ref['data_list'][0]['lidar_points']) <= set(
        ours['data_list'][0]['lidar_points'])


def _semantickitti_metainfo(tmp_path):
    cfg_file = tmp_path / 'semantickitti_base.py'
    cfg_file.write_text(
        "_base_ = ['mmdet3d::_base_/datasets/semantickitti.py']\n")
    return Config.fromfile(str(cfg_file)).metainfo.to_dict()


@pytest.mark.parametrize('extended', [False, True])
def test_mmdet3d_semantickitti_dataset_loads_it(dataset, tmp_path, extended):
    """mmdet3d's SemanticKittiDataset reads the scans; its label map names
    every SemanticKITTI class as ours, and gives the classes SemanticKITTI
    lacks class 0 (car) unless the map is extended by
    ``semantickitti_label_mapping`` (what the synthetic configs use)."""
    from mmdet3d.datasets import SemanticKittiDataset
    out, _ = dataset
    init_default_scope('mmdet3d')
    metainfo = _semantickitti_metainfo(tmp_path)
    classes = metainfo['classes']
    if extended:
        metainfo['seg_label_mapping'] = semantickitti_label_mapping(
            metainfo['seg_label_mapping'], len(classes))
    kitti = SemanticKittiDataset(
        data_root=str(out),
        ann_file='semantickitti_infos_train.pkl',
        metainfo=metainfo,
        pipeline=[
            dict(
                type='LoadPointsFromFile',
                coord_type='LIDAR',
                load_dim=4,
                use_dim=4),
            dict(
                type='LoadAnnotations3D',
                with_bbox_3d=False,
                with_label_3d=False,
                with_seg_3d=True,
                seg_3d_dtype='np.int32',
                seg_offset=2**16,
                dataset_type='semantickitti'),
            dict(type='PointSegClassMapping'),
        ])
    assert len(kitti) == 2
    raw_labels, masks = [], []
    for i in range(2):
        sample = kitti[i]
        raw_points = np.fromfile(
            out / f'sequences/00/velodyne/{i:06d}.bin',
            dtype=np.float32).reshape(-1, 4)
        assert np.array_equal(sample['points'].tensor.numpy(), raw_points)
        raw_labels.append(
            np.fromfile(
                out / f'sequences/00/labels/{i:06d}.label', dtype=np.uint32))
        masks.append(sample['pts_semantic_mask'])
    raw_labels, mask = np.concatenate(raw_labels), np.concatenate(masks)
    assert mask.shape == raw_labels.shape
    extra = 0
    for raw in np.unique(raw_labels):
        mapped = np.unique(mask[raw_labels == raw])
        assert len(mapped) == 1
        name = BY_RAW_ID[int(raw)].name
        if raw >= 100:  # not a SemanticKITTI class
            extra += 1
            assert mapped[0] == (len(classes) if extended else 0), name
        else:
            assert classes[mapped[0]] == MMDET3D_NAMES.get(name, name)
    assert extra > 0  # the scans hold some of them


def test_same_settings_is_a_no_op(dataset, monkeypatch):
    out, settings = dataset
    bin_file = out / 'sequences/00/velodyne/000000.bin'
    mtime = bin_file.stat().st_mtime_ns

    def fail(*args, **kwargs):
        raise AssertionError('rescanned an existing dataset')

    monkeypatch.setattr(writer_module, 'scan_scene', fail)
    again = generate_dataset(
        str(out), num_train=2, num_val=1, seed=7, spec=SMALL)
    assert again == settings
    assert bin_file.stat().st_mtime_ns == mtime


def test_deterministic_dataset(dataset, tmp_path):
    out, _ = dataset
    other = tmp_path / 'again'
    generate_dataset(str(other), num_train=2, num_val=1, seed=7, spec=SMALL)
    for rel in ('sequences/00/velodyne/000001.bin',
                'sequences/08/labels/000000.label'):
        assert (out / rel).read_bytes() == (other / rel).read_bytes()


def test_test_split_leaves_train_and_val_as_they_are(dataset, tmp_path):
    """num_test adds sequence 11 and its info file; the train and val
    scans are the ones a folder without the split has."""
    out, _ = dataset
    other = tmp_path / 'with_test'
    settings = generate_dataset(
        str(other), num_train=2, num_val=1, seed=7, spec=SMALL, num_test=2)
    assert settings['num_test'] == 2
    for rel in ('sequences/00/velodyne/000001.bin',
                'sequences/08/velodyne/000000.bin'):
        assert (out / rel).read_bytes() == (other / rel).read_bytes()
    with open(other / 'semantickitti_infos_test.pkl', 'rb') as f:
        test = pickle.load(f)['data_list']
    assert [i['lidar_points']['lidar_path'] for i in test] == [
        'sequences/11/velodyne/000000.bin', 'sequences/11/velodyne/000001.bin'
    ]
    assert (other / test[1]['lidar_points']['lidar_path']).stat().st_size
    assert not (out / 'semantickitti_infos_test.pkl').exists()
    assert 'num_test' not in read_marker(str(out))


@pytest.mark.parametrize('kwargs', [
    dict(num_train=2, num_val=1, seed=7, spec=SMALL, num_test=1),
    dict(num_train=2, num_val=1, seed=8, spec=SMALL),
    dict(num_train=3, num_val=1, seed=7, spec=SMALL),
    dict(num_train=2, num_val=1, seed=7),
])
def test_other_settings_raise(dataset, kwargs):
    out, settings = dataset
    with pytest.raises(ValueError, match=re.escape(str(out))):
        generate_dataset(str(out), **kwargs)
    assert read_marker(str(out)) == settings


def test_foreign_folder_raises_and_empty_folder_is_used(tmp_path):
    foreign = tmp_path / 'foreign'
    foreign.mkdir()
    (foreign / 'keep.txt').write_text('mine')
    with pytest.raises(ValueError, match='no marker'):
        generate_dataset(str(foreign), 1, 1, spec=SMALL)
    assert os.listdir(foreign) == ['keep.txt']
    empty = tmp_path / 'empty'
    empty.mkdir()
    generate_dataset(str(empty), 1, 1, spec=SMALL)
    assert read_marker(str(empty))['num_train'] == 1


@pytest.mark.parametrize('num_train,num_val', [(0, 1), (1, 0), (-1, 2)])
def test_bad_counts_raise(tmp_path, num_train, num_val):
    out = tmp_path / 'out'
    with pytest.raises(ValueError, match='at least 1'):
        generate_dataset(str(out), num_train, num_val, spec=SMALL)
    assert not out.exists()


def test_failure_midway_leaves_nothing(tmp_path, monkeypatch):
    real_scan = writer_module.scan_scene
    calls = []

    def flaky(*args, **kwargs):
        if len(calls) == 2:
            raise RuntimeError('disk on fire')
        calls.append(1)
        return real_scan(*args, **kwargs)

    monkeypatch.setattr(writer_module, 'scan_scene', flaky)
    parent = tmp_path / 'parent'
    parent.mkdir()
    out = parent / 'data'
    with pytest.raises(RuntimeError, match='disk on fire'):
        generate_dataset(str(out), num_train=3, num_val=1, spec=SMALL)
    assert len(calls) == 2
    assert os.listdir(parent) == []  # neither out nor a temporary folder
    monkeypatch.setattr(writer_module, 'scan_scene', real_scan)
    generate_dataset(str(out), num_train=1, num_val=1, spec=SMALL)
    assert os.listdir(parent) == ['data']


def test_progress_wraps_every_scan(tmp_path):
    seen = []

    def progress(jobs):
        jobs = list(jobs)
        seen.extend(jobs)
        return jobs

    generate_dataset(str(tmp_path / 'd'), 2, 1, spec=SMALL, progress=progress)
    assert [(split, seq) for split, seq, _ in seen] == [('train', '00'),
                                                        ('train', '00'),
                                                        ('val', '08')]


# ------------------------------------------------------------------- CLI


def _cli():
    spec = importlib.util.spec_from_file_location(
        'generate_synthetic', REPO / 'tools' / 'generate_synthetic.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_cli_generates_then_is_a_no_op(tmp_path, capsys):
    main = _cli()
    out = tmp_path / 'cli'
    argv = [
        '--out',
        str(out), '--num-scenes', '1', '--val-scenes', '1', '--seed', '3'
    ]
    assert main(argv) == 0
    marker = read_marker(str(out))
    assert (marker['num_train'], marker['num_val'], marker['seed']) == (1, 1,
                                                                        3)
    assert '1 train + 1 val' in capsys.readouterr().out
    assert main(argv) == 0


def test_cli_mismatch_returns_2(dataset, capsys):
    main = _cli()
    out, settings = dataset
    code = main([
        '--out',
        str(out), '--num-scenes', '2', '--val-scenes', '1', '--seed', '7'
    ])  # default sensor differs
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith('error:') and str(out) in err
    assert read_marker(str(out)) == settings

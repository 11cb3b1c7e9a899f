"""Write synthetic scans in the SemanticKITTI layout mmdet3d reads.

Layout under ``out``::

    sequences/00/velodyne/000000.bin   float32 (x, y, z, intensity)
    sequences/00/labels/000000.label   uint32 raw SemanticKITTI ids
    sequences/00/boxes/000000.npy      (M, 8) object boxes + raw id
    semantickitti_infos_train.pkl      mmdet3d v2 info files
    semantickitti_infos_val.pkl
    semantickitti_infos_test.pkl       only with num_test (sequence 11)
    dos_synthetic.json                 generator version and settings

The dataset is built in a sibling temporary folder and renamed into place
when complete, so an interrupted run never leaves a folder that looks
finished.
"""
import json
import os
import os.path as osp
import pickle
from typing import Callable, Optional

import numpy as np

from dos_mm.utils.atomic_write import atomic_path
from .layouts import sample_scene
from .lidar import LidarSpec, scan_scene

# 2: 24 classes, four layouts, per-object materials with incidence, boxes
# of every object with their point counts
GENERATOR_VERSION = 2
MARKER = 'dos_synthetic.json'
SPLITS = (('train', '00'), ('val', '08'), ('test', '11'))


def read_marker(out: str) -> Optional[dict]:
    """The settings a finished dataset in ``out`` was made with, if any."""
    path = osp.join(out, MARKER)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def _write_scan(root: str, seq: str, idx: int, points: np.ndarray,
                labels: np.ndarray, boxes: np.ndarray, instance: np.ndarray,
                layout: str) -> dict:
    rel = {
        k: f'sequences/{seq}/{k}/{idx:06d}'
        for k in ('velodyne', 'labels', 'boxes')
    }
    for key in rel:
        os.makedirs(osp.join(root, osp.dirname(rel[key])), exist_ok=True)
    points.astype(np.float32).tofile(osp.join(root, rel['velodyne'] + '.bin'))
    labels.astype(np.uint32).tofile(osp.join(root, rel['labels'] + '.label'))
    np.save(osp.join(root, rel['boxes'] + '.npy'), boxes)
    counts = np.bincount(instance[instance >= 0], minlength=len(boxes))
    return dict(
        sample_id=f'{seq}{idx:06d}',
        layout=layout,
        lidar_points=dict(
            num_pts_feats=4, lidar_path=rel['velodyne'] + '.bin'),
        pts_semantic_mask_path=rel['labels'] + '.label',
        instances=[
            dict(
                bbox_3d=b[:7].tolist(),
                bbox_label_3d=int(b[7]),
                num_lidar_pts=int(n)) for b, n in zip(boxes, counts)
        ])


def generate_dataset(out: str,
                     num_train: int,
                     num_val: int,
                     seed: int = 0,
                     spec: LidarSpec = LidarSpec(),
                     progress: Optional[Callable] = None,
                     num_test: int = 0) -> dict:
    """Generate ``num_train + num_val (+ num_test)`` scans into ``out``.

    The scans are drawn in the order train, val, test from one seeded
    stream, so adding a test split leaves the train and val scans as they
    are.

    Args:
        out (str): dataset folder; must not hold another generator's data.
        num_train (int): training scans (sequence 00).
        num_val (int): validation scans (sequence 08).
        seed (int): seed of the whole dataset.
        spec (LidarSpec): sensor.
        progress (callable, optional): wraps an iterable (e.g. tqdm).
        num_test (int): test scans (sequence 11), the split a protocol
            scores once its choices are fixed on val; 0 writes none (and
            leaves ``num_test`` out of the settings, so folders written
            before the split existed still match).

    Returns:
        dict: the settings written to ``dos_synthetic.json``.

    Raises:
        ValueError: bad counts, or ``out`` holds a dataset made with other
            settings or by another generator version.
        OSError: ``out``'s parent is not writable.
    """
    if num_train < 1 or num_val < 1 or num_test < 0:
        raise ValueError(f'need at least 1 train and 1 val scan and no '
                         f'negative count, got num_train={num_train}, '
                         f'num_val={num_val}, num_test={num_test}')
    settings = dict(
        generator_version=GENERATOR_VERSION,
        seed=seed,
        num_train=num_train,
        num_val=num_val,
        lidar=spec.__dict__)
    if num_test:
        settings['num_test'] = num_test
    existing = read_marker(out)
    if existing == json.loads(json.dumps(settings)):
        return existing
    if existing is not None or (osp.isdir(out) and os.listdir(out)):
        raise ValueError(
            f'{out} already holds other data ({existing or "no marker"}); '
            f'wanted {settings}. Fix: remove it or choose another --out.')
    parent = osp.dirname(osp.abspath(out))
    os.makedirs(parent, exist_ok=True)
    if not os.access(parent, os.W_OK):
        raise OSError(f'cannot write into {parent}. Fix: choose a writable '
                      '--out.')
    with atomic_path(out) as tmp:
        os.makedirs(tmp, exist_ok=True)
        rng = np.random.default_rng(seed)
        jobs = [(split, seq, i)
                for (split,
                     seq), n in zip(SPLITS, (num_train, num_val, num_test))
                for i in range(n)]
        infos = {split: [] for split, seq, _ in jobs}
        for split, seq, i in (progress(jobs) if progress else jobs):
            scene = sample_scene(rng)
            points, labels, instance = scan_scene(
                scene, spec, rng, return_instances=True)
            infos[split].append(
                _write_scan(tmp, seq, i, points, labels, scene.object_boxes(),
                            instance, scene.ground.layout))
        for split, data_list in infos.items():
            with open(osp.join(tmp, f'semantickitti_infos_{split}.pkl'),
                      'wb') as f:
                pickle.dump(
                    dict(
                        metainfo=dict(DATASET='SemanticKITTI'),
                        data_list=data_list), f)
        with open(osp.join(tmp, MARKER), 'w') as f:
            json.dump(settings, f, indent=2)
        if osp.isdir(out):
            os.rmdir(out)  # empty, checked above
    return read_marker(out)

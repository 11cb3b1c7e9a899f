"""Linear probe and the probe protocol."""
import numpy as np
import pytest
import torch

from dos_mm.datasets.synthetic import CLASSES
from dos_mm.evaluation import ProbeConfig, fit_linear_probe, predict
from dos_mm.experiments.probe_protocol import load_infos, load_scan


def test_probe_separates_linearly_separable_classes():
    g = torch.Generator().manual_seed(0)
    centres = torch.randn(3, 8, generator=g) * 4
    labels = torch.randint(0, 3, (600, ), generator=g)
    feats = centres[labels] + torch.randn(600, 8, generator=g) * 0.3
    probe = fit_linear_probe(feats, labels, 3, ProbeConfig(epochs=100))
    pred, conf = predict(probe, feats)
    assert (pred == labels).float().mean() > 0.98
    assert ((conf > 0) & (conf <= 1)).all()


def test_probe_standardises_with_training_statistics():
    feats = torch.tensor([[0.0, 10.0], [2.0, 30.0]])
    probe = fit_linear_probe(feats, torch.tensor([0, 1]), 2,
                             ProbeConfig(epochs=1))
    assert torch.allclose(probe.mean, torch.tensor([1.0, 20.0]))


def test_probe_rejects_bad_labels():
    with pytest.raises(ValueError, match=r'labels must lie in \[0, 2\)'):
        fit_linear_probe(torch.zeros(2, 3), torch.tensor([0, 2]), 2)
    with pytest.raises(ValueError, match='as many labels'):
        fit_linear_probe(torch.zeros(2, 3), torch.tensor([0]), 2)


def test_load_scan_maps_raw_ids_and_rejects_truncated_files(synthetic_root):
    raw_to_class = {c.raw_id: i for i, c in enumerate(CLASSES)}
    info = load_infos(str(synthetic_root), 'train')[0]
    points, labels = load_scan(str(synthetic_root), info, raw_to_class)
    assert points.shape[1] == 4 and len(points) == len(labels)
    assert set(labels.unique().tolist()) <= set(range(len(CLASSES)))
    # a truncated copy: not a multiple of 16 bytes
    bad = synthetic_root.parent / 'bad'
    (bad / 'sequences/00/velodyne').mkdir(parents=True, exist_ok=True)
    raw = np.fromfile(synthetic_root / info['lidar_points']['lidar_path'],
                      np.uint8)
    raw[:-3].tofile(bad / info['lidar_points']['lidar_path'])
    with pytest.raises(ValueError, match='not a multiple of 16'):
        load_scan(str(bad), info, raw_to_class)


def test_missing_info_file_names_the_path(tmp_path):
    with pytest.raises(ValueError, match='semantickitti_infos_val.pkl'):
        load_infos(str(tmp_path), 'val')

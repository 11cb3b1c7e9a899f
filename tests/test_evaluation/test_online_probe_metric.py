"""OnlineProbeMetric: hand-computed cases for the probe and the
prototypes, its inputs checked."""
import numpy as np
import pytest
import torch

from dos_mm.evaluation.metrics import OnlineProbeMetric

CLASSES = ('a', 'b', 'c')


def scan_sample(labels, prototypes, role, name, seed=0):
    """A data sample as ``DOS.predict`` returns it (``to_dict``-ed): one
    cell per point, features that name the class (one-hot plus noise)."""
    labels = torch.as_tensor(labels)
    gen = torch.Generator().manual_seed(seed)
    known = labels.clamp(max=len(CLASSES) - 1)
    feats = torch.nn.functional.one_hot(known, len(CLASSES)).float()
    feats = feats + 0.01 * torch.randn(feats.shape, generator=gen)
    n = len(labels)
    return dict(
        probe_role=role,
        lidar_path=name,
        point_rows=torch.arange(n),
        point_cell=torch.arange(n),
        cell_feats=feats,
        cell_prototype=torch.as_tensor(prototypes),
        gt_pts_seg=dict(pts_semantic_mask=labels))


def evaluate(samples, **kwargs):
    metric = OnlineProbeMetric(probe=dict(epochs=200), **kwargs)
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


FIT = [0] * 6 + [1] * 3 + [2] * 1  # class a is the majority
HELD = [0] * 6 + [1] * 3 + [2] * 1


def test_a_perfect_assignment_scores_100_and_nmi_1():
    out = evaluate([
        scan_sample(FIT, FIT, 'fit', 'f0'),
        scan_sample(HELD, HELD, 'held_out', 'h0', seed=1)
    ])
    assert out['miou'] == pytest.approx(100)
    assert out['proto_many_to_one_miou'] == pytest.approx(100)
    assert out['proto_one_to_one_miou'] == pytest.approx(100)
    assert out['nmi'] == pytest.approx(1.0)
    assert out['prototypes_in_use'] == 3


def test_a_constant_assignment_scores_the_documented_floor():
    out = evaluate([
        scan_sample(FIT, [5] * len(FIT), 'fit', 'f0'),
        scan_sample(HELD, [5] * len(HELD), 'held_out', 'h0', seed=1)
    ],
                   num_prototypes=8)
    # prototype 5 -> class a (fit majority): IoU(a) = 6 / 10, b and c 0
    floor = 100 * (6 / 10) / 3
    assert out['proto_many_to_one_miou'] == pytest.approx(floor)
    assert out['proto_one_to_one_miou'] == pytest.approx(floor)
    assert out['nmi'] == pytest.approx(0.0)
    assert out['prototypes_in_use'] == 1


def test_mapping_is_fitted_on_the_fit_scans_only():
    # fit scan: prototype 0 is class b; held-out: prototype 0 on class a
    fit = scan_sample([1, 1, 2], [0, 0, 1], 'fit', 'f0')
    held = scan_sample([0, 0, 2], [0, 0, 1], 'held_out', 'h0')
    out = evaluate([fit, held])
    # 0 -> b is wrong on every held-out point of a; 1 -> c is right
    # IoU: a 0, b 0, c 100
    assert out['proto_many_to_one_miou'] == pytest.approx(100 / 3)


def test_ignored_labels_and_head_tail_split():
    ignore = len(CLASSES)  # mmdet3d's ignore index
    held = HELD + [ignore] * 5
    out = evaluate([
        scan_sample(FIT, FIT, 'fit', 'f0'),
        scan_sample(held, held, 'held_out', 'h0', seed=1)
    ],
                   head_classes=['a'])
    assert out['proto_many_to_one_miou'] == pytest.approx(100)
    assert out['head_miou'] == pytest.approx(100)
    assert out['tail_miou'] == pytest.approx(100)
    assert out['prototypes_in_use'] == 4  # the ignored points' prototype


def test_held_out_points_are_sampled_by_scan_not_by_process():
    held = scan_sample(HELD * 50, HELD * 50, 'held_out', 'h0', seed=1)
    a, b = OnlineProbeMetric(score_points_per_scan=40), \
        OnlineProbeMetric(score_points_per_scan=40)
    for m in (a, b):
        m.dataset_meta = dict(classes=CLASSES)
    a.process({}, [scan_sample(FIT, FIT, 'fit', 'x'), held])
    b.process({}, [held])  # another process, another order
    assert len(a.results[1]['labels']) == 40
    assert torch.equal(a.results[1]['labels'], b.results[0]['labels'])
    assert len(a.results[1]['winners']) == 500  # the mapping: every point


def test_samples_without_a_role_or_a_fit_set_are_refused():
    metric = OnlineProbeMetric()
    metric.dataset_meta = dict(classes=CLASSES)
    sample = scan_sample(FIT, FIT, 'fit', 'f0')
    del sample['probe_role']
    with pytest.raises(ValueError, match='ProbeSplits'):
        metric.process({}, [sample])
    with pytest.raises(ValueError, match='both are needed'):
        evaluate([scan_sample(HELD, HELD, 'held_out', 'h0')])


def test_probe_reads_the_features_not_the_prototypes():
    # prototypes say nothing (constant), the features name the class
    out = evaluate([
        scan_sample(FIT * 3, [0] * 30, 'fit', 'f0'),
        scan_sample(HELD, [0] * 10, 'held_out', 'h0', seed=1)
    ])
    assert out['miou'] == pytest.approx(100)
    assert out['proto_many_to_one_miou'] < 30
    assert np.isfinite(out['acc'])


def test_head_classes_must_be_classes_of_the_dataset():
    with pytest.raises(ValueError, match=r"\['terrain'\] are not classes"):
        evaluate([
            scan_sample(FIT, FIT, 'fit', 'f0'),
            scan_sample(HELD, HELD, 'held_out', 'h0')
        ],
                 head_classes=['a', 'terrain'])

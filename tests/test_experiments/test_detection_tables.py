"""The detection benchmark's summary: paired differences for every
comparison (mAP and per class), one seed never resolved, the tables."""
import pytest

from dos_mm.experiments import detection_protocol as det
from dos_mm.experiments import detection_tables as tables


def det_run(arm, seed, value, fraction=0.05, iters=300, lr=2e-3):
    """One run's record as the benchmark writes it (car AP = 2 x mAP)."""
    return dict(
        arm=arm,
        seed=seed,
        fraction=fraction,
        map=value,
        ap=dict(car=value * 2),
        labelled=5,
        iters=iters,
        lr=lr)


def test_summary_pairs_every_comparison_by_seed():
    runs = []
    for seed, base in enumerate([5.0, 7.0, 6.0]):
        runs += [
            det_run('scratch', seed, base),
            det_run('dos', seed, base + 1.0 + 0.1 * seed),
            det_run('dos_ft', seed, base - 0.5),
            det_run('dos_frozen', seed, 3.0 + seed),
            det_run('random_frozen', seed, 1.0 + seed),
        ]
    runs.append(det_run('dos', 9, 50.0))  # no scratch for seed 9: not paired
    part = tables.summarise(runs)['0.05']
    assert set(part['diffs']) == {f'{a} - {b}' for a, b in det.COMPARISONS}
    dos = part['diffs']['dos - scratch']
    assert dos['seeds'] == [0, 1, 2]
    assert dos['per_seed'] == pytest.approx([1.0, 1.1, 1.2])
    assert dos['resolved'] and dos['low'] > 0
    frozen = part['diffs']['dos_frozen - random_frozen']
    assert frozen['per_seed'] == [2.0, 2.0, 2.0] and frozen['resolved']
    assert part['arms']['dos']['n'] == 4
    assert part['arms']['scratch']['ap']['car']['mean'] == pytest.approx(12.0)
    md = tables.to_markdown(tables.summarise(runs))
    assert 'dos_frozen - random_frozen' in md and 'resolved' in md


def test_class_differences_pair_each_class_by_seed():
    runs = []
    for seed, base in enumerate([5.0, 7.0, 6.0]):
        runs += [
            det_run('scratch', seed, base),
            det_run('dos', seed, base + seed)
        ]
    runs[0]['ap']['bus'] = 1.0  # bus in scratch's seed 0 only: not paired
    runs[0]['ap']['truck'], runs[1]['ap']['truck'] = 3.0, 4.0  # seed 0
    part = tables.summarise(runs)['0.05']
    car = part['class_diffs']['dos - scratch']['car']
    assert car['seeds'] == [0, 1, 2]
    assert car['per_seed'] == pytest.approx([0.0, 2.0, 4.0])  # 2 x mAP's
    truck = part['class_diffs']['dos - scratch']['truck']
    assert truck['per_seed'] == [1.0] and not truck['resolved']
    assert 'bus' not in part['class_diffs']['dos - scratch']
    md = tables.to_markdown(tables.summarise(runs))
    assert '| 5% | dos - scratch | +2.0 (' in md
    assert '+1.0 (one seed, no interval)' in md


def test_one_seed_is_never_resolved():
    runs = [det_run('scratch', 0, 1.0), det_run('dos', 0, 9.0)]
    d = tables.summarise(runs)['0.05']['diffs']['dos - scratch']
    assert d['n'] == 1 and not d['resolved']
    assert '(one seed)' in tables.to_markdown(tables.summarise(runs))

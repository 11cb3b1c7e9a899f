"""tools/benchmark_speed.py: the measurements and their report."""
import json
import subprocess
import sys

import pytest
import torch

from dos_mm.experiments.speed import (RANGES, _channels, build, make_steps,
                                      measure_scaling, peak_allocated_mb,
                                      profiled_parts, synthetic_scans)
from dos_mm.experiments.speed_report import to_markdown
from ..conftest import REPO


def test_scaling_rows_cover_every_size_and_k():
    rows = measure_scaling((200, 400), (8, 16), 'cpu', reps=1)
    assert [(r['cells'], r['prototypes'])
            for r in rows] == [(200, 8), (400, 8), (200, 16), (400, 16)]
    assert all(r['ms'] > 0 for r in rows)


def test_markdown_marks_met_and_missed_targets():
    result = dict(
        device='cpu',
        threads=2,
        config='c.py',
        batch=2,
        points_per_scan=10,
        steps=dict(dos_s=3.0, supervised_s=1.0),
        memory=dict(dos_mb=30.0, supervised_mb=10.0),
        step_time_ratio=3.0,
        target_share=0.05,
        peak_memory_ratio=3.0,
        pipeline_ms_per_scan=10.0,
        scaling=[dict(cells=10, prototypes=4, ms=1.0)])
    table = to_markdown(result)
    assert '| step time DOS / supervised | 3.00 | <= 1.60 | no |' in table
    assert '| target generation share of the DOS step | 5.0% | <= 10.0% ' \
        '| yes |' in table
    assert '| DOS | 3.00 | 0.67 | 30 |' in table
    for absent in ('projector hidden', 'network passes alone', 'profiled'):
        assert absent not in table
    result['projector_variant'] = dict(
        projector_hidden=512,
        step_time_ratio=2.0,
        peak_memory_ratio=2.5,
        target_share=0.07,
        steps=dict(dos_s=2.0),
        dos_mb=25.0)
    assert '| 512 | 2.00 | nan | 2.50 | 7.0% | 2.00 | 25 |' \
        in to_markdown(result)
    result.update(floor_step_time_ratio=1.5, dos_over_floor=2.0)
    result['steps']['passes_s'] = 1.5
    result['memory']['passes_mb'] = 12.0
    table = to_markdown(result)
    assert '| network passes alone | 1.50 | 1.33 | 12 |' in table
    assert '| 1.50 | 2.00 |' in table
    result['steps'].update(
        profiled_s=4.0,
        targets_s=0.5,
        sinkhorn_s=0.2,
        loss_call_s=0.3,
        softmaps_s=0.1,
        matching_s=0.02)
    table = to_markdown(result)
    assert '| part of the profiled DOS step (4.00 s) | s | share |' in table
    assert '| `DOSHead.targets` | 0.500 | 12.5% |' in table
    assert '| `DOS.match_views` | 0.020 | 0.5% |' in table
    assert 'backbone (config)' not in table
    result['backbones'] = [
        dict(
            backbone='SparseEncoder',
            config='a.py',
            dos_s=3.0,
            supervised_s=1.0,
            step_time_ratio=3.0,
            dos_mb=30.0),
        dict(
            backbone='PointTransformerV3',
            config='b.py',
            dos_s=2.0,
            supervised_s=0.5,
            step_time_ratio=4.0,
            dos_mb=20.0)
    ]
    table = to_markdown(result)
    assert '| SparseEncoder (a.py) | 3.00 | 1.00 | 3.00 | 30 |' in table
    assert '| PointTransformerV3 (b.py) | 2.00 | 0.50 | 4.00 | 20 |' in table


def test_profiled_parts_read_the_ranges_of_a_dos_step():
    """Every part the benchmark reports is a record_function range that a
    DOS step enters: a renamed or removed range would read 0 s."""
    model = build(
        str(REPO / 'tests' / 'data' / 'configs' / 'dos_tiny.py'), 'cpu')
    scans = synthetic_scans(2, 3000, _channels(model))
    dos_step, _, _ = make_steps(model, scans, 'cpu')
    dos_step()
    parts = profiled_parts(dos_step, 'cpu')
    assert set(parts) == {'profiled_s', *RANGES}
    assert all(parts[part] > 0 for part in RANGES), parts
    assert parts['sinkhorn'] < parts['targets'] < parts['profiled_s']
    assert parts['softmaps'] < parts['loss_call']


def test_peak_allocated_counts_tensors_alive_at_once():
    """Three 8 MB tensors alive together, then freed: the peak is 24 MB,
    whatever was allocated before the step."""
    before = torch.ones(2**21)  # noqa: F841 (held across the step)

    def step():
        parts = [torch.ones(2**21) for _ in range(3)]
        del parts
        for _ in range(3):  # one at a time: no new peak
            torch.ones(2**21)

    assert peak_allocated_mb(step, 'cpu') == pytest.approx(24, abs=0.5)


def test_passes_step_runs_the_network_without_targets(monkeypatch):
    """The floor step trains the student and moves the teacher, and never
    calls the target generator or the loss."""
    model = build(str(REPO / 'configs' / 'dos' / 'pretrain_demo.py'), 'cpu')
    scans = synthetic_scans(2, 3000, _channels(model))
    _, _, passes_step = make_steps(model, scans, 'cpu')
    called = []
    model.head.target.register_forward_hook(lambda *a: called.append('target'))
    model.head.loss_module.register_forward_hook(
        lambda *a: called.append('loss'))
    before = [p.detach().clone() for p in model.student.parameters()]
    teacher = [p.detach().clone() for p in model.teacher.parameters()]
    passes_step()
    assert not called
    assert any(not torch.equal(a, p)
               for a, p in zip(before, model.student.parameters()))
    assert any(not torch.equal(a, p)
               for a, p in zip(teacher, model.teacher.parameters()))


@pytest.mark.slow
def test_quick_benchmark_writes_the_documented_keys(tmp_path):
    out = tmp_path / 'speed.json'
    subprocess.run([
        sys.executable,
        str(REPO / 'tools' / 'benchmark_speed.py'), '--quick', '--out',
        str(out)
    ],
                   check=True,
                   capture_output=True)
    result = json.loads(out.read_text())
    for key in ('step_time_ratio', 'target_share', 'peak_memory_ratio',
                'pipeline_ms_per_scan', 'scaling'):
        assert key in result
    assert (tmp_path / 'speed.md').exists()


def test_ptv3_row_measures_a_dos_step_of_the_small_ptv3():
    """The backbone table's PTv3 row: the speed harness runs the demo's
    PTv3 config (small scans here)."""
    from dos_mm.experiments.speed import measure_steps
    from dos_mm.experiments.speed_benchmark import backbone_row
    config = str(REPO / 'configs/dos/pretrain_demo_ptv3.py')
    row = backbone_row(config, measure_steps(config, 3000, 1, 1, 'cpu'))
    assert row['backbone'] == 'PointTransformerV3'
    assert row['dos_s'] > 0 and row['supervised_s'] > 0
    assert row['dos_mb'] > 0

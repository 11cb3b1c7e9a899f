"""tools/benchmark_speed.py: the measurements and their report."""
import json
import subprocess
import sys

import pytest

from dos_mm.benchmark.speed import measure_scaling, to_markdown
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
    assert 'projector' not in table
    result['projector_variant'] = dict(
        projector_hidden=512,
        step_time_ratio=2.0,
        peak_memory_ratio=2.5,
        target_share=0.07,
        steps=dict(dos_s=2.0),
        dos_mb=25.0)
    assert 'With a 512-wide projector instead: step time ratio 2.00, peak ' \
        'memory ratio 2.50' in to_markdown(result)


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

"""The CUDA smoke rows (tools/cuda_smoke.py): says "no GPU" here and exits
0; its sync row runs as a CPU dry run, so the GPU run does not meet its
first bug on the GPU (the parity checks are tests/test_device)."""

import pytest
import torch

from dos_mm.experiments import cuda_smoke


@pytest.mark.skipif(torch.cuda.is_available(), reason='a GPU is present')
def test_no_gpu_says_so_and_exits_cleanly(capsys, tmp_path):
    assert cuda_smoke.main(['--out', str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert 'no GPU' in out and torch.__version__ in out
    assert not any(tmp_path.iterdir())  # nothing half-written


def test_sync_row_dry_runs_on_cpu(tmp_path):
    args = cuda_smoke.parse_args(['--out', str(tmp_path), '--device', 'cpu'])
    result = cuda_smoke.RUNS['syncs'](args)
    assert 0 < result['sync_counter'] < 400
    assert result['cuda_sync_debug'] is None


def test_markdown_marks_failures():
    md = cuda_smoke.to_markdown([
        dict(check='env', ok=True, seconds=1.0, result={}),
        dict(check='spconv', ok=False, seconds=2.0, result='AssertionError')
    ])
    assert '| spconv | NO |' in md and '| env | yes |' in md

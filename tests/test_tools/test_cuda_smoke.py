"""tools/cuda_smoke.py: says "no GPU" here and exits 0; its kernel, spconv
and sync rows run (as a CPU dry run against themselves) so the GPU run does
not meet its first bug on the GPU."""
import sys

import pytest
import torch

from ..conftest import REPO

sys.path.insert(0, str(REPO / 'tools'))
import cuda_smoke  # noqa: E402


@pytest.mark.skipif(torch.cuda.is_available(), reason='a GPU is present')
def test_no_gpu_says_so_and_exits_cleanly(capsys, tmp_path):
    assert cuda_smoke.main(['--out', str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert 'no GPU' in out and torch.__version__ in out
    assert not any(tmp_path.iterdir())  # nothing half-written


@pytest.mark.parametrize('name', ['kernels', 'spconv', 'ptv3', 'syncs'])
def test_rows_dry_run_on_cpu(name, tmp_path):
    import dos_mm  # noqa: F401
    args = cuda_smoke.parse_args(['--out', str(tmp_path), '--device', 'cpu'])
    result = cuda_smoke.RUNS[name](args)
    assert result
    if name == 'syncs':
        assert 0 < result['sync_counter'] < 400
    if name == 'kernels':
        assert all(v == 0.0 for v in result.values())  # CPU against CPU
    if name == 'ptv3':
        assert result['fp32'] == 0.0 and result['bf16_backward_finite']


def test_markdown_marks_failures():
    md = cuda_smoke.to_markdown([
        dict(check='env', ok=True, seconds=1.0, result={}),
        dict(check='spconv', ok=False, seconds=2.0, result='AssertionError')
    ])
    assert '| spconv | NO |' in md and '| env | yes |' in md

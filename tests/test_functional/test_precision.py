"""float32_island: full float32 inside, the caller's precision after."""
import importlib

import pytest
import torch

from dos_mm.functional import zipf_prior
from dos_mm.functional.precision import float32_island

# the module (the package exports a function of the same name)
zs = importlib.import_module('dos_mm.functional.zipf_sinkhorn')


@pytest.fixture
def tf32_allowed():
    torch.set_float32_matmul_precision('high')
    yield
    torch.set_float32_matmul_precision('highest')


def test_island_is_full_float32_and_restores(tf32_allowed):
    with torch.autocast('cpu', dtype=torch.bfloat16):
        with float32_island('cpu'):
            assert torch.get_float32_matmul_precision() == 'highest'
            assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
        assert torch.get_float32_matmul_precision() == 'high'
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    with pytest.raises(RuntimeError):
        with float32_island('cpu'):
            raise RuntimeError
    assert torch.get_float32_matmul_precision() == 'high'


def test_sinkhorn_runs_in_the_island(tf32_allowed, monkeypatch):
    seen = []
    count = zs.global_count
    monkeypatch.setattr(
        zs, 'global_count', lambda *a:
        (seen.append(torch.get_float32_matmul_precision()), count(*a))[1])
    zs.zipf_sinkhorn(torch.randn(50, 8), zipf_prior(8, 1.3))
    assert seen == ['highest']
    assert torch.get_float32_matmul_precision() == 'high'


def test_island_leaves_default_backend_flags_alone():
    """At the default precision the island sets nothing: setting 'highest'
    would pin oneDNN's fp32 precision, changing the kernels of everything
    after the first island (exact resume broke on it). A fresh process,
    since other tests set the precision."""
    import subprocess
    import sys
    code = (
        'import torch\n'
        'from dos_mm.functional.precision import float32_island\n'
        'get = lambda: (torch.backends.mkldnn.matmul.fp32_precision if '
        'hasattr(torch.backends.mkldnn, "matmul") else None)\n'
        'before = get()\n'
        'with float32_island("cpu"):\n'
        '    pass\n'
        'assert get() == before, (before, get())\n')
    proc = subprocess.run([sys.executable, '-c', code],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]

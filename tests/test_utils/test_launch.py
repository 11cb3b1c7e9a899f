"""setup_launch on a CUDA machine (stubbed): TF32 by default, pinned
loader memory; on CPU neither."""
import pytest
import torch
from mmengine.config import Config

from dos_mm.utils import setup_launch


@pytest.fixture(autouse=True)
def restore_precision():
    yield
    torch.set_float32_matmul_precision('highest')


def config(**extra):
    return Config(dict(train_dataloader=dict(batch_size=2), **extra))


def test_cuda_allows_tf32_and_pins_memory(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = config()
    setup_launch(cfg, threads=1)
    assert torch.get_float32_matmul_precision() == 'high'
    assert cfg.train_dataloader.pin_memory is True
    cfg = config(allow_tf32=False)
    cfg.train_dataloader.pin_memory = False
    setup_launch(cfg, threads=1)
    assert torch.get_float32_matmul_precision() == 'highest'
    assert cfg.train_dataloader.pin_memory is False  # the config's word


def test_cpu_keeps_full_float32_and_gloo(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cfg = config()
    setup_launch(cfg, threads=1)
    assert torch.get_float32_matmul_precision() == 'highest'
    assert 'pin_memory' not in cfg.train_dataloader
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'


def test_end_launch_closes_the_process_group(tmp_path):
    import torch.distributed as dist

    from dos_mm.utils import end_launch
    end_launch()  # no group: nothing to do
    dist.init_process_group(
        'gloo', init_method=f'file://{tmp_path / "store"}', rank=0,
        world_size=1)
    try:
        end_launch()
        assert not dist.is_initialized()
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()

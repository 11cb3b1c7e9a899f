"""mmengine checkpoints are written atomically on local disks."""
import pytest
import torch
from mmengine.runner import checkpoint as mm_ckpt
from mmengine.runner import runner as mm_runner

import dos_mm  # noqa: F401  (applies the patch)


def test_the_runner_uses_the_atomic_writer():
    assert mm_runner.save_checkpoint is mm_ckpt.save_checkpoint
    assert mm_ckpt.save_checkpoint.__name__ == '_atomic_save_checkpoint'


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(
        tmp_path, monkeypatch):
    path = tmp_path / 'iter_1.pth'
    mm_ckpt.save_checkpoint(dict(state_dict=dict(w=torch.ones(3))), str(path))
    good = path.read_bytes()

    def disk_full(obj, f, *args, **kwargs):
        f.write(b'PK partial')
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(torch, 'save', disk_full)
    with pytest.raises(OSError, match='No space left'):
        mm_ckpt.save_checkpoint(
            dict(state_dict=dict(w=torch.zeros(3))), str(path))
    assert path.read_bytes() == good  # the complete checkpoint survives
    assert sorted(p.name for p in tmp_path.iterdir()) == ['iter_1.pth']
    with pytest.raises(OSError):
        mm_ckpt.save_checkpoint(dict(w=1), str(tmp_path / 'iter_2.pth'))
    assert not (tmp_path / 'iter_2.pth').exists()  # never half-written

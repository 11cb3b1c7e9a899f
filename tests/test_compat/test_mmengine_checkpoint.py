"""mmengine loads its own checkpoints under torch >= 2.6."""
import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import checkpoint as mm_ckpt

from dos_mm.compat import mmengine_checkpoint as fix

NEW_TORCH = fix._torch_load_accepts_weights_only()


def write(path):
    torch.save(
        dict(
            state_dict=dict(w=torch.ones(2)),
            message_hub=dict(loss=HistoryBuffer([1.0, 2.0], [1, 1])),
            meta=dict(seed=np.int64(3), arr=np.arange(3))), path)


def test_resume_style_load_works(tmp_path):
    path = tmp_path / 'iter_1.pth'
    write(path)
    ckpt = mm_ckpt._load_checkpoint(str(path), map_location='cpu')
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    assert ckpt['meta']['arr'].tolist() == [0, 1, 2]


@pytest.mark.skipif(not NEW_TORCH, reason='torch < 2.6 loads everything')
def test_without_the_fix_mmengine_cannot_load(tmp_path, monkeypatch):
    path = tmp_path / 'iter_1.pth'
    write(path)
    schemes = dict(mm_ckpt.CheckpointLoader._schemes)
    schemes[''] = mm_ckpt.load_from_local  # mmengine's original
    monkeypatch.setattr(mm_ckpt.CheckpointLoader, '_schemes', schemes)
    with pytest.raises(Exception, match='[Ww]eights only load failed'):
        mm_ckpt._load_checkpoint(str(path), map_location='cpu')


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        fix.load_from_local(str(tmp_path / 'nope.pth'))

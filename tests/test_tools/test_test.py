"""tools/test.py: a checkpoint that does not fit the config is refused
(issue 34, case 8), unless a partial load is asked for."""
import pytest
import torch
from mmdet3d.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from ..conftest import REPO, load_tool

test_tool = load_tool('test')

CONFIG = str(REPO / 'configs' / 'minkunet' /
             'minkunet34_w32_spconv_scratch_semantickitti.py')


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    """A backbone-only file (model tensors missing) and a file with a
    tensor the model lacks (a pretraining checkpoint's student, say)."""
    init_default_scope('mmdet3d')
    model = MODELS.build(Config.fromfile(CONFIG).model)
    out = tmp_path_factory.mktemp('ckpt')
    backbone = {
        f'backbone.{k}': v
        for k, v in model.backbone.state_dict().items()
    }
    torch.save(dict(state_dict=backbone), out / 'backbone.pth')
    extra = dict(model.state_dict(), **{'student.proj.weight': torch.ones(1)})
    torch.save(dict(state_dict=extra), out / 'extra.pth')
    return out


def run(path, root, work, *flags):
    return test_tool.main([
        CONFIG,
        str(path), '--work-dir',
        str(work), '--threads', '1', *flags, '--cfg-options',
        f'test_dataloader.dataset.data_root={root}/',
        'test_dataloader.dataset.ann_file=semantickitti_infos_val.pkl',
        'test_dataloader.num_workers=0'
    ])


@pytest.mark.parametrize(
    'name, match',
    [('backbone', r'2 of \d+ tensors missing .*decode_head.conv_seg'),
     ('extra', r"1 of its \d+ tensors are not in the model.*student")])
def test_a_checkpoint_that_does_not_fit_is_refused(checkpoints, synthetic_root,
                                                   tmp_path, name, match):
    with pytest.raises(ValueError, match=match) as err:
        run(checkpoints / f'{name}.pth', synthetic_root, tmp_path)
    assert '--allow-partial-checkpoint' in str(err.value)
    assert not list(tmp_path.glob('*/*.json'))  # no metric was written


def test_a_partial_load_is_allowed_when_asked_and_logged(
        checkpoints, synthetic_root, tmp_path):
    metrics = run(checkpoints / 'backbone.pth', synthetic_root, tmp_path,
                  '--allow-partial-checkpoint')
    assert 'miou' in metrics
    log = next(tmp_path.glob('*/*.log')).read_text()
    assert '2 of' in log and 'a partial load, allowed' in log


def test_a_missing_checkpoint_names_the_path(tmp_path):
    with pytest.raises(SystemExit, match=r"'nope\.pth' is not a file"):
        test_tool.main([CONFIG, 'nope.pth', '--work-dir', str(tmp_path)])

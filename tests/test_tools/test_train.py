"""tools/train.py runs real DOS pretraining steps on CPU."""
import json

import pytest
import torch

from ..conftest import REPO, TINY_CONFIG, load_tool


def run_train(work_dir, data_root, iters, *extra):
    load_tool('train').main([
        str(TINY_CONFIG), '--work-dir',
        str(work_dir), '--threads', '2', '--cfg-options',
        f'train_cfg.max_iters={iters}',
        f'train_dataloader.dataset.data_root={data_root}/',
        'default_hooks.checkpoint.interval=10', *extra
    ])


def logged(work_dir, key):
    files = sorted(work_dir.glob('*/vis_data/scalars.json'))
    rows = [json.loads(line) for f in files for line in open(f)]
    return [r[key] for r in rows if key in r]


def test_train_help(capsys):
    parse_args = load_tool('train').parse_args
    with pytest.raises(SystemExit):
        parse_args(['--help'])
    out = capsys.readouterr().out
    for flag in ('--work-dir', '--amp', '--resume', '--cfg-options',
                 '--launcher'):
        assert flag in out


@pytest.mark.slow
def test_pretraining_loss_is_finite_and_falls(tmp_path, synthetic_root):
    run_train(tmp_path, synthetic_root, 30)
    losses = logged(tmp_path, 'loss')
    assert len(losses) == 30
    assert all(map(torch.isfinite, torch.tensor(losses)))
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5
    # every schedule value is logged
    for key in ('teacher_temp', 'alpha', 'teacher_momentum', 'block_size',
                'mask_ratio', 'protos_in_use', 'visible_fraction'):
        assert len(logged(tmp_path, key)) == 30, key


def test_checkpoint_holds_student_teacher_and_state(tmp_path, synthetic_root):
    run_train(tmp_path, synthetic_root, 10)
    ckpt = torch.load(
        tmp_path / 'iter_10.pth', map_location='cpu', weights_only=False)
    keys = ckpt['state_dict'].keys()
    assert any(k.startswith('student.backbone.') for k in keys)
    assert any(k.startswith('teacher.module.backbone.') for k in keys)
    assert 'head.target.usage' in keys
    assert 'optimizer' in ckpt and ckpt['meta']['iter'] == 10
    # the teacher moved away from its initial copy but is not the student
    s = ckpt['state_dict']['student.head.prototypes.weight']
    t = ckpt['state_dict']['teacher.module.head.prototypes.weight']
    assert not torch.equal(s, t)
    # resuming continues from iteration 10
    run_train(tmp_path, synthetic_root, 12, '--resume')
    assert (tmp_path / 'iter_12.pth').exists() or len(
        logged(tmp_path, 'loss')) >= 12


@pytest.mark.parametrize('config, wrapper', [
    ('configs/dos/pretrain_demo.py', 'NonFiniteGuardAmpOptimWrapper'),
    ('configs/centerpoint/centerpoint_voxel01_scratch_synthetic-3d.py',
     'AmpOptimWrapper'),
])
def test_amp_keeps_the_guard_where_the_config_has_it(tmp_path, config,
                                                     wrapper):
    train = load_tool('train')
    build_cfg, parse_args = train.build_cfg, train.parse_args
    cfg = build_cfg(
        parse_args([str(REPO / config), '--amp', '--work-dir',
                    str(tmp_path)]))
    assert cfg.optim_wrapper.type == wrapper
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    if wrapper.startswith('NonFinite'):
        assert cfg.optim_wrapper.max_consecutive == 20

"""The pretrained-encoder recipe holds: stepping the real optimizer and
parameter schedulers of each config that uses it through its whole
schedule, the encoder's learning rate stays 0.1x the rest's at every
iteration; with mmdet3d's absolute eta_min it would not."""
import copy

import pytest
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import PARAM_SCHEDULERS, init_default_scope

from .conftest import REPO

CENTERPOINT = REPO / 'configs' / 'centerpoint'
RECIPE_CONFIGS = [
    'centerpoint_voxel01_dos-ft_nus-3d.py',
    'centerpoint_voxel01_dos-ft_waymo-3d.py',
    'centerpoint_voxel01_dos-ft_synthetic-3d.py',
]
EPOCH_LENGTH = 5  # iterations per epoch of the epoch-based schedules


def _schedulers(optim, cfg):
    out = []
    for sched in copy.deepcopy(cfg.param_scheduler):
        sched.pop('_scope_', None)
        kind = PARAM_SCHEDULERS.get(sched.pop('type'))
        if sched.pop('convert_to_iter_based', False):
            out.append(
                kind.build_iter_from_epoch(
                    optim, epoch_length=EPOCH_LENGTH, **sched))
        else:
            out.append(kind(optim, **sched))
    return out


def _run_length(cfg) -> int:
    if cfg.train_cfg.get('by_epoch', False) or 'max_epochs' in cfg.train_cfg:
        return cfg.train_cfg.max_epochs * EPOCH_LENGTH
    return cfg.train_cfg.max_iters


def _rate_ratios(cfg) -> list:
    """The encoder's rate over the rest's at every iteration."""
    from mmdet3d.registry import MODELS
    init_default_scope('mmdet3d')
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    names = {id(p): n for n, p in model.named_parameters()}
    schedulers = _schedulers(wrapper, cfg)
    ratios = []
    for _ in range(_run_length(cfg)):
        enc, rest = set(), set()
        for group in wrapper.param_groups:
            for p in group['params']:
                if id(p) not in names:
                    continue  # mmengine's base-rate record, no parameter
                (enc if names[id(p)].startswith('pts_middle_encoder') else
                 rest).add(group['lr'])
        assert len(enc) == 1 and len(rest) == 1, (enc, rest)
        ratios.append(enc.pop() / rest.pop())
        for sched in schedulers:
            sched.step()
    return ratios


@pytest.mark.parametrize('name', RECIPE_CONFIGS)
def test_encoder_rate_is_a_tenth_at_every_iteration(name):
    cfg = Config.fromfile(str(CENTERPOINT / name))
    ratios = _rate_ratios(cfg)
    assert len(ratios) >= 40
    assert ratios == pytest.approx([0.1] * len(ratios), rel=1e-6)
    hooks = {h['type']: h for h in cfg.custom_hooks}
    assert hooks['FreezeWarmupHook']['module'] == 'pts_middle_encoder'
    assert 'PreciseBNHook' in hooks


def test_absolute_eta_min_would_erase_the_multiplier():
    """The control: mmdet3d's cyclic schedule (absolute eta_min) under the
    same lr_mult ends with the encoder at the rate of the rest."""
    cfg = Config.fromfile(str(CENTERPOINT / RECIPE_CONFIGS[0]))
    mmdet3d_cfg = Config.fromfile(
        str(CENTERPOINT / 'centerpoint_voxel01_dos_nus-3d.py'))
    cfg.param_scheduler = mmdet3d_cfg.param_scheduler
    ratios = _rate_ratios(cfg)
    assert ratios[0] == pytest.approx(0.1)
    assert max(abs(r - 0.1) for r in ratios) > 0.05

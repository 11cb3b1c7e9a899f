"""Fitting an iteration-based parameter schedule to another run length."""
from pathlib import Path

import pytest
from mmengine.config import Config

from dos_mm.utils import rescale_param_schedulers

DEMO = Path(__file__).resolve().parents[2] / 'configs/dos/pretrain_demo.py'


def test_demo_schedule_halved_keeps_warmup_and_decay_shares():
    cfg = Config.fromfile(str(DEMO))
    assert cfg.train_cfg.max_iters == 400
    warm, cosine, decay = rescale_param_schedulers(cfg.param_scheduler, 400,
                                                   200)
    assert (warm['begin'], warm['end']) == (0, 10)  # 20 of 400 -> 10 of 200
    assert (cosine['begin'], cosine['end'], cosine['T_max']) == (10, 200, 190)
    assert (decay['end'], decay['T_max']) == (200, 200)
    assert decay['eta_min_ratio'] == cfg.param_scheduler[2]['eta_min_ratio']
    # the config is not changed in place
    assert cfg.param_scheduler[1]['end'] == 400


def test_bounds_past_the_run_and_tiny_warmups():
    sched = [
        dict(type='LinearLR', by_epoch=False, begin=0, end=3),
        dict(type='ConstantLR', by_epoch=False, begin=3, end=int(1e9)),
    ]
    warm, const = rescale_param_schedulers(sched, 400, 10)
    assert (warm['begin'], warm['end']) == (0, 1)  # keeps one step
    assert const['end'] == int(1e9)  # "to the end" stays so


def test_epoch_schedulers_and_bad_lengths_are_refused():
    with pytest.raises(ValueError, match='epochs.*by_epoch=False'):
        rescale_param_schedulers(
            dict(type='MultiStepLR', milestones=[8]), 400, 200)
    with pytest.raises(ValueError, match='>= 1'):
        rescale_param_schedulers([], 400, 0)


def test_max_iters_on_the_command_line_fits_the_schedulers():
    """Issue 34, case 9: ``--cfg-options train_cfg.max_iters=N`` (what
    tools/train.py passes to load_config) refits the schedulers as
    apis.pretrain(iters=N) does, and logs it; at N = 10 the rate no longer
    ends inside its warm-up."""
    import logging

    from mmengine.logging import MMLogger

    from dos_mm.utils import fit_run_length, load_config

    class Recorder(logging.Handler):

        def emit(self, record):
            messages.append(record.getMessage())

    messages = []
    MMLogger.get_instance('test_run_length_cli').addHandler(Recorder())
    cfg = load_config(str(DEMO), {'train_cfg.max_iters': 200})
    expected = Config.fromfile(str(DEMO))
    fit_run_length(expected, 200)
    assert cfg.param_scheduler == expected.param_scheduler
    assert cfg.param_scheduler[0]['end'] == 10
    assert any('refitted to the new length' in m for m in messages)
    short = load_config(str(DEMO), {'train_cfg.max_iters': 10})
    assert short.param_scheduler[0]['end'] <= 10
    assert short.param_scheduler[1]['end'] == 10
    same = load_config(str(DEMO), {'train_cfg.max_iters': 400})
    assert same.param_scheduler == Config.fromfile(str(DEMO)).param_scheduler


def test_the_online_probe_interval_scales_with_the_run():
    """The demo evaluates 4 times in 400 iterations; at another length it
    still does, and a run without validation keeps its interval."""
    from dos_mm.apis.pretrain import drop_validation
    from dos_mm.utils import fit_run_length
    cfg = Config.fromfile(str(DEMO))
    assert cfg.train_cfg.val_interval == 100
    fit_run_length(cfg, 2000)
    assert cfg.train_cfg.val_interval == 500
    fit_run_length(cfg, 2)
    assert cfg.train_cfg.val_interval == 1  # never 0
    quiet = Config.fromfile(str(DEMO))
    drop_validation(quiet)
    assert quiet.val_dataloader is None and quiet.val_cfg is None
    assert quiet.default_hooks.checkpoint.save_best is None
    fit_run_length(quiet, 2000)
    assert quiet.train_cfg.val_interval == 100


def test_the_command_line_scales_the_interval_unless_it_sets_it():
    from dos_mm.utils import load_config
    cfg = load_config(str(DEMO), {'train_cfg.max_iters': 4000})
    assert cfg.train_cfg.val_interval == 1000
    cfg = load_config(str(DEMO), {
        'train_cfg.max_iters': 4000,
        'train_cfg.val_interval': 250
    })
    assert cfg.train_cfg.val_interval == 250

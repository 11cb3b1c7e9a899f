"""The detection protocol's choices: the rate and length from the scratch
curves, the validation history read back from mmengine's logs, the arms'
configs."""
import json

import pytest
from mmengine.config import Config

from dos_mm.experiments import detection_protocol as det


def _curve(values, every=200):
    return [
        dict(iter=every * (i + 1), map=v, ap={}) for i, v in enumerate(values)
    ]


def test_choice_takes_the_best_rate_and_the_first_length_near_its_plateau():
    curves = {
        1e-3: _curve([2.0, 6.0, 9.0, 9.5, 10.0, 10.0]),
        2e-3: _curve([4.0, 10.0, 14.0, 15.5, 16.0, 15.8]),
        4e-3: _curve([3.0, 9.0, 12.0, 13.0, 13.5, 13.0]),
    }
    choice = det.choose_protocol(curves)
    assert choice['lr'] == 2e-3 and choice['plateau'] == 16.0
    assert choice['iters'] == 800  # 15.5 >= 0.95 * 16 = 15.2; 14 is not
    assert det.choose_protocol(curves, share=0.5)['iters'] == 400
    assert '95%' in choice['rule']


def test_choice_refuses_curves_that_say_nothing():
    with pytest.raises(ValueError, match='no calibration curve'):
        det.choose_protocol({1e-3: []})
    with pytest.raises(ValueError, match='scored 0 mAP'):
        det.choose_protocol({1e-3: _curve([0.0, 0.0])})


def test_eval_history_reads_the_validation_rows(tmp_path):
    vis = tmp_path / '20261205_000000' / 'vis_data'
    vis.mkdir(parents=True)
    rows = [
        dict(lr=1e-3, loss=3.0, step=10),
        {
            'det/mAP': 4.5,
            'det/AP_car': 20.0,
            'step': 200
        },
        dict(lr=5e-4, loss=2.0, step=210),
        {
            'det/mAP': 7.0,
            'det/AP_car': 30.0,
            'step': 400
        },
    ]
    (vis / 'scalars.json').write_text('\n'.join(json.dumps(r) for r in rows))
    history = det.eval_history(str(tmp_path))
    assert history == [
        dict(iter=200, map=4.5, ap=dict(car=20.0)),
        dict(iter=400, map=7.0, ap=dict(car=30.0)),
    ]
    with pytest.raises(FileNotFoundError, match='scalars.json'):
        det.eval_history(str(tmp_path / 'none'))


def test_arms_share_one_schedule_and_differ_where_documented():
    cfgs = {arm: Config.fromfile(det.config_path(arm)) for arm in det.CONFIGS}
    schedules = {(c.train_cfg.max_iters, c.optim_wrapper.optimizer.lr,
                  str(c.param_scheduler))
                 for c in cfgs.values()}
    assert len(schedules) == 1
    for arm, cfg in cfgs.items():
        hooks = [h['type'] for h in cfg.custom_hooks]
        assert 'PreciseBNHook' in hooks, arm
        frozen = cfg.model.pts_middle_encoder.type == 'FrozenSparseEncoder'
        assert frozen == arm.endswith('_frozen'), arm
        assert (cfg.model.get('init_cfg')
                is not None) == (arm in det.PRETRAINED_ARMS), arm
    assert cfgs['dos_ft'].optim_wrapper.paramwise_cfg.custom_keys[
        'pts_middle_encoder'].lr_mult == 0.1
    assert 'FreezeWarmupHook' in [
        h['type'] for h in cfgs['dos_ft'].custom_hooks
    ]
    for arm in ('dos_frozen', 'random_frozen'):
        bn = [
            h for h in cfgs[arm].custom_hooks if h['type'] == 'PreciseBNHook'
        ][0]
        assert bn['before_train'] is True
    # the detectors' smaller x-y range, the encoder's grid derived from it
    scratch = cfgs['scratch']
    assert scratch.model.pts_middle_encoder.sparse_shape == [41, 512, 512]
    assert scratch.model.train_cfg.pts.grid_size == [512, 512, 40]
    assert scratch.test_dataloader.dataset.ann_file.endswith('test.pkl')
    assert scratch.val_dataloader.dataset.ann_file.endswith('val.pkl')


def test_unknown_arm():
    with pytest.raises(ValueError, match='unknown arm'):
        det.config_path('dos_magic')

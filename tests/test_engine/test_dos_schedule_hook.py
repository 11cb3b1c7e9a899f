from types import SimpleNamespace

import pytest
import torch
from mmdet3d.registry import HOOKS
from mmengine.logging import MessageHub
from mmengine.model import is_model_wrapper
from mmengine.registry import init_default_scope

from dos_mm.engine import DOSScheduleHook, dos_schedule

NAMES = ('teacher_temp', 'alpha', 'teacher_momentum', 'block_size',
         'mask_ratio')


def test_schedule_golden_values():
    at = {it: dos_schedule(it, 1000) for it in (0, 25, 50, 100, 500, 1000)}
    assert set(at[0]) == set(NAMES)
    assert at[0]['teacher_temp'] == pytest.approx(0.04)
    assert at[25]['teacher_temp'] == pytest.approx(0.055)
    assert at[50]['teacher_temp'] == pytest.approx(0.07)
    assert at[1000]['teacher_temp'] == pytest.approx(0.07)
    assert at[0]['alpha'] == 0.0
    assert at[50]['alpha'] == pytest.approx(0.65)
    assert at[100]['alpha'] == pytest.approx(1.3)
    assert at[1000]['alpha'] == pytest.approx(1.3)
    assert at[0]['teacher_momentum'] == pytest.approx(0.994)
    assert at[500]['teacher_momentum'] == pytest.approx(0.997)
    assert at[1000]['teacher_momentum'] == pytest.approx(1.0)
    assert at[0]['block_size'] == pytest.approx(0.25)
    assert at[25]['block_size'] == pytest.approx(0.625)
    assert at[50]['block_size'] == pytest.approx(1.0)
    assert at[1000]['block_size'] == pytest.approx(1.0)
    assert at[0]['mask_ratio'] == pytest.approx(0.3)
    assert at[25]['mask_ratio'] == pytest.approx(0.45)
    assert at[50]['mask_ratio'] == pytest.approx(0.6)
    assert at[1000]['mask_ratio'] == pytest.approx(0.6)
    assert all(isinstance(v, float) for v in at[500].values())


def test_schedule_arguments():
    values = dos_schedule(
        0,
        200,
        teacher_temp=(0.05, 0.1),
        alpha=2.0,
        teacher_momentum=(0.99, 0.999),
        block_size=0.4,
        mask_ratio=0.7,
        mask_start_scale=0.5,
        mask_start_ratio=0.2)
    assert values == pytest.approx(
        dict(
            teacher_temp=0.05,
            alpha=0.0,
            teacher_momentum=0.99,
            block_size=0.2,
            mask_ratio=0.2))
    # warm-ups are fractions of max_iters: 20 % of 200 = 40 iterations
    mid = dos_schedule(
        20, 200, teacher_temp_warmup=0.2, alpha_warmup=0.2, mask_warmup=0.2)
    assert mid['teacher_temp'] == pytest.approx(0.055)
    assert mid['alpha'] == pytest.approx(0.65)
    assert mid['mask_ratio'] == pytest.approx(0.45)
    # a start ratio above the final ratio never overshoots it
    assert dos_schedule(0, 100, mask_ratio=0.2)['mask_ratio'] == 0.2
    # no warm-up: final values from the start
    cold = dos_schedule(
        0, 100, teacher_temp_warmup=0, alpha_warmup=0, mask_warmup=0)
    assert cold['teacher_temp'] == 0.07 and cold['alpha'] == 1.3
    assert cold['block_size'] == 1.0 and cold['mask_ratio'] == 0.6


def test_schedule_is_pure_and_resume_exact():
    full = [dos_schedule(it, 300) for it in range(301)]
    # a "resumed" run computes the same values in any order
    for it in (299, 150, 0, 17, 150):
        assert dos_schedule(it, 300) == full[it]
    # monotone ramps
    for name in NAMES:
        series = [v[name] for v in full]
        assert all(b >= a for a, b in zip(series, series[1:])), name


class RecordingModel(torch.nn.Module):

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(2, 2)
        self.calls = []

    def set_schedule(self, **values):
        self.calls.append(values)


def _runner(model, it, max_iters, hub_name):
    return SimpleNamespace(
        model=model,
        iter=it,
        max_iters=max_iters,
        message_hub=MessageHub.get_instance(hub_name))


def test_hook_sets_and_logs_every_value():
    model = RecordingModel()
    hook = DOSScheduleHook()
    runner = _runner(model, 50, 1000, 'test_dos_schedule_hook_sets')
    hook.before_train_iter(runner, batch_idx=0)
    assert model.calls == [dos_schedule(50, 1000)]
    for name, value in dos_schedule(50, 1000).items():
        assert runner.message_hub.get_scalar(
            f'train/{name}').current() == pytest.approx(value)
    runner.iter = 500
    hook.before_train_iter(runner, batch_idx=0)
    assert model.calls[-1] == dos_schedule(500, 1000)
    assert runner.message_hub.get_scalar(
        'train/teacher_momentum').current() == pytest.approx(0.997)


def test_hook_max_iters_and_schedule_override():
    model = RecordingModel()
    hook = DOSScheduleHook(max_iters=100, alpha=2.0)
    runner = _runner(model, 5, 1000, 'test_dos_schedule_hook_override')
    hook.before_train_iter(runner, batch_idx=0)
    assert model.calls == [dos_schedule(5, 100, alpha=2.0)]
    assert model.calls[0]['alpha'] == pytest.approx(1.0)
    assert runner.message_hub.get_scalar(
        'train/alpha').current() == pytest.approx(1.0)


def test_hook_resumed_run_gets_the_same_values():
    fresh, resumed = RecordingModel(), RecordingModel()
    hook = DOSScheduleHook()
    runner = _runner(fresh, 0, 400, 'test_dos_schedule_hook_fresh')
    for it in range(400):
        runner.iter = it
        hook.before_train_iter(runner, batch_idx=it)
    other = DOSScheduleHook()  # a new process after resuming at 250
    runner = _runner(resumed, 250, 400, 'test_dos_schedule_hook_resumed')
    for it in range(250, 400):
        runner.iter = it
        other.before_train_iter(runner, batch_idx=it)
    assert resumed.calls == fresh.calls[250:]


def test_hook_unwraps_model_wrappers():
    model = RecordingModel()
    wrapped = torch.nn.DataParallel(model)  # a registered wrapper, on CPU
    assert is_model_wrapper(wrapped) and wrapped.module is model
    hook = DOSScheduleHook()
    hook.before_train_iter(
        _runner(wrapped, 10, 100, 'test_dos_schedule_hook_wrapped'),
        batch_idx=0)
    assert model.calls == [dos_schedule(10, 100)]


def test_hook_validates_arguments_early():
    with pytest.raises(TypeError):
        DOSScheduleHook(teacher_tempp=(0.04, 0.07))
    with pytest.raises(ValueError):
        DOSScheduleHook(teacher_temp_warmup=-1.0)


def test_hook_is_registered():
    init_default_scope('mmdet3d')
    hook = HOOKS.build(dict(type='DOSScheduleHook', max_iters=10, alpha=1.0))
    assert isinstance(hook, DOSScheduleHook)
    assert hook.values(10, 10)['alpha'] == 1.0

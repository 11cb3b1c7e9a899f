from types import SimpleNamespace

import pytest
import torch
from mmdet3d.registry import HOOKS
from mmengine.logging import MessageHub
from mmengine.model import is_model_wrapper
from mmengine.registry import init_default_scope

from dos_mm.engine import DOSScheduleHook
from dos_mm.functional import dos_schedule


class RecordingModel(torch.nn.Module):
    """A model with a schedule (DOS's ``schedule_at``) that records what the
    hook sets."""

    def __init__(self, **schedule):
        super().__init__()
        self.layer = torch.nn.Linear(2, 2)
        self.schedule = schedule
        self.calls = []

    def schedule_at(self, it, max_iters):
        return dos_schedule(it, max_iters, **self.schedule)

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


def test_hook_max_iters_and_the_models_schedule():
    model = RecordingModel(alpha=2.0)
    hook = DOSScheduleHook(max_iters=100)
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


def test_hook_refuses_schedule_values_naming_model_schedule():
    """The schedule is stated once, in the model: a hook config that still
    carries values (an older config) is refused with the fix."""
    with pytest.raises(TypeError, match=r"\['alpha'\].*model\.schedule"):
        DOSScheduleHook(alpha=1.3)
    with pytest.raises(ValueError, match='max_iters'):
        DOSScheduleHook(max_iters=0)


def test_hook_is_registered():
    init_default_scope('mmdet3d')
    hook = HOOKS.build(dict(type='DOSScheduleHook', max_iters=10))
    assert isinstance(hook, DOSScheduleHook) and hook.max_iters == 10

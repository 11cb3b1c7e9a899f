from types import SimpleNamespace

import pytest
import torch
from mmdet3d.registry import HOOKS
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from dos_mm.engine import TeacherEMAHook


class CountingModel(torch.nn.Module):

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 1)
        self.updates = []

    def teacher_update(self):
        self.updates.append(self.linear.weight.detach().clone())


def _train(num_iters, accumulative_counts, wrap=False, max_iters=None):
    torch.manual_seed(0)
    model = CountingModel()
    optim_wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1),
        accumulative_counts=accumulative_counts)
    if max_iters is not None:
        optim_wrapper.initialize_count_status(model, 0, max_iters)
    runner = SimpleNamespace(
        model=torch.nn.DataParallel(model) if wrap else model,
        optim_wrapper=optim_wrapper)
    hook = TeacherEMAHook()
    steps = []
    for it in range(num_iters):
        weight = model.linear.weight.detach().clone()
        loss = model.linear(torch.randn(4, 3)).pow(2).mean()
        optim_wrapper.update_params(loss)
        before = len(model.updates)
        hook.after_train_iter(runner, batch_idx=it)
        if len(model.updates) > before:
            steps.append(it + 1)
            # the teacher follows a real optimizer step
            assert not torch.equal(model.updates[-1], weight)
    return model, steps


def test_teacher_updates_once_per_optimizer_step():
    model, steps = _train(4, accumulative_counts=2)
    assert len(model.updates) == 2
    assert steps == [2, 4]


def test_without_accumulation_every_iteration():
    _, steps = _train(3, accumulative_counts=1)
    assert steps == [1, 2, 3]


def test_last_partial_accumulation_still_updates():
    # 3 iterations with accumulation 2: the optimizer also steps at the end
    _, steps = _train(3, accumulative_counts=2, max_iters=3)
    assert steps == [2, 3]


def test_unwraps_model_wrappers():
    model, steps = _train(4, accumulative_counts=2, wrap=True)
    assert steps == [2, 4]


def test_skips_without_step():

    class NeverSteps:

        def should_update(self):
            return False

    model = CountingModel()
    runner = SimpleNamespace(model=model, optim_wrapper=NeverSteps())
    TeacherEMAHook().after_train_iter(runner, batch_idx=0)
    assert model.updates == []


def test_hook_is_registered():
    init_default_scope('mmdet3d')
    assert isinstance(HOOKS.build(dict(type='TeacherEMAHook')), TeacherEMAHook)


@pytest.mark.parametrize('accumulative_counts,num_iters,expected',
                         [(3, 7, [3, 6]), (4, 8, [4, 8])])
def test_accumulation_counts(accumulative_counts, num_iters, expected):
    _, steps = _train(num_iters, accumulative_counts)
    assert steps == expected

"""NonFiniteGuardOptimWrapper: skip, count, stop with a clear error."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub

from dos_mm.engine import NonFiniteGuardOptimWrapper, TeacherEMAHook


def wrapper(max_consecutive=3):
    MessageHub.get_instance('guard_test')
    w = torch.nn.Parameter(torch.ones(2))
    opt = NonFiniteGuardOptimWrapper(
        torch.optim.SGD([w], lr=0.1), max_consecutive=max_consecutive)
    return w, opt


def test_nan_loss_skips_the_step_and_counts_it():
    w, opt = wrapper()
    opt.update_params((w * float('nan')).sum())
    assert torch.equal(w.data, torch.ones(2))
    assert opt.last_step_skipped and opt.nonfinite_steps == 1
    assert w.grad is None or not w.grad.any()
    opt.update_params(w.sum())  # a good step goes through and resets
    assert torch.allclose(w.data, torch.full((2, ), 0.9))
    assert not opt.last_step_skipped and opt.consecutive == 0
    assert opt.nonfinite_steps == 1


def test_non_finite_gradients_skip_the_step():
    w, opt = wrapper()
    handle = w.register_hook(lambda g: g * float('inf'))
    opt.update_params(w.sum())
    handle.remove()
    assert torch.equal(w.data, torch.ones(2))
    assert opt.last_step_skipped


def test_too_many_in_a_row_stop_the_run():
    w, opt = wrapper(max_consecutive=2)
    opt.update_params((w * float('nan')).sum())
    with pytest.raises(RuntimeError, match='2 optimizer steps in a row'):
        opt.update_params((w * float('inf')).sum())


def test_teacher_does_not_move_on_a_skipped_step():
    w, opt = wrapper()
    calls = []
    runner = SimpleNamespace(
        optim_wrapper=opt,
        model=SimpleNamespace(teacher_update=lambda: calls.append(1)))
    hook = TeacherEMAHook()
    opt.update_params((w * float('nan')).sum())
    hook.after_train_iter(runner, 0)
    assert calls == []
    opt.update_params(w.sum())
    hook.after_train_iter(runner, 1)
    assert calls == [1]


def test_bad_max_consecutive():
    with pytest.raises(ValueError, match='max_consecutive'):
        NonFiniteGuardOptimWrapper(
            torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1),
            max_consecutive=0)


def test_counters_survive_a_checkpoint():
    w, opt = wrapper()
    opt.update_params((w * float('nan')).sum())
    opt.update_params((w * float('inf')).sum())
    state = opt.state_dict()
    _, fresh = wrapper()
    fresh.load_state_dict(state)
    assert (fresh.nonfinite_steps, fresh.consecutive) == (2, 2)
    assert fresh.optimizer.state_dict()['param_groups'][0]['lr'] == 0.1


def amp_wrapper(monkeypatch, init_scale=1024.0, **kwargs):
    """The AMP guard on CPU: mmengine's CUDA check stubbed, and torch's CPU
    GradScaler in place of the CUDA one (which disables itself here)."""
    from mmengine.optim.optimizer import amp_optimizer_wrapper

    from dos_mm.engine import NonFiniteGuardAmpOptimWrapper
    monkeypatch.setattr(amp_optimizer_wrapper, 'is_cuda_available',
                        lambda: True)
    MessageHub.get_instance('guard_test')
    w = torch.nn.Parameter(torch.ones(2))
    opt = NonFiniteGuardAmpOptimWrapper(
        optimizer=torch.optim.SGD([w], lr=0.1), **kwargs)
    opt.loss_scaler = torch.amp.GradScaler('cpu', init_scale=init_scale)
    return w, opt


@pytest.mark.parametrize('clip', [None, dict(max_norm=10.0)])
def test_amp_step_is_unscaled_once(monkeypatch, clip):
    w, opt = amp_wrapper(monkeypatch, clip_grad=clip)
    opt.update_params(w.sum())  # unscale twice would raise with clipping
    assert torch.allclose(w.data, torch.full((2, ), 0.9))  # grad 1, not 1024
    assert not opt.last_step_skipped and opt.nonfinite_steps == 0
    assert opt.loss_scaler.get_scale() == 1024.0


def test_amp_overflow_skips_counts_and_backs_off(monkeypatch):
    w, opt = amp_wrapper(monkeypatch)
    calls = []
    runner = SimpleNamespace(
        optim_wrapper=opt,
        model=SimpleNamespace(teacher_update=lambda: calls.append(1)))
    handle = w.register_hook(lambda g: g * float('inf'))
    opt.update_params(w.sum())
    handle.remove()
    TeacherEMAHook().after_train_iter(runner, 0)
    assert torch.equal(w.data, torch.ones(2)) and calls == []
    assert opt.last_step_skipped and opt.nonfinite_steps == 1
    assert opt.loss_scaler.get_scale() == 512.0  # the scaler backed off
    opt.update_params(w.sum())  # and the next good step goes through
    TeacherEMAHook().after_train_iter(runner, 1)
    assert torch.allclose(w.data, torch.full((2, ), 0.9)) and calls == [1]
    assert opt.consecutive == 0


def test_amp_nan_loss_skips_before_backward(monkeypatch):
    w, opt = amp_wrapper(monkeypatch, max_consecutive=2)
    opt.update_params((w * float('nan')).sum())
    assert torch.equal(w.data, torch.ones(2)) and opt.last_step_skipped
    assert opt.loss_scaler.get_scale() == 1024.0
    with pytest.raises(RuntimeError, match='2 optimizer steps in a row'):
        opt.update_params((w * float('nan')).sum())


def test_amp_counters_and_scale_survive_a_checkpoint(monkeypatch):
    w, opt = amp_wrapper(monkeypatch)
    handle = w.register_hook(lambda g: g * float('inf'))
    opt.update_params(w.sum())
    handle.remove()
    state = opt.state_dict()
    _, fresh = amp_wrapper(monkeypatch)
    fresh.load_state_dict(state)
    assert (fresh.nonfinite_steps, fresh.consecutive) == (1, 1)
    assert fresh.loss_scaler.get_scale() == 512.0

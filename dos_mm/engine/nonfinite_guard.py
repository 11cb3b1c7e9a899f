"""Skip optimizer steps whose loss or gradients are not finite, with plain
and with mixed-precision (``--amp``) optimizer wrappers."""
from typing import Dict, Iterator, Optional

import torch
from mmdet3d.registry import OPTIM_WRAPPERS
from mmengine import dist
from mmengine.logging import MessageHub, print_log
from mmengine.optim import AmpOptimWrapper, OptimWrapper


class NonFiniteGuard:
    """The skip logic shared by the guarded optimizer wrappers (a mixin
    placed before an mmengine ``OptimWrapper`` class).

    The loss check is agreed between ranks before ``backward`` (a rank that
    skipped DDP's gradient all-reduce would hang the others); gradients are
    identical on every rank after DDP's all-reduce, so their check needs no
    extra collective. Skipped steps are counted (``train/nonfinite_steps``
    in the logs, ``last_step_skipped`` for :class:`TeacherEMAHook`), and the
    run stops with a clear error after ``max_consecutive`` skips in a row.

    Args:
        max_consecutive (int): consecutive skipped steps that stop the run.
        **kwargs: arguments of the wrapped ``OptimWrapper`` class.
    """

    def __init__(self, *args, max_consecutive: int = 20, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if max_consecutive < 1:
            raise ValueError(f'max_consecutive must be >= 1, got '
                             f'{max_consecutive}')
        self.max_consecutive = max_consecutive
        self.nonfinite_steps = 0
        self.consecutive = 0
        self.last_step_skipped = False

    def state_dict(self) -> dict:
        """The optimizer's state plus the skip counters (exact resume)."""
        state = super().state_dict()
        state['nonfinite_guard'] = dict(
            nonfinite_steps=self.nonfinite_steps, consecutive=self.consecutive)
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        guard = state_dict.pop('nonfinite_guard', None)
        super().load_state_dict(state_dict)
        if guard is not None:
            self.nonfinite_steps = int(guard['nonfinite_steps'])
            self.consecutive = int(guard['consecutive'])

    def _params(self) -> Iterator[torch.Tensor]:
        for group in self.optimizer.param_groups:
            yield from (p for p in group['params'] if p.grad is not None)

    def _grads_finite(self) -> bool:
        """One host-device synchronisation for all gradients."""
        flags = [torch.isfinite(p.grad).all() for p in self._params()]
        return not flags or bool(torch.stack(flags).all())

    def update_params(self,
                      loss: torch.Tensor,
                      step_kwargs: Optional[Dict] = None,
                      zero_kwargs: Optional[Dict] = None) -> None:
        ok = torch.tensor([float(torch.isfinite(loss).all())],
                          device=loss.device)
        dist.all_reduce(ok, op='min')
        self.last_step_skipped = False
        if bool(ok):
            self.backward(self.scale_loss(loss))
            if not self.should_update():
                return
            if self._grads_finite():
                self.step(**(step_kwargs or {}))
                self.zero_grad(**(zero_kwargs or {}))
                self.consecutive = 0
                return
            reason = self._gradient_reason()
        else:
            self._inner_count += 1  # what backward() would have counted
            reason = f'non-finite loss ({float(loss.detach().sum())})'
        self._skip(reason, zero_kwargs)

    def _gradient_reason(self) -> str:
        """Why the gradients were not finite; the place a subclass adjusts
        state tied to the skipped step."""
        return 'non-finite gradients'

    def _skip(self, reason: str, zero_kwargs: Optional[Dict]) -> None:
        self.zero_grad(**(zero_kwargs or {}))
        self.last_step_skipped = True
        self.nonfinite_steps += 1
        self.consecutive += 1
        MessageHub.get_current_instance().update_scalar(
            'train/nonfinite_steps', self.nonfinite_steps)
        print_log(
            f'skipped an optimizer step: {reason} ({self.consecutive} '
            f'in a row, {self.nonfinite_steps} in all)',
            logger='current',
            level=30)
        if self.consecutive >= self.max_consecutive:
            raise RuntimeError(
                f'{self.consecutive} optimizer steps in a row had a '
                f'non-finite loss or gradients (last: {reason}). Fix: lower '
                'the learning rate or check the data. Nothing is saved on '
                'this error: checkpoints already written are untouched '
                '(resume from the latest with --resume); a run stopped '
                'before its first checkpoint starts again')


@OPTIM_WRAPPERS.register_module()
class NonFiniteGuardOptimWrapper(NonFiniteGuard, OptimWrapper):
    """``OptimWrapper`` that skips a step with a non-finite loss or gradient
    (see :class:`NonFiniteGuard`)."""


@OPTIM_WRAPPERS.register_module()
class NonFiniteGuardAmpOptimWrapper(NonFiniteGuard, AmpOptimWrapper):
    """mmengine's ``AmpOptimWrapper`` with the guard of
    :class:`NonFiniteGuard`, which ``tools/train.py --amp`` uses.

    Written because ``AmpOptimWrapper`` skips an overflowed step inside its
    ``GradScaler`` without telling anyone: the DOS teacher would still take
    its EMA step, and a run whose loss stays NaN would go on silently. Here
    the gradients are unscaled once and checked; a non-finite step is handed
    to the scaler (which skips it and backs off the loss scale) and counted
    like any other skip, so :class:`TeacherEMAHook` does not move the
    teacher. A non-finite loss skips before ``backward`` and leaves the
    scale as it is (the scale acts on gradients only).
    """

    def _grads_finite(self) -> bool:
        self.loss_scaler.unscale_(self.optimizer)
        return super()._grads_finite()

    def step(self, **kwargs) -> None:
        """``AmpOptimWrapper.step`` without a second ``unscale_`` (the
        gradients were unscaled by the finiteness check)."""
        if self.clip_grad_kwargs:
            self._clip_grad()
        self.loss_scaler.step(self.optimizer, **kwargs)
        self.loss_scaler.update(self._scale_update_param)

    def _gradient_reason(self) -> str:
        scale = float(self.loss_scaler.get_scale())
        # found_inf was recorded by unscale_: step() skips, update() backs off
        self.loss_scaler.step(self.optimizer)
        self.loss_scaler.update(self._scale_update_param)
        return (f'non-finite gradients at loss scale {scale:g} (now '
                f'{float(self.loss_scaler.get_scale()):g})')

"""One hook for every scheduled scalar of DOS."""
from typing import Optional

from mmdet3d.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper


@HOOKS.register_module()
class DOSScheduleHook(Hook):
    """Set tau_T, the Zipf exponent, the teacher momentum and the mask size
    and ratio before every training iteration, and log each value. It also
    seeds the masking generator from the iteration (exact resume).

    The values come from the model's own schedule (``model.schedule``, the
    keyword arguments of :func:`dos_mm.functional.dos_schedule`, read
    through ``model.schedule_at``), so a config states each value once and
    leaf configs change it by merging into ``model.schedule``; the hook only
    knows *when*.

    Args:
        max_iters (int, optional): schedule length; defaults to the
            runner's ``max_iters``.
    """
    priority = 'HIGH'

    def __init__(self, max_iters: Optional[int] = None, **schedule) -> None:
        if schedule:
            raise TypeError(
                f'DOSScheduleHook got {sorted(schedule)}: the schedule is '
                'stated once, in the model config. Fix: move them into '
                'model.schedule (for example model = dict(schedule=dict('
                f'{next(iter(schedule))}=...))) and keep '
                "dict(type='DOSScheduleHook') in custom_hooks")
        if max_iters is not None and max_iters < 1:
            raise ValueError(f'DOSScheduleHook: max_iters must be >= 1, got '
                             f'{max_iters}')
        self.max_iters = max_iters

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        values = model.schedule_at(runner.iter, self.max_iters
                                   or runner.max_iters)
        model.set_schedule(**values)
        pre = getattr(model, 'data_preprocessor', None)
        if hasattr(pre, 'seed_step'):  # masks: a function of the iteration
            pre.seed_step(runner.iter, getattr(runner, 'seed', None))
        for name, value in values.items():
            runner.message_hub.update_scalar(f'train/{name}', value)

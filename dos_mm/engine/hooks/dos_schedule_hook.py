"""One hook for every scheduled scalar of DOS."""
from typing import Dict, Optional, Sequence

from mmdet3d.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from dos_mm.functional import cosine_schedule, linear_warmup


def dos_schedule(it: int,
                 max_iters: int,
                 teacher_temp: Sequence[float] = (0.04, 0.07),
                 teacher_temp_warmup: float = 0.05,
                 alpha: float = 1.3,
                 alpha_warmup: float = 0.1,
                 teacher_momentum: Sequence[float] = (0.994, 1.0),
                 block_size: float = 1.0,
                 mask_ratio: float = 0.6,
                 mask_warmup: float = 0.05,
                 mask_start_scale: float = 0.25,
                 mask_start_ratio: float = 0.3) -> Dict[str, float]:
    """Every scheduled value at iteration ``it`` of ``max_iters``.

    A pure function, so a resumed run gets exactly the values of an
    uninterrupted one. Warm-up lengths are fractions of ``max_iters``.

    - ``teacher_temp``: linear (start, end) over ``teacher_temp_warmup``
      (paper: 0.04 -> 0.07 over the first 5 %).
    - ``alpha``: linear 0 -> ``alpha`` over ``alpha_warmup`` (ours: 10 %).
    - ``teacher_momentum``: cosine (start, end) over the whole run (ours:
      0.994 -> 1.0); the weight the teacher keeps.
    - ``block_size`` / ``mask_ratio``: linear from ``mask_start_scale`` x
      size and ``mask_start_ratio`` to their final values over
      ``mask_warmup`` (ours: 0.25 x and 0.3 over 5 %).
    """

    def warm(frac: float) -> int:
        return int(round(frac * max_iters))

    return dict(
        teacher_temp=linear_warmup(it, warm(teacher_temp_warmup),
                                   teacher_temp[0], teacher_temp[1]),
        alpha=linear_warmup(it, warm(alpha_warmup), 0.0, alpha),
        teacher_momentum=cosine_schedule(it, max_iters, teacher_momentum[0],
                                         teacher_momentum[1]),
        block_size=linear_warmup(it, warm(mask_warmup),
                                 mask_start_scale * block_size, block_size),
        mask_ratio=linear_warmup(it, warm(mask_warmup),
                                 min(mask_start_ratio, mask_ratio),
                                 mask_ratio))


@HOOKS.register_module()
class DOSScheduleHook(Hook):
    """Set tau_T, the Zipf exponent, the teacher momentum and the mask size
    and ratio before every training iteration, and log each value. It also
    seeds the masking generator from the iteration (exact resume).

    Args:
        max_iters (int, optional): schedule length; defaults to the
            runner's ``max_iters``.
        **schedule: keyword arguments of :func:`dos_schedule`.
    """
    priority = 'HIGH'

    def __init__(self, max_iters: Optional[int] = None, **schedule) -> None:
        dos_schedule(0, 1, **schedule)  # validate the arguments early
        self.max_iters = max_iters
        self.schedule = schedule

    def values(self, it: int, max_iters: int) -> Dict[str, float]:
        return dos_schedule(it, max_iters, **self.schedule)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        values = self.values(runner.iter, self.max_iters or runner.max_iters)
        model.set_schedule(**values)
        pre = getattr(model, 'data_preprocessor', None)
        if hasattr(pre, 'seed_step'):  # masks: a function of the iteration
            pre.seed_step(runner.iter, getattr(runner, 'seed', None))
        for name, value in values.items():
            runner.message_hub.update_scalar(f'train/{name}', value)

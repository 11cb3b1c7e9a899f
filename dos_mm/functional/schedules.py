"""Scalar schedules as pure functions of the iteration (exact on resume),
and the schedule of DOS built from them."""
import math
from typing import Dict, Sequence


def cosine_schedule(it: int, max_iters: int, start: float,
                    end: float) -> float:
    """Cosine interpolation from ``start`` (it = 0) to ``end`` (it >= max).

    ``value = end + (start - end) * (1 + cos(pi * t)) / 2`` with
    ``t = clamp(it, 0, max_iters) / max_iters``.

    Args:
        it (int): Current iteration; clamped to ``[0, max_iters]``.
        max_iters (int): Length of the schedule, >= 1.
        start (float): Value at iteration 0.
        end (float): Value from iteration ``max_iters`` on.

    Returns:
        float: The scheduled value.
    """
    if max_iters < 1:
        raise ValueError(f'max_iters must be >= 1, got {max_iters}')
    t = min(max(it, 0), max_iters) / max_iters
    return end + (start - end) * 0.5 * (1.0 + math.cos(math.pi * t))


def linear_warmup(it: int, warmup_iters: int, start: float,
                  end: float) -> float:
    """Linear ramp from ``start`` to ``end`` over ``warmup_iters``, then
    constant ``end``.

    Args:
        it (int): Current iteration; clamped to ``[0, warmup_iters]``.
        warmup_iters (int): Length of the ramp, >= 0; 0 gives ``end``
            everywhere.
        start (float): Value at iteration 0.
        end (float): Value from iteration ``warmup_iters`` on.

    Returns:
        float: The scheduled value.
    """
    if warmup_iters < 0:
        raise ValueError(f'warmup_iters must be >= 0, got {warmup_iters}')
    if warmup_iters == 0:
        return float(end)
    t = min(max(it, 0), warmup_iters) / warmup_iters
    return start + (end - start) * t


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
    These defaults are the schedule of every DOS config; a config states
    what it changes once, in the model's ``schedule`` dict, and
    ``DOSScheduleHook`` applies it.

    - ``teacher_temp``: linear (start, end) over ``teacher_temp_warmup``
      (paper: 0.04 -> 0.07 over the first 5 %).
    - ``alpha``: linear 0 -> ``alpha`` over ``alpha_warmup`` (ours: 10 %).
    - ``teacher_momentum``: cosine (start, end) over the whole run (ours:
      0.994 -> 1.0); the weight the teacher keeps.
    - ``block_size`` / ``mask_ratio``: linear from ``mask_start_scale`` x
      size and ``mask_start_ratio`` to their final values over
      ``mask_warmup`` (ours: 0.25 x and 0.3 over 5 %). Paper: 60 % of
      1 m blocks outdoors for detection, 70 % for segmentation, 0.4 m
      blocks indoors.
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


# long enough that every warm-up of a fraction > 0 has a first step
_LONG_RUN = 1 << 30


def dos_schedule_start(**schedule) -> Dict[str, float]:
    """The values of :func:`dos_schedule` before the first iteration: each
    warm-up's start (its end where its fraction is 0) and the momentum's
    start. A DOS model holds these until a schedule hook sets others."""
    return dos_schedule(0, _LONG_RUN, **schedule)

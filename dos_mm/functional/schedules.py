"""Scalar schedules as pure functions of the iteration (exact on resume)."""
import math


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

"""Paired differences over seeds with their Student-t interval."""
from typing import Dict, Optional, Sequence

import numpy as np


def t_half_width(sd: float, n: int, level: float = 0.95) -> float:
    """Half-width of the Student-t ``level`` interval of a mean of ``n``
    values with standard deviation ``sd``: ``t(level, n - 1) sd / sqrt(n)``.
    """
    from scipy import stats
    return float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n))


def paired_interval(diffs: Sequence[float], level: float = 0.95) -> Dict:
    """Mean of paired differences with its Student-t confidence interval
    (``low`` = ``high`` = mean for a single pair)."""
    d = np.asarray(diffs, np.float64)
    mean = float(d.mean())
    if len(d) < 2:
        return dict(mean=mean, low=mean, high=mean, n=len(d))
    half = t_half_width(float(d.std(ddof=1)), len(d), level)
    return dict(mean=mean, low=mean - half, high=mean + half, n=len(d))


def seeds_to_resolve(gap: float,
                     sd: float,
                     level: float = 0.95,
                     most: int = 1000) -> Optional[int]:
    """The fewest paired seeds ``n`` (at least 2) whose Student-t interval
    of a mean difference ``gap`` with per-seed standard deviation ``sd``
    excludes zero: ``t(level, n - 1) * sd / sqrt(n) < |gap|``.

    A planning figure: it takes ``gap`` and ``sd`` as the truth, where both
    are estimates. ``None`` when no ``n`` up to ``most`` is enough (a gap
    of 0 never is).
    """
    if sd < 0:
        raise ValueError(f'standard deviation {sd} < 0')
    for n in range(2, most + 1):
        if t_half_width(sd, n, level) < abs(gap):
            return n
    return None

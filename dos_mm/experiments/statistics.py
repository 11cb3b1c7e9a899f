"""Paired differences over seeds with their Student-t interval."""
from typing import Dict, Optional, Sequence

import numpy as np


def paired_interval(diffs: Sequence[float], level: float = 0.95) -> Dict:
    """Mean of paired differences with its Student-t confidence interval
    (``low`` = ``high`` = mean for a single pair)."""
    from scipy import stats
    d = np.asarray(diffs, np.float64)
    mean = float(d.mean())
    if len(d) < 2:
        return dict(mean=mean, low=mean, high=mean, n=len(d))
    half = float(
        stats.t.ppf(0.5 + level / 2,
                    len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)))
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
    from scipy import stats
    if sd < 0:
        raise ValueError(f'standard deviation {sd} < 0')
    for n in range(2, most + 1):
        half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n)
        if half < abs(gap):
            return n
    return None

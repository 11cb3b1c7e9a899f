"""Paired differences over seeds with their Student-t interval."""
from typing import Dict, Sequence

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

"""Statistics of the benchmarks: paired differences over seeds, and the
runs a benchmark folder already holds."""
import json
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np


def read_runs(folder: str) -> List[dict]:
    """The ``runs`` of ``folder/results.json`` (none when it does not
    exist): what a split benchmark has measured so far."""
    path = osp.join(folder, 'results.json')
    if not osp.isfile(path):
        return []
    with open(path) as f:
        return json.load(f)['runs']


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

"""Deterministic label-efficient subsets of mmdet3d info files.

The splits for a seed are nested: the scans of the 1 % split are among those
of the 10 % split, which are among the 20 % split (one permutation, growing
prefixes), so label-efficiency curves compare like with like. Each split is
written as an mmdet3d info file (same ``metainfo``, a subset of
``data_list``), which any dataset config reads through ``ann_file``.
"""
import logging
import os
import os.path as osp
from typing import Dict, List, Sequence

import mmengine
import numpy as np
from mmengine.logging import print_log

from dos_mm.utils.atomic_write import atomic_write_bytes


class TooFewScans(ValueError):
    """A fraction that holds no whole scan of the info file."""


def label_split(num_scans: int, fraction: float, seed: int) -> np.ndarray:
    """Sorted indices of a ``fraction`` of ``num_scans`` scans.

    Args:
        num_scans (int): scans in the full training info file.
        fraction (float): in (0, 1].
        seed (int): the permutation's seed; the same seed gives nested
            splits for growing fractions.

    Returns:
        np.ndarray: (max(1, round(fraction * num_scans)),) int64 indices.

    Raises:
        ValueError: a fraction outside (0, 1], no scans, or a fraction of
            fewer than half a scan (rounding it up to one scan would write
            a split of another fraction under this one's name).
    """
    if not 0 < fraction <= 1:
        raise ValueError(f'fraction must be in (0, 1], got {fraction}')
    if num_scans < 1:
        raise ValueError('the info file has no scans')
    order = np.random.default_rng(seed).permutation(num_scans)
    exact = fraction * num_scans
    # Python's round sends 0.5 to 0: half a scan is one scan, as it was
    count = max(1, int(round(exact))) if exact >= 0.5 else 0
    if count < 1:
        raise TooFewScans(
            f'a {fraction:g} split of {num_scans} scans holds {exact:.2g} '
            f'scans: one scan would be {1 / num_scans:.0%} of them, not '
            f'{fraction:.2%}. Fix: a fraction of at least '
            f'{0.5 / num_scans:.3g}, or more scans')
    return np.sort(order[:count]).astype(np.int64)


def split_name(info_file: str, fraction: float, seed: int) -> str:
    """``semantickitti_infos_train.pkl`` -> ``..._train_1pct_seed0.pkl``."""
    stem, ext = osp.splitext(osp.basename(info_file))
    pct = f'{fraction * 100:g}'.replace('.', 'p')
    return f'{stem}_{pct}pct_seed{seed}{ext}'


def write_label_splits(info_file: str,
                       fractions: Sequence[float],
                       seed: int = 0,
                       out_dir: str = '',
                       skip_too_small: bool = False) -> Dict[float, str]:
    """Write one info file per fraction next to ``info_file`` (or in
    ``out_dir``); each write is atomic. Returns fraction -> written path.

    A fraction holding no whole scan raises :class:`TooFewScans`, or with
    ``skip_too_small`` is left out of the result (and logged).
    """
    if not osp.isfile(info_file):
        raise FileNotFoundError(f'{info_file}: info file not found. Fix: '
                                'create it with tools/create_data.py')
    info = mmengine.load(info_file)
    if not isinstance(info, dict) or 'data_list' not in info:
        raise ValueError(f'{info_file}: not an mmdet3d v2 info file (no '
                         "'data_list'). Fix: regenerate it with mmdet3d >= "
                         '1.1 converters')
    data: List[dict] = info['data_list']
    out_dir = out_dir or osp.dirname(osp.abspath(info_file))
    os.makedirs(out_dir, exist_ok=True)
    written = {}
    for fraction in fractions:
        try:
            idx = label_split(len(data), fraction, seed)
        except TooFewScans as exc:
            if not skip_too_small:
                raise ValueError(f'{info_file}: {exc}') from None
            print_log(
                f'{info_file}: label split skipped: {exc}',
                logger='current',
                level=logging.WARNING)
            continue
        subset = dict(info)
        subset['data_list'] = [data[i] for i in idx]
        subset['metainfo'] = dict(
            info.get('metainfo', {}),
            label_split=dict(
                source=osp.basename(info_file),
                fraction=fraction,
                seed=seed,
                indices=idx.tolist()))
        path = osp.join(out_dir, split_name(info_file, fraction, seed))
        atomic_write_bytes(path, mmengine.dump(subset, file_format='pkl'))
        written[fraction] = path
    return written

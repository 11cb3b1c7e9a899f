"""Check a config's dataset files before the runner starts.

mmengine reads info files inside ``BaseDataset`` (lazily, in dataloader
workers for some datasets), where a missing or corrupt file ends in a pickle
or backend error that does not say what to run. This check names the file,
what is wrong and the command that makes it.
"""
import os.path as osp
from typing import Iterator, List, Optional

import mmengine

_CREATE = 'python tools/create_data.py {} --root-path {{root}}'
PREPARE = {
    'NuScenesDataset': _CREATE.format('nuscenes'),
    'NuScenesSegDataset': _CREATE.format('nuscenes'),
    'WaymoDataset': _CREATE.format('waymo'),
    'SemanticKittiDataset': _CREATE.format('semantickitti'),
    'ScanNetSegDataset': _CREATE.format('scannet'),
    'ScanNetDataset': _CREATE.format('scannet'),
    'SyntheticDetDataset': 'python tools/generate_synthetic.py --out {root}',
}
SYNTHETIC_FIX = PREPARE['SyntheticDetDataset']


def preparation_command(dataset_type: Optional[str], root: str) -> str:
    """The command that makes the info files of ``root``: the generator's
    for a synthetic folder (tools/create_data.py would replace its infos by
    those of the real dataset's official sequences), else the dataset's."""
    from dos_mm.datasets.synthetic import read_marker
    if read_marker(root) is not None:  # the generator wrote this folder
        return SYNTHETIC_FIX.format(root=root)
    return PREPARE.get(dataset_type, 'its data preparation').format(root=root)


def _datasets(cfg) -> Iterator[dict]:
    """Every dataset config inside wrappers (Concat, Repeat, CBGS), in
    order."""
    if not isinstance(cfg, dict):
        return
    if 'datasets' in cfg:
        for part in cfg['datasets']:
            yield from _datasets(part)
    elif 'dataset' in cfg:
        yield from _datasets(cfg['dataset'])
    else:
        yield cfg


def info_file_problems(dataset_cfg: dict) -> List[str]:
    """Problems of the info files the dataset configs name (empty if none)."""
    problems = []
    for ds in _datasets(dataset_cfg):
        ann = ds.get('ann_file')
        if not ann:
            continue
        path = ann if osp.isabs(ann) else osp.join(
            ds.get('data_root') or '', ann)
        fix = preparation_command(ds.get('type'), ds.get('data_root') or '.')
        if not osp.isfile(path):
            problems.append(
                f'{path}: info file not found (dataset {ds.get("type")}). '
                f'Fix: set data_root to the dataset folder, or make it with '
                f'`{fix}`')
            continue
        try:
            info = mmengine.load(path)
        except Exception as exc:  # truncated, not a pickle, ...
            problems.append(
                f'{path}: unreadable info file ({exc!r:.120}). Fix: delete '
                f'it and run `{fix}` again')
            continue
        if not isinstance(info, dict) or 'data_list' not in info:
            problems.append(
                f"{path}: not an mmdet3d v2 info file (no 'data_list'). Fix: "
                f'make it with `{fix}` (mmdet3d >= 1.1 format)')
    return problems


def check_info_files(cfg, split: str = 'train_dataloader') -> None:
    """Raise ``FileNotFoundError`` / ``ValueError`` listing every problem of
    the info files of ``cfg[split]``; nothing when the split is absent."""
    loader: Optional[dict] = cfg.get(split)
    if not loader or 'dataset' not in loader:
        return
    problems = info_file_problems(loader['dataset'])
    if problems:
        missing = all('not found' in p for p in problems)
        raise (FileNotFoundError if missing else ValueError)(
            '\n'.join(problems))

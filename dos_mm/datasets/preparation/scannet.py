"""ScanNet info files and segmentation scene lists (mmdet3d's indoor
converter), per-scene resumable."""
import os
import os.path as osp
from typing import List

import mmengine
import numpy as np

from .mmdet3d_converters import converter
from .resumable import cached_map, run_step, state_dir
from .verify import verify_infos

CHUNK = 20  # scenes per cached unit of work


class _Chunk:
    """Picklable: the infos of a chunk of scenes of one split."""

    def __init__(self, root: str, split: str, has_label: bool) -> None:
        self.root, self.split, self.has_label = root, split, has_label

    def __call__(self, scenes):
        data = converter('scannet_data_utils').ScanNetData(
            root_path=self.root, split=self.split)
        return data.get_infos(
            num_workers=1,
            has_label=self.has_label,
            sample_id_list=list(scenes))


def prepare_scannet(root: str,
                    workers: int = 4,
                    drop_bad: bool = False) -> List[dict]:
    """Write ``scannet_infos_{train,val,test}.pkl`` and ``seg_info/`` into
    ``root`` from ``scannet_instance_data/`` (made by mmdet3d's
    ``batch_load_scannet_data.py`` from the raw scans) and ``meta_data/``.

    Scenes are converted in chunks of 20; each finished chunk is cached, so
    an interrupted run resumes at the first unfinished chunk.
    """
    for folder, fix in (
        ('meta_data', 'copy mmdet3d\'s data/scannet/meta_data'),
        ('scannet_instance_data', 'run mmdet3d\'s data/scannet/'
         'batch_load_scannet_data.py on the raw ScanNet v2 scans')):
        if not osp.isdir(osp.join(root, folder)):
            raise FileNotFoundError(
                f'{root}: no {folder}/ folder (see mmdet3d docs, "ScanNet '
                f'for 3D Object Detection"). Fix: {fix}')
    conv = converter('scannet_data_utils')
    update = converter('update_infos_to_v2')
    stage = state_dir(root)
    reports = []
    for split, has_label in (('train', True), ('val', True), ('test', False)):
        split_file = osp.join(root, 'meta_data', f'scannetv2_{split}.txt')
        if not osp.isfile(split_file):
            continue
        scenes = conv.ScanNetData(root_path=root, split=split).sample_id_list
        chunks = [
            tuple(scenes[i:i + CHUNK]) for i in range(0, len(scenes), CHUNK)
        ]
        final = osp.join(root, f'scannet_infos_{split}.pkl')

        def infos(split=split,
                  has_label=has_label,
                  chunks=chunks,
                  final=final):
            parts = cached_map(
                _Chunk(root, split, has_label),
                chunks,
                osp.join(stage, f'scannet_{split}'),
                key=lambda c: f'{c[0]}_{len(c)}',
                workers=workers)
            staged = osp.join(stage, f'v1_scannet_infos_{split}.pkl')
            mmengine.dump([i for part in parts for i in part], staged)
            v2_dir = osp.join(stage, 'v2')  # the v1 file feeds seg_info
            update.update_pkl_infos('scannet', out_dir=v2_dir, pkl_path=staged)
            os.replace(osp.join(v2_dir, osp.basename(staged)), final)

        run_step(root, f'scannet_{split}', dict(scenes=len(scenes)), infos)
        if has_label:
            reports.append(
                verify_infos(final, root, 'points', 6, drop_bad=drop_bad))

    def seg_infos():
        for split in ('train', 'val'):
            ann = osp.join(stage, f'v1_scannet_infos_{split}.pkl')
            converter('scannet_data_utils').ScanNetSegData(
                data_root=root,
                ann_file=ann,
                split=split,
                num_points=8192,
                label_weight_func=_label_weight).get_seg_infos()

    run_step(root, 'scannet_seg_info', dict(version=1), seg_infos)
    return reports


def _label_weight(x: np.ndarray) -> np.ndarray:
    return 1.0 / np.log(1.2 + x)

"""SemanticKITTI info files (mmdet3d's converter) plus a file check."""
import os
import os.path as osp
from typing import List

from ..synthetic import read_marker
from .mmdet3d_converters import converter
from .resumable import run_step
from .verify import verify_infos


def prepare_semantickitti(root: str, drop_bad: bool = False) -> List[dict]:
    """Write ``semantickitti_infos_{train,val,test}.pkl`` into ``root``.

    mmdet3d's converter lists the scans of the official sequences without
    looking at the disk; the check then reports (or, with ``drop_bad``,
    removes) the scans missing or unreadable in this copy.
    """
    if not osp.isdir(osp.join(root, 'sequences')):
        raise FileNotFoundError(
            f'{root}: no sequences/ folder. Expected the SemanticKITTI '
            'layout data/semantickitti/sequences/<00..21>/velodyne/*.bin '
            '(see mmdet3d docs, "SemanticKITTI"). Fix: pass --root-path to '
            'the folder holding sequences/')
    if read_marker(root) is not None:
        raise ValueError(
            f'{root}: a synthetic dataset written by '
            'tools/generate_synthetic.py (it has the generator marker '
            "file), not SemanticKITTI; mmdet3d's converter would replace "
            'its info files by the official sequences, pointing at scans '
            'it does not have and without its boxes. Nothing was written. '
            'Fix: its info files come with it; to remake them, python '
            f'tools/generate_synthetic.py --out {root} (into an empty '
            'folder)')
    conv = converter('semantickitti_converter')
    cwd = os.getcwd()

    def infos():
        os.chdir(root)  # its paths are relative to the dataset root
        try:
            conv.create_semantickitti_info_file('semantickitti', '.')
        finally:
            os.chdir(cwd)

    run_step(root, 'semantickitti_infos', dict(version=1), infos)
    return [
        verify_infos(
            osp.join(root, f'semantickitti_infos_{split}.pkl'),
            root,
            '',
            4,
            drop_bad=drop_bad) for split in ('train', 'val')
    ]

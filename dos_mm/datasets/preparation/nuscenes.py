"""nuScenes info files (mmdet3d's converter on nuscenes-devkit) for
pretraining and fine-tuning: staged, resumable, checked."""
import contextlib
import os
import os.path as osp
from typing import Iterator, List

from mmengine.registry import init_default_scope

from .mmdet3d_converters import converter
from .resumable import run_step, state_dir
from .verify import verify_infos

VERSIONS = ('v1.0-trainval', 'v1.0-test', 'v1.0-mini')
STAGE = '.dos_stage_nuscenes'


@contextlib.contextmanager
def _cwd_with_data_nuscenes(root: str) -> Iterator[None]:
    """mmdet3d's ``update_nuscenes_infos`` opens the tables at the fixed
    path ``./data/nuscenes``: run it from a folder where that path links to
    ``root``."""
    cwd = osp.join(state_dir(root), 'cwd')
    link = osp.join(cwd, 'data', 'nuscenes')
    os.makedirs(osp.dirname(link), exist_ok=True)
    if osp.islink(link) and os.readlink(link) != root:
        os.remove(link)
    if not osp.islink(link):
        os.symlink(root, link)
    before = os.getcwd()
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(before)


def prepare_nuscenes(root: str,
                     version: str = 'v1.0-trainval',
                     max_sweeps: int = 10,
                     gt_database: bool = False,
                     drop_bad: bool = False) -> List[dict]:
    """Write ``nuscenes_infos_{train,val}.pkl`` (or ``_test``) into ``root``.

    Steps (each skipped when done before): mmdet3d's v1 infos under a
    staging prefix, their update to the v2 format, the rename into place,
    optionally the ground-truth database for CenterPoint's ``ObjectSample``,
    and a check of every key-frame and sweep file (report in
    ``nuscenes_infos_*.check.json``).
    """
    if version not in VERSIONS:
        raise ValueError(f'unknown nuScenes version {version!r}; expected '
                         f'one of {VERSIONS}')
    if not osp.isdir(osp.join(root, version)):
        raise FileNotFoundError(
            f'{root}: no {version}/ folder with the nuScenes tables. '
            'Expected data/nuscenes/{samples,sweeps,maps,' + version + '} '
            '(see mmdet3d docs, "NuScenes Dataset"). Fix: pass --root-path '
            'and --version matching the download')
    root = osp.abspath(root)
    conv = converter('nuscenes_converter')
    update = converter('update_infos_to_v2')
    splits = ['test'] if version == 'v1.0-test' else ['train', 'val']
    stage_dir = state_dir(root)
    settings = dict(version=version, max_sweeps=max_sweeps)

    finals = [osp.join(root, f'nuscenes_infos_{s}.pkl') for s in splits]
    staged_or_final = [
        osp.join(root, f'{STAGE}_infos_{s}.pkl') if not osp.exists(f) else f
        for s, f in zip(splits, finals)
    ]
    run_step(
        root,
        'nuscenes_v1_infos',
        settings,
        lambda: conv.create_nuscenes_infos(
            root, STAGE, version=version, max_sweeps=max_sweeps),
        outputs=staged_or_final)
    for split in splits:
        staged = osp.join(root, f'{STAGE}_infos_{split}.pkl')
        final = osp.join(root, f'nuscenes_infos_{split}.pkl')

        def to_v2(staged=staged, final=final):
            with _cwd_with_data_nuscenes(root):
                update.update_pkl_infos(
                    'nuscenes', out_dir=stage_dir, pkl_path=staged)
            os.replace(osp.join(stage_dir, osp.basename(staged)), final)

        run_step(
            root, f'nuscenes_v2_{split}', settings, to_v2, outputs=[final])
    for split in splits:  # every split is in the v2 format now
        staged = osp.join(root, f'{STAGE}_infos_{split}.pkl')
        if osp.exists(staged):
            os.remove(staged)
    if gt_database and 'train' in splits:
        gt = converter('create_gt_database')

        def gt_database():
            init_default_scope('mmdet3d')  # it builds mmdet3d's dataset
            gt.create_groundtruth_database(
                'NuScenesDataset', root, 'nuscenes',
                osp.join(root, 'nuscenes_infos_train.pkl'))

        run_step(
            root,
            'nuscenes_gt_database',
            settings,
            gt_database,
            outputs=[osp.join(root, 'nuscenes_dbinfos_train.pkl')])
    return [
        verify_infos(
            osp.join(root, f'nuscenes_infos_{split}.pkl'),
            root,
            'samples/LIDAR_TOP',
            5,
            sweeps_prefix='sweeps/LIDAR_TOP',
            drop_bad=drop_bad) for split in splits
    ]

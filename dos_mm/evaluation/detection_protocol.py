"""Detection transfer on the synthetic scans: fine-tune CenterPoint from a
DOS backbone and from scratch on the same labelled scans, test both with
the config's test loop (the demo's detection half and tools/
benchmark_det.py)."""
import os.path as osp
import time
from typing import Dict, Optional, Sequence

import mmengine
import torch

from dos_mm.apis import finetune, run_test
from dos_mm.datasets import write_label_splits

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {
    'scratch': 'centerpoint_voxel01_scratch_synthetic-3d.py',
    'dos': 'centerpoint_voxel01_dos_synthetic-3d.py',
    'dos_frozen': 'centerpoint_voxel01_dos-frozen_synthetic-3d.py',
}


def config_path(arm: str) -> str:
    """The CenterPoint config of an arm (``scratch``, ``dos``,
    ``dos_frozen``)."""
    if arm not in CONFIGS:
        raise ValueError(f'unknown arm {arm!r}; known: {sorted(CONFIGS)}')
    return osp.join(REPO, 'configs', 'centerpoint', CONFIGS[arm])


def labelled_split(data_root: str, fraction: float, seed: int) -> str:
    """Write (once, atomically) and return the info file of a seeded
    ``fraction`` of the training scans (``tools/make_label_splits.py``'s
    files, relative to ``data_root``)."""
    info = osp.join(data_root, 'semantickitti_infos_train.pkl')
    path = write_label_splits(info, [fraction], seed)[fraction]
    return osp.basename(path)


def _options(data_root: str, ann_file: str, iters: int, seed: int,
             checkpoint: Optional[str], workers: int) -> dict:
    loader = dict(num_workers=workers, persistent_workers=workers > 0)
    root = osp.abspath(data_root) + '/'
    opts = {
        'train_dataloader.dataset.data_root': root,
        'train_dataloader.dataset.ann_file': ann_file,
        'test_dataloader.dataset.data_root': root,
        'train_cfg.max_iters': iters,
        # no validation loop (mmengine's iteration loop would also run it
        # after the last iteration); the test loop evaluates
        'val_dataloader': None,
        'val_cfg': None,
        'val_evaluator': None,
        'default_hooks.checkpoint.interval': iters,
        'randomness': dict(seed=seed),
    }
    for split in ('train', 'test'):
        for key, value in loader.items():
            opts[f'{split}_dataloader.{key}'] = value
    if checkpoint is not None:
        opts['model.init_cfg.checkpoint'] = checkpoint
    return opts


def scale_schedule(iters: int) -> dict:
    """Overrides that stretch the config's warm-up + cosine schedule to
    ``iters`` iterations (the config's values are for its own length)."""
    warm = max(1, iters // 10)
    return {
        'param_scheduler': [
            dict(
                type='LinearLR',
                start_factor=0.1,
                by_epoch=False,
                begin=0,
                end=warm),
            dict(
                type='CosineAnnealingLR',
                by_epoch=False,
                begin=warm,
                end=iters,
                T_max=iters - warm,
                eta_min=1e-5),
        ]
    }


@torch.no_grad()
def _first_test_scan(runner) -> Dict:
    """Points, ground truth and predictions of the first test scan."""
    batch = next(iter(runner.test_dataloader))
    model = runner.model
    model.eval()
    pred = model.test_step(batch)[0]
    sample = batch['data_samples'][0]
    gt = sample.eval_ann_info
    boxes = pred.pred_instances_3d
    keep = boxes.scores_3d >= 0.3
    return dict(
        points=batch['inputs']['points'][0][:, :2].cpu().numpy(),
        gt_boxes=gt['gt_bboxes_3d'].tensor[:, :7].cpu().numpy(),
        pred_boxes=boxes.bboxes_3d.tensor[keep][:, :7].cpu().numpy())


def detection_transfer(data_root: str,
                       work_dir: str,
                       arms: Sequence[str],
                       checkpoint: Optional[str],
                       ann_file: str,
                       iters: int,
                       seed: int = 0,
                       threads: Optional[int] = None,
                       workers: int = 0,
                       picture: bool = False,
                       lr: Optional[float] = None) -> Dict[str, Dict]:
    """Fine-tune and test each arm on the same labelled scans.

    Args:
        data_root (str): the synthetic dataset folder.
        work_dir (str): outputs go to ``work_dir/det_<arm>``.
        arms (Sequence[str]): keys of ``CONFIGS``.
        checkpoint (str, optional): the converted DOS backbone
            (``--target centerpoint``) for the DOS arms.
        ann_file (str): training info file (relative to ``data_root``).
        iters (int): fine-tuning iterations, the same for every arm.
        seed (int): mmengine's seed (same for every arm).
        threads (int, optional): torch CPU threads.
        workers (int): data-loader workers (0: load in the main process,
            which leaves both cores of a small machine to the model).
        picture (bool): keep the first test scan's boxes for a picture.
        lr (float, optional): peak fine-tuning learning rate of every arm
            (None: the config's).

    Returns:
        dict: arm -> ``map`` and ``ap`` (class -> AP, percent),
        ``train_s``, ``test_s``, ``iters``, ``labelled`` (scans) and, with
        ``picture``, ``scan``.
    """
    labelled = len(mmengine.load(osp.join(data_root, ann_file))['data_list'])
    results = {}
    for arm in arms:
        if arm != 'scratch' and not (checkpoint and osp.isfile(checkpoint)):
            raise FileNotFoundError(
                f'the {arm} arm needs the converted DOS backbone, got '
                f'{checkpoint!r}. Fix: python tools/convert_checkpoint.py '
                'WORK_DIR/iter_N.pth CHECKPOINT --target centerpoint')
        opts = _options(data_root, ann_file, iters, seed,
                        None if arm == 'scratch' else checkpoint, workers)
        opts.update(scale_schedule(iters))
        if lr is not None:
            opts['optim_wrapper.optimizer.lr'] = lr
        start = time.time()
        runner = finetune(
            config_path(arm),
            osp.join(work_dir, f'det_{arm}'),
            cfg_options=opts,
            threads=threads)
        trained = time.time()
        metrics = run_test(runner)
        res = dict(
            map=float(metrics['det/mAP']),
            ap={
                k[len('det/AP_'):]: float(v)
                for k, v in metrics.items() if k.startswith('det/AP_')
            },
            train_s=round(trained - start, 1),
            test_s=round(time.time() - trained, 1),
            iters=iters,
            labelled=labelled)
        if picture:
            res['scan'] = _first_test_scan(runner)
        results[arm] = res
        del runner
    return results

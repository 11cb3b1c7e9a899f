"""The detection transfer protocol on the synthetic scans (the demo's
detection half and ``tools/benchmark_det.py``; docs/detection.md).

Arms, each a config in ``configs/centerpoint/``:

- ``scratch``: CenterPoint from random initialisation;
- ``dos``: the DOS-pretrained sparse encoder with the scratch recipe;
- ``dos_ft``: the DOS encoder with the pretrained-encoder recipe (encoder
  rate 0.1x, frozen for the first 5 % of the iterations);
- ``dos_frozen``: the DOS encoder frozen (only the 2D part trains);
- ``random_frozen``: a random encoder frozen (the floor of ``dos_frozen``).

Every arm recomputes BatchNorm statistics before each evaluation
(``PreciseBNHook``) and runs the configs' one schedule. The length and the
peak rate of that schedule are calibrated on the scratch arm alone, on the
val split (:func:`calibrate`, :func:`choose_protocol`), and written into the
configs before the test split is scored.
"""
import glob
import json
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

import mmengine
import torch

from dos_mm.apis import finetune, run_test
from dos_mm.datasets import write_label_splits

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {
    'scratch': 'centerpoint_voxel01_scratch_synthetic-3d.py',
    'dos': 'centerpoint_voxel01_dos_synthetic-3d.py',
    'dos_ft': 'centerpoint_voxel01_dos-ft_synthetic-3d.py',
    'dos_frozen': 'centerpoint_voxel01_dos-frozen_synthetic-3d.py',
    'random_frozen': 'centerpoint_voxel01_random-frozen_synthetic-3d.py',
}
PRETRAINED_ARMS = ('dos', 'dos_ft', 'dos_frozen')
# the paired differences a benchmark reports: (arm, its reference)
COMPARISONS = (('dos', 'scratch'), ('dos_ft', 'scratch'),
               ('dos_frozen', 'scratch'), ('dos_frozen', 'random_frozen'))
SPLIT_FILES = {
    split: f'semantickitti_infos_{split}.pkl'
    for split in ('train', 'val', 'test')
}


def config_path(arm: str) -> str:
    """The CenterPoint config of an arm (a key of ``CONFIGS``)."""
    if arm not in CONFIGS:
        raise ValueError(f'unknown arm {arm!r}; known: {sorted(CONFIGS)}')
    return osp.join(REPO, 'configs', 'centerpoint', CONFIGS[arm])


def labelled_split(data_root: str, fraction: float, seed: int) -> str:
    """Write (once, atomically) and return the info file of a seeded
    ``fraction`` of the training scans (``tools/make_label_splits.py``'s
    files, relative to ``data_root``)."""
    info = osp.join(data_root, SPLIT_FILES['train'])
    path = write_label_splits(info, [fraction], seed)[fraction]
    return osp.basename(path)


def _options(data_root: str,
             ann_file: str,
             seed: int,
             checkpoint: Optional[str],
             workers: int,
             test_split: str,
             eval_every: Optional[int] = None,
             lr: Optional[float] = None) -> dict:
    """``--cfg-options`` of one run: its data, its seed, its evaluation.

    With ``eval_every`` the val split is evaluated every ``eval_every``
    iterations (calibration); otherwise the run has no validation loop
    (mmengine's iteration loop would also run it after the last iteration)
    and only the test loop evaluates.
    """
    root = osp.abspath(data_root) + '/'
    loader = dict(num_workers=workers, persistent_workers=workers > 0)
    opts = {
        'train_dataloader.dataset.data_root': root,
        'train_dataloader.dataset.ann_file': ann_file,
        'test_dataloader.dataset.data_root': root,
        'test_dataloader.dataset.ann_file': SPLIT_FILES[test_split],
        'randomness': dict(seed=seed),
    }
    splits = ['train', 'test']
    if eval_every:
        opts.update({
            'val_dataloader.dataset.data_root': root,
            'val_dataloader.dataset.ann_file': SPLIT_FILES['val'],
            'train_cfg.val_interval': eval_every,
        })
        splits.append('val')
    else:
        opts.update({
            'val_dataloader': None,
            'val_cfg': None,
            'val_evaluator': None,
        })
    for split in splits:
        for key, value in loader.items():
            opts[f'{split}_dataloader.{key}'] = value
    if checkpoint is not None:
        opts['model.init_cfg.checkpoint'] = checkpoint
    if lr is not None:
        opts['optim_wrapper.optimizer.lr'] = lr
    return opts


def protocol_of(arm: str = 'scratch') -> dict:
    """The schedule an arm's config fixes: ``iters`` and peak ``lr``."""
    cfg = mmengine.Config.fromfile(config_path(arm))
    return dict(
        iters=int(cfg.train_cfg.max_iters),
        lr=float(cfg.optim_wrapper.optimizer.lr))


def _metrics(raw: dict) -> dict:
    """mAP and per-class AP (percent) from the metric's ``det/`` keys."""
    return dict(
        map=float(raw['det/mAP']),
        ap={
            k[len('det/AP_'):]: float(v)
            for k, v in raw.items() if k.startswith('det/AP_')
        })


def eval_history(work_dir: str) -> List[dict]:
    """The validation results of a run, from mmengine's local visualiser
    backend (``vis_data/scalars.json``): ``[{iter, map, ap}]`` in order."""
    files = sorted(
        glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(
            f'{work_dir}: no */vis_data/scalars.json; the run logged no '
            "validation (its config needs LocalVisBackend, as the synthetic "
            'detection configs have)')
    history = []
    with open(files[-1]) as f:
        for line in f:
            row = json.loads(line)
            if 'det/mAP' in row:
                history.append(dict(iter=int(row['step']), **_metrics(row)))
    return history


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
                       iters: Optional[int] = None,
                       seed: int = 0,
                       threads: Optional[int] = None,
                       workers: int = 0,
                       picture: bool = False,
                       test_split: str = 'test') -> Dict[str, Dict]:
    """Fine-tune and test each arm on the same labelled scans, with the
    protocol its config fixes.

    Args:
        data_root (str): the synthetic dataset folder.
        work_dir (str): outputs go to ``work_dir/det_<arm>``.
        arms (Sequence[str]): keys of ``CONFIGS``.
        checkpoint (str, optional): the converted DOS backbone
            (``--target centerpoint``) for the pretrained arms.
        ann_file (str): training info file (relative to ``data_root``).
        iters (int, optional): fine-tuning iterations of every arm instead
            of the configs' calibrated length, schedules fitted to it (the
            demo's short run; tests).
        seed (int): mmengine's seed (same for every arm).
        threads (int, optional): torch CPU threads.
        workers (int): data-loader workers (0: load in the main process,
            which leaves both cores of a small machine to the model).
        picture (bool): keep the first test scan's boxes for a picture.
        test_split (str): the split scored (``test``; the demo's data has
            ``val`` only).

    Returns:
        dict: arm -> ``map`` and ``ap`` (class -> AP, percent),
        ``train_s``, ``test_s``, ``iters``, ``lr``, ``labelled`` (scans)
        and, with ``picture``, ``scan``.
    """
    labelled = len(mmengine.load(osp.join(data_root, ann_file))['data_list'])
    results = {}
    for arm in arms:
        if arm in PRETRAINED_ARMS and not (checkpoint
                                           and osp.isfile(checkpoint)):
            raise FileNotFoundError(
                f'the {arm} arm needs the converted DOS backbone, got '
                f'{checkpoint!r}. Fix: python tools/convert_checkpoint.py '
                'WORK_DIR/iter_N.pth CHECKPOINT --target centerpoint')
        opts = _options(data_root, ann_file, seed,
                        checkpoint if arm in PRETRAINED_ARMS else None,
                        workers, test_split)
        start = time.time()
        runner = finetune(
            config_path(arm),
            osp.join(work_dir, f'det_{arm}'),
            cfg_options=opts,
            threads=threads,
            iters=iters)
        trained = time.time()
        res = dict(
            _metrics(run_test(runner)),
            train_s=round(trained - start, 1),
            test_s=round(time.time() - trained, 1),
            iters=runner.max_iters,
            lr=float(runner.cfg.optim_wrapper.optimizer.lr),
            labelled=labelled)
        if picture:
            res['scan'] = _first_test_scan(runner)
        results[arm] = res
        del runner
    return results


def calibrate_rate(data_root: str,
                   work_dir: str,
                   ann_file: str,
                   lr: float,
                   iters: int,
                   eval_every: int,
                   seed: int = 0,
                   threads: Optional[int] = None,
                   workers: int = 0) -> List[dict]:
    """The scratch arm at peak rate ``lr``, its schedule stretched to
    ``iters``, evaluated on the val split every ``eval_every`` iterations
    (BatchNorm recomputed first). Never touches the test split.

    Returns:
        list: ``[{iter, map, ap}]``, one per evaluation.
    """
    opts = _options(
        data_root,
        ann_file,
        seed,
        None,
        workers,
        test_split='val',
        eval_every=eval_every,
        lr=lr)
    opts['default_hooks.checkpoint.interval'] = iters
    out = osp.join(work_dir, f'scratch_lr{lr:g}')
    finetune(
        config_path('scratch'),
        out,
        cfg_options=opts,
        threads=threads,
        iters=iters)
    return eval_history(out)


def choose_protocol(curves: Dict[float, List[dict]],
                    share: float = 0.95) -> dict:
    """The rate and length fixed for every arm, from the scratch curves.

    The rate is the one whose curve reaches the highest val mAP (its
    plateau); the length is the first evaluated iteration at which that
    curve reaches ``share`` of its plateau. A curve evaluated mid-run has
    not yet decayed its rate, so it understates what a run of that length
    reaches and the length errs long.

    Args:
        curves (dict): peak rate -> ``[{iter, map}]`` (from
            :func:`calibrate_rate`).
        share (float): the share of the plateau to reach.

    Returns:
        dict: ``lr``, ``iters``, ``plateau`` (mAP), ``share``, and ``rule``
        (the rule in words, saved with the results).

    Raises:
        ValueError: no curve has an evaluation, or none scores above 0.
    """
    if not any(curves.values()):
        raise ValueError('no calibration curve has an evaluation')
    best = max((max(p['map'] for p in c), lr) for lr, c in curves.items() if c)
    plateau, lr = best
    if plateau <= 0:
        raise ValueError('every calibration run scored 0 mAP on val: the '
                         'curves say nothing about length or rate. Fix: '
                         'longer or higher-rate calibration runs')
    curve = sorted(curves[lr], key=lambda p: p['iter'])
    iters = next(p['iter'] for p in curve if p['map'] >= share * plateau)
    return dict(
        lr=lr,
        iters=iters,
        plateau=plateau,
        share=share,
        rule=(f'scratch only, val split: the peak rate of the highest val '
              f'mAP; the first evaluated length reaching {share:.0%} of '
              'that rate\'s best'))

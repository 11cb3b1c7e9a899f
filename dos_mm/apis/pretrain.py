"""Run a DOS pretraining in-process with mmengine's Runner."""
import os.path as osp
from typing import Optional

from mmengine.runner import Runner

from dos_mm.utils import fit_run_length, load_config, setup_launch


def set_data_root(cfg, data_root: str) -> None:
    """Point the training scans and, where the config has an online probe
    (a ``ProbeSplits`` validation set), its labelled scans at
    ``data_root``; ``cfg`` is changed in place."""
    root = osp.abspath(data_root) + '/'
    cfg.train_dataloader.dataset.data_root = root
    probe = (cfg.get('val_dataloader') or {}).get('dataset', {})
    if probe.get('type') == 'ProbeSplits':
        probe['fit']['data_root'] = probe['held_out']['data_root'] = root


def drop_validation(cfg) -> None:
    """Remove the validation loop (and the best-checkpoint rule that reads
    its metric) from ``cfg``, in place."""
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    checkpoint = cfg.get('default_hooks', {}).get('checkpoint')
    if checkpoint:
        checkpoint['save_best'] = None


def pretrain(config: str,
             work_dir: str,
             data_root: Optional[str] = None,
             iters: Optional[int] = None,
             seed: int = 0,
             cfg_options: Optional[dict] = None,
             threads: Optional[int] = None,
             validate: bool = True) -> Runner:
    """Train ``config`` and return the runner (``runner.model`` is the DOS
    model; checkpoints are in ``work_dir`` as mmengine writes them).

    Args:
        config (str): a DOS pretraining config.
        work_dir (str): output folder.
        data_root (str, optional): overrides the datasets' ``data_root``
            (:func:`set_data_root`).
        iters (int, optional): overrides ``train_cfg.max_iters``; the
            learning-rate and weight-decay schedulers are fitted to it
            (:func:`dos_mm.utils.rescale_param_schedulers`). The DOS
            schedule is in fractions of the run already.
        seed (int): mmengine's ``randomness.seed``.
        cfg_options (dict, optional): further overrides, as
            ``--cfg-options`` takes them.
        threads (int, optional): torch CPU threads.
        validate (bool): keep the config's validation loop (the online
            probe); False removes it, for runs that measure their own
            time per step or probe once at the end (the benchmarks).
    """
    cfg = load_config(config, cfg_options, work_dir)
    if data_root is not None:
        set_data_root(cfg, data_root)
    if not validate:
        drop_validation(cfg)
    cfg.randomness = dict(seed=seed)
    if iters:
        fit_run_length(cfg, iters)
    setup_launch(cfg, threads)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner

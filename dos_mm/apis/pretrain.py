"""Run a DOS pretraining in-process with mmengine's Runner."""
import os.path as osp
from typing import Optional

from mmengine.runner import Runner

from dos_mm.utils import fit_run_length, load_config, setup_launch


def pretrain(config: str,
             work_dir: str,
             data_root: Optional[str] = None,
             iters: Optional[int] = None,
             seed: int = 0,
             cfg_options: Optional[dict] = None,
             threads: Optional[int] = None) -> Runner:
    """Train ``config`` and return the runner (``runner.model`` is the DOS
    model; checkpoints are in ``work_dir`` as mmengine writes them).

    Args:
        config (str): a DOS pretraining config.
        work_dir (str): output folder.
        data_root (str, optional): overrides the dataset's ``data_root``.
        iters (int, optional): overrides ``train_cfg.max_iters``; the
            learning-rate and weight-decay schedulers are fitted to it
            (:func:`dos_mm.utils.rescale_param_schedulers`). The DOS
            schedule is in fractions of the run already.
        seed (int): mmengine's ``randomness.seed``.
        cfg_options (dict, optional): further overrides, as
            ``--cfg-options`` takes them.
        threads (int, optional): torch CPU threads.
    """
    cfg = load_config(config, cfg_options, work_dir)
    if data_root is not None:
        cfg.train_dataloader.dataset.data_root = osp.abspath(data_root) + '/'
    cfg.randomness = dict(seed=seed)
    if iters:
        fit_run_length(cfg, iters)
    setup_launch(cfg, threads)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner

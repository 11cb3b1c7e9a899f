"""Fine-tune and test an mmdet3d config in-process, as tools/train.py and
tools/test.py do."""
from typing import Dict, Optional

from mmengine.runner import Runner

from dos_mm.utils import (check_info_files, fit_run_length, load_config,
                          setup_launch)


def finetune(config: str,
             work_dir: str,
             cfg_options: Optional[dict] = None,
             threads: Optional[int] = None,
             iters: Optional[int] = None) -> Runner:
    """Train ``config`` with mmengine's Runner and return the runner.

    The config is loaded, checked and adapted to the machine exactly as
    ``tools/train.py`` does it (``load_config``, ``check_info_files``,
    ``setup_launch``).

    Args:
        config (str): an mmdet3d (or dos_mm) config.
        work_dir (str): output folder (checkpoints, logs).
        cfg_options (dict, optional): overrides, as ``--cfg-options``.
        threads (int, optional): torch CPU threads.
        iters (int, optional): run length instead of the config's, with
            the parameter schedulers fitted to it
            (:func:`dos_mm.utils.fit_run_length`).
    """
    cfg = load_config(config, cfg_options, work_dir)
    if iters:
        fit_run_length(cfg, iters)
    setup_launch(cfg, threads)
    check_info_files(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def run_test(runner: Runner) -> Dict[str, float]:
    """The config's test loop on the runner's current model (what
    ``tools/test.py`` reports for a checkpoint of it)."""
    return dict(runner.test())

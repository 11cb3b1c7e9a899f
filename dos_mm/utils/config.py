"""Loading a config the way tools/train.py and tools/test.py both do."""
import os.path as osp
from typing import Optional

from mmengine.config import Config


def load_config(path: str,
                cfg_options: Optional[dict] = None,
                work_dir: Optional[str] = None,
                launcher: str = 'none') -> Config:
    """Read ``path``, merge ``--cfg-options`` and set the work dir
    (``work_dirs/<config name>`` unless given or set in the config).

    A ``train_cfg.max_iters`` among the options is one meaning of a run's
    length: the iteration-based parameter schedulers are fitted to it
    (:func:`dos_mm.utils.rescale_param_schedulers`), as
    ``apis.pretrain(iters=...)`` does, and the log says so. Otherwise a
    shorter run would stop with its rate still warming up.
    """
    cfg = Config.fromfile(path)
    cfg.launcher = launcher
    if cfg_options:
        length = cfg.get('train_cfg', {}).get('max_iters')
        cfg.merge_from_dict(cfg_options)
        _fit_schedulers(cfg, length)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(path))[0])
    return cfg


def _fit_schedulers(cfg: Config, length: Optional[int]) -> None:
    """Refit the schedulers of ``cfg`` from the config's ``length`` to its
    (overridden) ``train_cfg.max_iters``."""
    from mmengine.logging import print_log

    from .run_length import rescale_param_schedulers
    new = cfg.get('train_cfg', {}).get('max_iters')
    if not length or not new or new == length or not cfg.get(
            'param_scheduler'):
        return
    try:
        cfg.param_scheduler = rescale_param_schedulers(cfg.param_scheduler,
                                                       length, new)
    except ValueError as exc:  # epoch-based schedulers: left as they are
        print_log(
            f'train_cfg.max_iters={new} (config: {length}); the parameter '
            f'schedulers were not refitted: {exc}',
            logger='current',
            level=30)
        return
    print_log(
        f'train_cfg.max_iters={new} (config: {length}): parameter '
        'schedulers refitted to the new length (begin/end/T_max scaled by '
        f'{new / length:.3g})',
        logger='current')

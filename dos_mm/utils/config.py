"""Loading a config the way tools/train.py and tools/test.py both do."""
import os.path as osp
import uuid
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
    shorter run would stop with its rate still warming up. The validation
    interval (the online probe's) scales with it, unless the options set
    it too.

    A path that does not exist is an error naming the working directory
    (and the repository's config of that name, when there is one); a data
    loader with ``num_workers=0`` gets ``persistent_workers=False`` (torch
    refuses the pair), with a log line.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(_missing_config(path))
    cfg = Config.fromfile(path)
    cfg.launcher = launcher
    if cfg_options:
        length = cfg.get('train_cfg', {}).get('max_iters')
        interval = cfg.get('train_cfg', {}).get('val_interval')
        cfg.merge_from_dict(cfg_options)
        _fit_schedulers(cfg, length)
        if not any('val_interval' in str(k) for k in cfg_options):
            _fit_val_interval(cfg, length, interval)
    _no_persistent_workers_without_workers(cfg)
    _own_visualizer(cfg)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(path))[0])
    return cfg


def _missing_config(path: str) -> str:
    import os
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    msg = (f'config {path!r} does not exist (relative paths are read from '
           f'the working directory, {os.getcwd()}).')
    in_repo = osp.join(repo, path)
    if not osp.isabs(path) and osp.isfile(in_repo):
        return f'{msg} Fix: give {in_repo}, or run from {repo}'
    return f'{msg} Fix: check the name; the shipped configs are in ' \
        f'{osp.join(repo, "configs")}'


def _no_persistent_workers_without_workers(cfg: Config) -> None:
    from mmengine.logging import print_log
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader and loader.get('num_workers', 1) == 0 and loader.get(
                'persistent_workers', False):
            loader['persistent_workers'] = False
            print_log(
                f'{key}.num_workers=0: persistent_workers set to False '
                '(torch needs worker processes to keep)',
                logger='current')


def _own_visualizer(cfg: Config) -> None:
    """Give the run a visualizer of its own.

    mmengine builds a visualizer by name and returns the existing instance
    when one of that name exists, with the save folder of the run that made
    it. mmdet3d's dataset bases name theirs ``'visualizer'``, so a second
    run in one process (an in-process benchmark, a notebook, the tests)
    would write its logged scalars (``vis_data/scalars.json``, the online
    probe's curve) into the first run's folder. A name unique to each loaded
    config avoids that; nothing looks the visualizer up by this name.
    """
    vis = cfg.get('visualizer')
    if isinstance(vis, dict):
        vis['name'] = f'visualizer_{uuid.uuid4().hex[:12]}'


def _fit_val_interval(cfg: Config, length: Optional[int],
                      interval: Optional[int]) -> None:
    """Scale the validation interval (the online probe's) with an
    overridden ``train_cfg.max_iters``, as ``apis.pretrain(iters=...)``
    does, so a run evaluates as many times at any length; an interval set
    in the same options is left alone."""
    new = cfg.get('train_cfg', {}).get('max_iters')
    if not (length and new and interval and new != length
            and cfg.get('val_dataloader')):
        return
    from .run_length import scaled_val_interval
    cfg.train_cfg.val_interval = scaled_val_interval(interval, length, new)


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

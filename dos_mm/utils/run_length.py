"""A config's iteration-based parameter schedule fitted to another run
length."""
from typing import List, Union

SCALED_KEYS = ('begin', 'end', 'T_max')


def rescale_param_schedulers(schedulers: Union[dict, List[dict]],
                             max_iters: int, iters: int) -> List[dict]:
    """``schedulers`` (mmengine ``param_scheduler`` configs counted in
    iterations, for a run of ``max_iters``) for a run of ``iters``: every
    ``begin``, ``end`` and ``T_max`` is scaled by ``iters / max_iters`` and
    rounded, so that warm-up and decay keep their share of the run.

    Setting only ``train_cfg.max_iters`` would leave a cosine that ends at
    the config's length: a shorter run stops before its learning rate and
    weight decay have decayed, a longer one spends its end at ``eta_min``.

    Raises:
        ValueError: for a scheduler counted in epochs (``by_epoch`` true,
            mmengine's default), which has no iteration bounds to scale.
    """
    if max_iters < 1 or iters < 1:
        raise ValueError(f'run lengths must be >= 1, got {max_iters} and '
                         f'{iters}')
    factor = iters / max_iters
    out = []
    for sched in [schedulers] if isinstance(schedulers, dict) else schedulers:
        if sched.get('by_epoch', True):
            raise ValueError(
                f"param_scheduler {sched.get('type')} is counted in epochs "
                '(by_epoch is true or unset); only iteration-based '
                'schedulers can be fitted to another run length. Fix: set '
                'by_epoch=False with begin/end in iterations')
        new = dict(sched)
        for key in SCALED_KEYS:
            if new.get(key) is not None:
                # a bound past the run (mmengine's INF end) stays past it
                new[key] = (
                    new[key] if new[key] > max_iters else int(
                        round(new[key] * factor)))
        if 'begin' in new and 'end' in new and new['end'] <= new['begin']:
            new['end'] = new['begin'] + 1  # a short warm-up keeps a step
        out.append(new)
    return out


def scaled_val_interval(interval: int, length: int, new_length: int) -> int:
    """The validation interval that evaluates a run of ``new_length``
    iterations as many times as ``interval`` does one of ``length``
    (at least 1)."""
    return max(1, round(interval * new_length / length))


def fit_run_length(cfg, iters: int) -> bool:
    """Set an iteration-based config's run to ``iters`` iterations, its
    parameter schedulers fitted to it (:func:`rescale_param_schedulers`)
    and its validation interval (the online probe's) scaled with it, so a
    run evaluates as many times at any length.

    Args:
        cfg (mmengine.Config): a config with ``train_cfg.max_iters``;
            changed in place.
        iters (int): the new run length.

    Returns:
        bool: whether anything changed.
    """
    if iters == cfg.train_cfg.max_iters:
        return False
    if cfg.get('param_scheduler'):
        cfg.param_scheduler = rescale_param_schedulers(cfg.param_scheduler,
                                                       cfg.train_cfg.max_iters,
                                                       iters)
    interval = cfg.train_cfg.get('val_interval')
    if interval and cfg.get('val_dataloader'):
        cfg.train_cfg.val_interval = scaled_val_interval(
            interval, cfg.train_cfg.max_iters, iters)
    cfg.train_cfg.max_iters = iters
    return True

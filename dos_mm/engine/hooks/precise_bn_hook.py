"""Recompute BatchNorm statistics before every evaluation and every final
checkpoint (see ``dos_mm.engine.precise_bn`` for why)."""
from typing import Optional

import torch
from mmdet3d.registry import HOOKS
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import DataLoader, RandomSampler

from ..precise_bn import recompute_bn_statistics


@HOOKS.register_module()
class PreciseBNHook(Hook):
    """Recompute the running statistics of every BatchNorm layer on
    ``num_batches`` training batches, with the weights fixed, whenever an
    evaluation or the end of training follows.

    When: after the training iteration (or epoch) after which the train
    loop validates (its ``val_interval``), after the last one, and every
    ``interval`` iterations if given. The hook runs before
    ``CheckpointHook`` (priority ``ABOVE_NORMAL`` against ``VERY_LOW``), so
    the checkpoint of that iteration holds the recomputed statistics and
    ``tools/test.py`` on it scores what the run's own test scored. With
    ``before_train`` it also recomputes once before the first iteration:
    for a frozen encoder, whose BatchNorm stays in eval mode while the rest
    trains, the heads then train on the statistics they are tested with.

    The batches come from a loader of the hook's own over the training
    dataset (its pipeline and collate function, a seeded sampler drawing
    with replacement), so the training loop's own iterator is left alone.

    Args:
        num_batches (int): training batches averaged (default 20).
        interval (int, optional): also every ``interval`` training
            iterations (iteration-based loops).
        before_train (bool): also recompute before the first iteration.
    """
    priority = 'ABOVE_NORMAL'

    def __init__(self,
                 num_batches: int = 20,
                 interval: Optional[int] = None,
                 before_train: bool = False) -> None:
        if int(num_batches) != num_batches or num_batches < 1:
            raise ValueError(f'PreciseBNHook: num_batches must be a '
                             f'positive integer, got {num_batches!r}')
        if interval is not None and (int(interval) != interval
                                     or interval < 1):
            raise ValueError(f'PreciseBNHook: interval must be a positive '
                             f'integer or None, got {interval!r}')
        self.num_batches = int(num_batches)
        self.interval = interval
        self.before_train_ = before_train

    def _batches(self, runner):
        """``num_batches`` batches of the training set, drawn with
        replacement (a labelled split may hold fewer scans than that) by a
        seeded sampler of this hook's own, through the training pipeline
        and collate function."""
        loader = runner.train_dataloader
        generator = torch.Generator()
        generator.manual_seed(int(runner.seed or 0) + 7919 * get_rank())
        sampler = RandomSampler(
            loader.dataset,
            replacement=True,
            num_samples=self.num_batches * loader.batch_size,
            generator=generator)
        return iter(
            DataLoader(
                loader.dataset,
                batch_size=loader.batch_size,
                sampler=sampler,
                num_workers=loader.num_workers,
                collate_fn=loader.collate_fn,
                worker_init_fn=loader.worker_init_fn))

    def recompute(self, runner, when: str) -> None:
        """Recompute now; ``when`` names the moment in the log."""
        count = recompute_bn_statistics(runner.model, self._batches(runner),
                                        self.num_batches)
        print_log(
            f'PreciseBNHook: BatchNorm statistics of {count} layers '
            f'recomputed on {self.num_batches} training batches ({when})',
            logger='current')

    def before_train(self, runner) -> None:
        if self.before_train_:
            self.recompute(runner, 'before training')

    def _evaluates_after(self, runner, n: int) -> bool:
        """Whether the train loop validates after ``n`` units done."""
        loop = runner.train_loop
        if getattr(runner, 'val_loop', None) is None:
            return False
        interval = getattr(loop, 'val_interval', None)
        begin = getattr(loop, 'val_begin', 1)
        return bool(interval) and n >= begin and n % interval == 0

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        done = runner.iter + 1
        if isinstance(runner.train_loop, EpochBasedTrainLoop):
            return  # per epoch, below
        last = done == runner.max_iters
        periodic = self.interval is not None and done % self.interval == 0
        if last or periodic or self._evaluates_after(runner, done):
            self.recompute(runner, f'iteration {done}')

    def after_train_epoch(self, runner) -> None:
        if not isinstance(runner.train_loop, EpochBasedTrainLoop):
            return
        done = runner.epoch + 1
        if done == runner.max_epochs or self._evaluates_after(runner, done):
            self.recompute(runner, f'epoch {done}')

"""Keep a pretrained module frozen while the randomly initialised rest of a
detector warms up ("linear-probe-then-fine-tune", Kumar et al., ICLR 2022).

At the start of a fine-tune the heads are random and their gradients are
large; every step of an adaptive optimizer then moves each pretrained
weight by about the learning rate whatever the gradient's clipped norm, and
a few dozen steps can carry a pretrained encoder far from where pretraining
left it. Training the rest first on the frozen features, then everything,
avoids that. mmengine and mmdet3d have no such hook.
"""
from typing import Optional

from mmdet3d.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper


@HOOKS.register_module()
class FreezeWarmupHook(Hook):
    """Freeze ``module`` (no gradients, BatchNorm in eval mode) for the first
    iterations of training, then train it with the rest.

    The frozen span is ``iters`` iterations, or ``ratio`` of the run's
    iterations (``runner.max_iters``, which epoch-based loops have too).
    Whether the module is frozen follows from the iteration alone, so a
    resumed run freezes exactly as an uninterrupted one. The optimizer is
    built over every parameter as usual: a parameter without a gradient
    gets no AdamW step and no weight decay.

    Args:
        module (str): dotted name of the module in the model, e.g.
            ``'pts_middle_encoder'``.
        ratio (float, optional): share of the run frozen, in (0, 1).
        iters (int, optional): iterations frozen (instead of ``ratio``).
    """
    priority = 'HIGH'

    def __init__(self,
                 module: str,
                 ratio: Optional[float] = None,
                 iters: Optional[int] = None) -> None:
        if (ratio is None) == (iters is None):
            raise ValueError('FreezeWarmupHook: give exactly one of ratio '
                             f'and iters, got ratio={ratio!r}, '
                             f'iters={iters!r}')
        if ratio is not None and not 0 < ratio < 1:
            raise ValueError('FreezeWarmupHook: ratio must be in (0, 1), '
                             f'got {ratio!r}')
        if iters is not None and (int(iters) != iters or iters < 1):
            raise ValueError('FreezeWarmupHook: iters must be a positive '
                             f'integer, got {iters!r}')
        self.module = module
        self.ratio = ratio
        self.iters = iters
        self._frozen = None

    def frozen_iters(self, runner) -> int:
        """How many iterations the module stays frozen in this run."""
        if self.iters is not None:
            return int(self.iters)
        return max(1, int(round(self.ratio * runner.max_iters)))

    def _target(self, runner):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        try:
            return model.get_submodule(self.module)
        except AttributeError:
            names = [n for n, _ in model.named_children()]
            raise ValueError(
                f'FreezeWarmupHook: the model has no module '
                f'{self.module!r}; its top-level modules: {names}. Fix: '
                'name one of them (dotted for a submodule)') from None

    def before_train(self, runner) -> None:
        self._target(runner)  # a wrong name fails before the first step

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        target = self._target(runner)
        frozen = runner.iter < self.frozen_iters(runner)
        if frozen:
            # the train loop put the model in train mode before this hook
            target.eval()
        if frozen != self._frozen:
            for p in target.parameters():
                p.requires_grad_(not frozen)
                if frozen:
                    p.grad = None
            print_log(
                f'FreezeWarmupHook: {self.module} '
                f'{"frozen" if frozen else "trains"} from iteration '
                f'{runner.iter} (frozen for the first '
                f'{self.frozen_iters(runner)})',
                logger='current')
            self._frozen = frozen

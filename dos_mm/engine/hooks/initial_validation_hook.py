"""Evaluate once before the first training iteration.

mmengine's iteration loop validates every ``val_interval`` iterations from
``val_begin`` on, never at iteration 0, so an evaluation curve has no point
for the network it starts from. For a pretraining run that point is the
random initialisation, the level pretraining must beat, measured with the
same protocol as every later point.
"""
from mmdet3d.registry import HOOKS
from mmengine.hooks import Hook


@HOOKS.register_module()
class InitialValidationHook(Hook):
    """Run the validation loop (e.g. the online probe) before training
    starts, logged at step 0. A resumed run (iteration > 0) and a run
    without a validation loop skip it."""
    priority = 'LOWEST'  # after every other hook has prepared the run

    def before_train(self, runner) -> None:
        if runner.iter == 0 and runner.val_loop is not None:
            runner.val_loop.run()

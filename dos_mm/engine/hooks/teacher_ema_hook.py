"""EMA update of the DOS teacher after each real optimizer step."""
from mmdet3d.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper


@HOOKS.register_module()
class TeacherEMAHook(Hook):
    """Call ``model.teacher_update()`` once per optimizer step.

    With gradient accumulation the optimizer steps only on some iterations;
    the teacher follows the optimizer, not the micro-steps. The momentum
    itself is set by ``DOSScheduleHook``. A step skipped by
    ``NonFiniteGuardOptimWrapper`` moves nothing, so neither does the
    teacher.
    """
    priority = 'NORMAL'

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        wrapper = runner.optim_wrapper
        if not wrapper.should_update() or getattr(wrapper, 'last_step_skipped',
                                                  False):
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        model.teacher_update()

from .checkpoint_check_hook import CheckpointCheckHook
from .dos_schedule_hook import DOSScheduleHook
from .freeze_warmup_hook import FreezeWarmupHook
from .initial_validation_hook import InitialValidationHook
from .precise_bn_hook import PreciseBNHook
from .teacher_ema_hook import TeacherEMAHook

__all__ = [
    'CheckpointCheckHook', 'DOSScheduleHook', 'FreezeWarmupHook',
    'InitialValidationHook', 'PreciseBNHook', 'TeacherEMAHook'
]

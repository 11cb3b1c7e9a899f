from .checkpoint_check_hook import CheckpointCheckHook
from .dos_schedule_hook import DOSScheduleHook
from .teacher_ema_hook import TeacherEMAHook

__all__ = ['CheckpointCheckHook', 'DOSScheduleHook', 'TeacherEMAHook']

from .dos_schedule_hook import DOSScheduleHook, dos_schedule
from .teacher_ema_hook import TeacherEMAHook

__all__ = ['DOSScheduleHook', 'TeacherEMAHook', 'dos_schedule']

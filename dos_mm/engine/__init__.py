from .hooks import DOSScheduleHook, TeacherEMAHook, dos_schedule
from .optim_constructor import StudentOptimWrapperConstructor

__all__ = [
    'DOSScheduleHook', 'TeacherEMAHook', 'dos_schedule',
    'StudentOptimWrapperConstructor'
]

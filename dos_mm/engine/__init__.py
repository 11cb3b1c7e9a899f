from .hooks import DOSScheduleHook, TeacherEMAHook, dos_schedule
from .nonfinite_guard import NonFiniteGuardOptimWrapper
from .optim_constructor import StudentOptimWrapperConstructor

__all__ = [
    'DOSScheduleHook', 'TeacherEMAHook', 'dos_schedule',
    'StudentOptimWrapperConstructor', 'NonFiniteGuardOptimWrapper'
]

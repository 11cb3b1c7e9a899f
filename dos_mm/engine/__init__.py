from .hooks import (CheckpointCheckHook, DOSScheduleHook, TeacherEMAHook,
                    dos_schedule)
from .nonfinite_guard import (NonFiniteGuardAmpOptimWrapper,
                              NonFiniteGuardOptimWrapper)
from .optim_constructor import StudentOptimWrapperConstructor

__all__ = [
    'CheckpointCheckHook', 'DOSScheduleHook', 'TeacherEMAHook', 'dos_schedule',
    'StudentOptimWrapperConstructor', 'NonFiniteGuardOptimWrapper',
    'NonFiniteGuardAmpOptimWrapper'
]

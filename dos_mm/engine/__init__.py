from .hooks import CheckpointCheckHook, DOSScheduleHook, TeacherEMAHook
from .nonfinite_guard import (NonFiniteGuardAmpOptimWrapper,
                              NonFiniteGuardOptimWrapper)
from .optim_constructor import StudentOptimWrapperConstructor

__all__ = [
    'CheckpointCheckHook', 'DOSScheduleHook', 'TeacherEMAHook',
    'StudentOptimWrapperConstructor', 'NonFiniteGuardOptimWrapper',
    'NonFiniteGuardAmpOptimWrapper'
]

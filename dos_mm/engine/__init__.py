from .hooks import (CheckpointCheckHook, DOSScheduleHook, FreezeWarmupHook,
                    PreciseBNHook, TeacherEMAHook)
from .nonfinite_guard import (NonFiniteGuardAmpOptimWrapper,
                              NonFiniteGuardOptimWrapper)
from .optim_constructor import StudentOptimWrapperConstructor

__all__ = [
    'CheckpointCheckHook', 'DOSScheduleHook', 'FreezeWarmupHook',
    'PreciseBNHook', 'TeacherEMAHook',
    'StudentOptimWrapperConstructor', 'NonFiniteGuardOptimWrapper',
    'NonFiniteGuardAmpOptimWrapper'
]

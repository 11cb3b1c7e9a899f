from .hooks import DOSScheduleHook, TeacherEMAHook, dos_schedule

__all__ = ['DOSScheduleHook', 'TeacherEMAHook', 'dos_schedule']

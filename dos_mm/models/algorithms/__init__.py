from .dos import DOS
from .dos_encoder import DOSEncoder
from .teacher_ema import TeacherEMA

__all__ = ['DOS', 'DOSEncoder', 'TeacherEMA']

from .dos import DOS
from .dos_encoder import DOSEncoder
from .encoding import Encoding
from .teacher_ema import TeacherEMA

__all__ = ['DOS', 'DOSEncoder', 'Encoding', 'TeacherEMA']

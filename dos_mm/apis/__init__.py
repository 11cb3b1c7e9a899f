from .finetune import finetune, run_test
from .pretrain import pretrain

__all__ = ['finetune', 'pretrain', 'run_test']

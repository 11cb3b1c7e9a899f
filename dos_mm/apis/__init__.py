from .pretrain import pretrain

__all__ = ['pretrain']

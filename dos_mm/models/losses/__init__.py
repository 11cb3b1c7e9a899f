from .softmap_loss import SoftmapLoss

__all__ = ["SoftmapLoss"]

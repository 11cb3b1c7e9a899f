from .dos_head import DOSHead, TargetPlan
from .prototype_head import CosineLogits, PrototypeHead

__all__ = ["PrototypeHead", "CosineLogits", "DOSHead", "TargetPlan"]

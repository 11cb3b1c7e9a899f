from .prototype_head import CosineLogits, PrototypeHead

__all__ = ["PrototypeHead", "CosineLogits"]

from .prototype_head import PrototypeHead

__all__ = ["PrototypeHead"]

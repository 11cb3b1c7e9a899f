from .upcast_neck import UpcastNeck

__all__ = ["UpcastNeck"]

"""Point Transformer V3, written for dos_mm (no PTv3 package fits the
stack: Pointcept is not on PyPI)."""
from .encoder import PointTransformerV3

__all__ = ['PointTransformerV3']

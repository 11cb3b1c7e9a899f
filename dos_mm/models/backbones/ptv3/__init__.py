"""Point Transformer V3, written for dos_mm (no PTv3 package fits the
stack: Pointcept is not on PyPI)."""
from .encoder import PointTransformerV3
from .seg_backbone import FrozenUpcastPTv3, PTv3SegBackbone

__all__ = ['PointTransformerV3', 'PTv3SegBackbone', 'FrozenUpcastPTv3']

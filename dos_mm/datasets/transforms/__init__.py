from .multi_view import DOSMultiView
from .pack_dos_inputs import PackDOSInputs

__all__ = ['DOSMultiView', 'PackDOSInputs']

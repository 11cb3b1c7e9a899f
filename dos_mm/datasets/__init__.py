from .transforms import DOSMultiView, PackDOSInputs

__all__ = ['DOSMultiView', 'PackDOSInputs']

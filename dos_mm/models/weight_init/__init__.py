from .backbone_pretrained import BackbonePretrainedInit

__all__ = ['BackbonePretrainedInit']

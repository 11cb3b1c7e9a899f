from .checkpoint_converter import (NETS, TARGETS, atomic_save,
                                   backbone_tensors, convert_state_dict,
                                   load_dos_checkpoint, save_converted)
from .openpcdet import (dos_to_openpcdet, from_openpcdet,
                        openpcdet_to_centerpoint, to_openpcdet)
from .output_guard import check_output_path

__all__ = [
    'NETS', 'TARGETS', 'atomic_save', 'check_output_path', 'backbone_tensors',
    'convert_state_dict', 'load_dos_checkpoint', 'save_converted',
    'dos_to_openpcdet', 'from_openpcdet', 'openpcdet_to_centerpoint',
    'to_openpcdet'
]

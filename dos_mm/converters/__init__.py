from .checkpoint_converter import (NETS, TARGETS, convert_state_dict,
                                   load_dos_checkpoint, save_converted)

__all__ = [
    'NETS', 'TARGETS', 'convert_state_dict', 'load_dos_checkpoint',
    'save_converted'
]

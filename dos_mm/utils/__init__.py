from .config import load_config
from .launch import end_launch, setup_launch
from .preflight import check_info_files, info_file_problems
from .run_length import fit_run_length, rescale_param_schedulers
from .sync_count import SyncCounter

__all__ = [
    'load_config', 'setup_launch', 'end_launch', 'check_info_files',
    'info_file_problems', 'fit_run_length', 'rescale_param_schedulers',
    'SyncCounter'
]

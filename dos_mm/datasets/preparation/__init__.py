from .nuscenes import prepare_nuscenes
from .scannet import prepare_scannet
from .semantickitti import prepare_semantickitti
from .verify import check_point_file, verify_infos
from .waymo import build_waymo_infos, prepare_waymo

__all__ = [
    'prepare_nuscenes', 'prepare_scannet', 'prepare_semantickitti',
    'check_point_file', 'verify_infos', 'build_waymo_infos', 'prepare_waymo'
]

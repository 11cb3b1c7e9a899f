"""Zero velocity for 7-dim LiDAR boxes, so mmdet3d's CenterHead trains on
datasets without velocity (Waymo in KITTI format)."""
import torch
from mmcv.transforms import BaseTransform
from mmdet3d.registry import TRANSFORMS
from mmdet3d.structures import LiDARInstance3DBoxes


@TRANSFORMS.register_module()
class PadBoxVelocity(BaseTransform):
    """Append (vx, vy) = 0 to 7-dim ``gt_bboxes_3d``.

    mmdet3d's ``CenterHead.get_targets_single`` reads ``box[7:]`` as the
    velocity of every box, so it cannot train on Waymo's 7-dim boxes. With
    this transform after ``LoadAnnotations3D`` the boxes become 9-dim; the
    Waymo CenterPoint config then gives the velocity regression weight 0.
    Boxes that already have 9 dims are left as they are.
    """

    def transform(self, results: dict) -> dict:
        boxes = results.get('gt_bboxes_3d')
        if boxes is None or boxes.box_dim >= 9:
            return results
        if boxes.box_dim != 7:
            raise ValueError(f'PadBoxVelocity expects 7-dim boxes, got '
                             f'{boxes.box_dim} in {results.get("lidar_path")}')
        t = boxes.tensor
        results['gt_bboxes_3d'] = LiDARInstance3DBoxes(
            torch.cat([t, t.new_zeros(len(t), 2)], dim=1),
            box_dim=9,
            origin=(0.5, 0.5, 0))
        return results

import torch
from mmdet3d.structures import LiDARInstance3DBoxes

from dos_mm.datasets.transforms import PadBoxVelocity


def test_seven_dim_boxes_get_zero_velocity():
    boxes = LiDARInstance3DBoxes(torch.rand(3, 7))
    out = PadBoxVelocity()(dict(gt_bboxes_3d=boxes))['gt_bboxes_3d']
    assert out.box_dim == 9
    assert torch.equal(out.tensor[:, :7], boxes.tensor)
    assert torch.equal(out.tensor[:, 7:], torch.zeros(3, 2))
    nine = LiDARInstance3DBoxes(torch.rand(2, 9), box_dim=9)
    assert PadBoxVelocity()(dict(gt_bboxes_3d=nine))['gt_bboxes_3d'] is nine

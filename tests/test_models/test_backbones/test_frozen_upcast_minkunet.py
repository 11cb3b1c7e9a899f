"""The linear-probe backbone stays frozen inside mmdet3d's MinkUNet."""
import torch
from mmdet3d.registry import MODELS
from mmdet3d.structures import Det3DDataSample, PointData
from mmengine.config import Config
from mmengine.registry import init_default_scope

from ...conftest import REPO
from ...test_models.test_algorithms.test_dos import scan

PROBE = REPO / 'configs/minkunet/' \
    'minkunet34_w32_spconv_dos-linear-probe_semantickitti.py'


def test_probe_trains_only_the_linear_layer():
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(PROBE))
    cfg.model.init_cfg = None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.train()
    assert not model.backbone.training  # BN keeps pretraining statistics
    before = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    head = model.decode_head.conv_seg.weight.clone()
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad],
                          lr=0.1)
    assert sum(p.numel() for g in opt.param_groups for p in g['params']) \
        == 576 * 19 + 19
    pts = torch.from_numpy(scan(0, n=3000))
    sample = Det3DDataSample()
    sample.gt_pts_seg = PointData(
        pts_semantic_mask=torch.randint(0, 19, (len(pts), )))
    batch = model.data_preprocessor(
        dict(inputs=dict(points=[pts]), data_samples=[sample]), True)
    feats = model.extract_feat(batch['inputs'])
    assert feats.shape == (len(batch['inputs']['voxels']['coors']), 576)
    losses = model(**batch, mode='loss')
    sum(losses.values()).backward()
    opt.step()
    after = model.backbone.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not torch.equal(head, model.decode_head.conv_seg.weight)

"""Every DOS config builds, and its backbone is the downstream model's."""
from pathlib import Path

import mmdet3d
import pytest
import torch
from mmdet3d.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from dos_mm.functional import dos_schedule

REPO = Path(__file__).resolve().parents[1]
MIM = Path(mmdet3d.__file__).parent / '.mim' / 'configs'  # the wheel's
CONFIGS = sorted((REPO / 'configs' / 'dos').glob('pretrain_*.py'))
CENTERPOINT = str(
    MIM / 'centerpoint' /
    'centerpoint_voxel01_second_secfpn_8xb4-cyclic-20e_nus-3d.py')
MINKUNET = str(
    MIM / 'minkunet' /
    'minkunet34_w32_spconv_8xb2-laser-polar-mix-3x_semantickitti.py')


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmdet3d')


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_builds_with_schedule_hooks(path):
    cfg = Config.fromfile(str(path))
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'DOS'
    hooks = [h['type'] for h in cfg.custom_hooks]
    assert hooks == [
        'DOSScheduleHook', 'TeacherEMAHook', 'InitialValidationHook'
    ]
    ds = cfg.train_dataloader.dataset
    for part in ds.get('datasets', [ds]):  # ConcatDataset: every part
        assert part.pipeline[-1]['type'] == 'PackDOSInputs'
    head = cfg.model.encoder.head
    assert head.num_prototypes == cfg.model.head.target.num_prototypes


def test_paper_settings_in_the_real_dataset_configs():
    for name, ratio, block in (('nuscenes', 0.6, 1.0), ('waymo', 0.6, 1.0),
                               ('semantickitti', 0.7, 1.0), ('scannet', 0.7,
                                                             0.4)):
        cfg = Config.fromfile(str(REPO / f'configs/dos/pretrain_{name}.py'))
        # every warm-up over
        end = dos_schedule(1000, 1000, **cfg.model.get('schedule', {}))
        assert (end['mask_ratio'], end['block_size']) == (ratio, block), name
        assert end['alpha'] == 1.3 and end['teacher_temp'] == 0.07, name
        assert cfg.model.encoder.head.num_prototypes == 1024


def encoder_keys(model):
    return {k: v.shape for k, v in model.student.backbone.state_dict().items()}


def test_nuscenes_pretraining_matches_centerpoint():
    dos_cfg = Config.fromfile(str(REPO / 'configs/dos/pretrain_nuscenes.py'))
    cp_cfg = Config.fromfile(CENTERPOINT)
    dos_pre = dos_cfg.model.data_preprocessor.voxel_layer
    cp_pre = cp_cfg.model.data_preprocessor.voxel_layer
    for key in ('max_num_points', 'voxel_size', 'point_cloud_range',
                'max_voxels'):
        assert list(dos_pre[key]) == list(cp_pre[key]) if isinstance(
            dos_pre[key], (list, tuple)) else dos_pre[key] == cp_pre[key]
    assert dos_cfg.model.encoder.voxel_encoder == \
        cp_cfg.model.pts_voxel_encoder
    assert dos_cfg.model.encoder.backbone == cp_cfg.model.pts_middle_encoder
    dos = MODELS.build(dos_cfg.model)
    detector = MODELS.build(cp_cfg.model)
    target = detector.pts_middle_encoder.state_dict()
    assert encoder_keys(dos) == {k: v.shape for k, v in target.items()}
    # every tensor transfers: load the student's weights and compare
    detector.pts_middle_encoder.load_state_dict(
        dos.student.backbone.state_dict())
    for k, v in dos.student.backbone.state_dict().items():
        assert torch.equal(detector.pts_middle_encoder.state_dict()[k], v)


def test_semantickitti_pretraining_matches_minkunet():
    dos_cfg = Config.fromfile(
        str(REPO / 'configs/dos/pretrain_semantickitti.py'))
    mk_cfg = Config.fromfile(MINKUNET)
    backbone = dict(mk_cfg.model.backbone)
    assert dos_cfg.model.encoder.backbone == backbone
    assert dos_cfg.model.data_preprocessor.voxel_layer.voxel_size == \
        mk_cfg.model.data_preprocessor.voxel_layer.voxel_size
    dos = MODELS.build(dos_cfg.model)
    seg = MODELS.build(backbone)
    assert encoder_keys(dos) == {
        k: v.shape
        for k, v in seg.state_dict().items()
    }


DOWNSTREAM = sorted((REPO / 'configs' / 'centerpoint').glob('*.py')) + \
    sorted((REPO / 'configs' / 'minkunet').glob('*.py'))


@pytest.mark.parametrize('path', DOWNSTREAM, ids=lambda p: p.stem)
def test_downstream_configs_pair_up(path):
    """Every DOS variant is its scratch variant plus BackbonePretrained on
    the backbone, label-efficient variants read their split's info file,
    and every config imports dos_mm."""
    cfg = Config.fromfile(str(path))
    assert 'dos_mm' in cfg.custom_imports.imports
    name = path.stem
    init = cfg.model.get('init_cfg')
    if '_dos' in name:
        prefix = 'pts_middle_encoder' if 'centerpoint' in name else \
            'backbone'
        assert init == dict(
            type='BackbonePretrained',
            checkpoint=cfg.pretrained,
            prefix=prefix)
        base = name
        for variant in ('_dos-linear-probe', '_dos-frozen', '_dos-ft'):
            base = base.replace(variant, '_dos')
        scratch = REPO / 'configs' / path.parent.name / base.replace(
            '_dos', '_scratch')
        scratch = scratch.with_suffix('.py')
        assert scratch.is_file(), scratch
        other = Config.fromfile(str(scratch))
        if 'linear-probe' not in name:
            other.model.init_cfg = init
            if '-frozen' in name:  # the encoder never trains
                other.model.pts_middle_encoder.type = 'FrozenSparseEncoder'
            assert other.model == cfg.model
    else:
        assert init is None
    if '_label' in name:
        pct = name.rsplit('_label', 1)[1]
        ds = cfg.train_dataloader.dataset
        while 'dataset' in ds:
            ds = ds.dataset
        assert ds.ann_file.endswith(f'_train_{pct}_seed0.pkl')


def test_synthetic_centerpoint_has_the_demo_encoder():
    down = Config.fromfile(
        str(REPO /
            'configs/centerpoint/centerpoint_voxel01_dos_synthetic-3d.py'))
    pre = Config.fromfile(str(REPO / 'configs/dos/pretrain_demo.py'))
    # the same encoder and voxels over the detectors' smaller x-y range
    # (the encoder's weights do not depend on its sparse shape)
    encoder = dict(down.model.pts_middle_encoder)
    assert encoder.pop('sparse_shape') == [41, 512, 512]
    pretrained = dict(pre.model.encoder.backbone)
    assert pretrained.pop('sparse_shape') == [41, 1024, 1024]
    assert encoder == pretrained
    layer = dict(down.model.data_preprocessor.voxel_layer)
    assert layer.pop('point_cloud_range') == [-25.6, -25.6, -3, 25.6, 25.6, 5]
    pre_layer = dict(pre.model.data_preprocessor.voxel_layer)
    pre_layer.pop('point_cloud_range')
    assert layer == pre_layer
    head = down.model.pts_bbox_head
    assert sorted(n for t in head.tasks
                  for n in t.class_names) == sorted(down.class_names)


def test_waymo_centerpoint_matches_waymo_pretraining():
    down = Config.fromfile(
        str(REPO / 'configs/centerpoint/centerpoint_voxel01_dos_waymo-3d.py'))
    pre = Config.fromfile(str(REPO / 'configs/dos/pretrain_waymo.py'))
    assert down.model.pts_middle_encoder.sparse_shape == \
        pre.model.encoder.backbone.sparse_shape
    assert down.model.data_preprocessor.voxel_layer.point_cloud_range == \
        pre.model.data_preprocessor.voxel_layer.point_cloud_range
    assert down.model.data_preprocessor.voxel_layer.voxel_size == \
        pre.model.data_preprocessor.voxel_layer.voxel_size


@pytest.mark.parametrize('name', ['pretrain_demo', 'pretrain_semantickitti'])
def test_weight_decay_schedule_keeps_norm_and_bias_groups_at_zero(name):
    """The weight-decay cosine (0.04 -> 0.2) moves the decayed groups only:
    the BatchNorm and bias groups, which ``paramwise_cfg`` gives no decay,
    stay at 0 for the whole run."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import PARAM_SCHEDULERS
    cfg = Config.fromfile(str(REPO / 'configs' / 'dos' / f'{name}.py'))
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    # the same schedule in at most 400 steps (the long one is 50k)
    scale = max(1, cfg.train_cfg.max_iters // 400)
    schedulers = []
    for s in cfg.param_scheduler:
        s = dict(s, optimizer=wrapper)
        for key in ('begin', 'end', 'T_max'):
            if key in s:
                s[key] //= scale
        schedulers.append(PARAM_SCHEDULERS.build(s))
    norm_and_bias = {
        id(p)
        for n, m in model.student.named_modules()
        for p in m.parameters(recurse=False)
        if isinstance(m, torch.nn.modules.batchnorm._NormBase)
    } | {id(p)
         for n, p in model.student.named_parameters() if 'bias' in n}
    groups = wrapper.optimizer.param_groups
    zero = [g for g in groups if id(g['params'][0]) in norm_and_bias]
    decayed = [g for g in groups if id(g['params'][0]) not in norm_and_bias]
    assert zero and decayed
    for it in range(cfg.train_cfg.max_iters // scale):
        assert all(g['weight_decay'] == 0 for g in zero), it
        for s in schedulers:
            s.step()
    assert all(g['weight_decay'] == 0 for g in zero)
    final = [g['weight_decay'] for g in decayed]
    assert final == pytest.approx([0.2] * len(decayed), rel=1e-3)

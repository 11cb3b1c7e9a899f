"""The DOS algorithm: leakage, teacher, terms, bad input, diagnostics."""
import copy

import numpy as np
import pytest
import torch
from mmdet3d.registry import MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

import dos_mm.models.data_preprocessors.dos_data_preprocessor as dpp
from dos_mm.datasets.transforms import DOSMultiView, PackDOSInputs
from ...conftest import TINY_CONFIG


def scan(seed: int, n: int = 6000) -> np.ndarray:
    """A small street-like scan: ground plane plus a few boxes."""
    rng = np.random.default_rng(seed)
    ground = np.c_[rng.uniform(-18, 18, (n, 2)), rng.normal(0, .02, n)]
    objs = rng.uniform(-15, 15, (6, 2))
    pts = [ground]
    for x, y in objs:
        m = n // 12
        pts.append(np.c_[x + rng.uniform(-1, 1, m), y + rng.uniform(-1, 1, m),
                         rng.uniform(0, 2, m)])
    xyz = np.concatenate(pts).astype(np.float32)
    return np.c_[xyz, rng.uniform(0, 1, len(xyz))].astype(np.float32)


def build_model(proto_head=None, config=TINY_CONFIG.name, **overrides):
    """The DOS of a tiny test config (tests/data/configs), ``overrides``
    merged into its model config; ``proto_head`` updates the prototype
    head's arguments (and K of the target generator with them)."""
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(TINY_CONFIG.parent / config))
    cfg.merge_from_dict(dict(model=overrides))
    if proto_head:
        cfg.model.encoder.head.update(proto_head)
        cfg.model.head.target.num_prototypes = \
            cfg.model.encoder.head.num_prototypes
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    return model


def make_batch(seeds=(0, 1), view_seed=0):
    mv, pack = DOSMultiView(seed=view_seed), PackDOSInputs()
    return pseudo_collate([pack(mv(dict(points=scan(s)))) for s in seeds])


@pytest.fixture(scope='module')
def model():
    return build_model()


def fixed_mask(monkeypatch, masks):
    """Make block masking return the given per-view masks in turn."""
    calls = iter(masks)
    monkeypatch.setattr(dpp, 'block_mask', lambda *a, **k: next(calls))


@pytest.mark.parametrize(
    'config', ['dos_tiny.py', 'dos_tiny_minkunet.py', 'dos_tiny_ptv3.py'])
def test_student_never_sees_masked_points(config, monkeypatch):
    """Change every masked point (position, features; one per scan moved to
    the corner of the range, below every visible point): the student's
    logits and the loss (teacher inputs held fixed) are bit-identical, with
    hard voxels (SparseEncoder), MinkUNet voxels and PTv3 alike."""
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(TINY_CONFIG.parent / config))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    corner = torch.tensor(
        model.data_preprocessor.voxel_layer.point_cloud_range[:3]) + 0.05
    batch = make_batch()
    masks, in_range_masks = [], []  # over all points / points in range
    for view in batch['inputs']['views']:
        pts = torch.cat(view['points'])
        inside = model.data_preprocessor.in_range(pts)
        g = torch.Generator().manual_seed(len(masks))
        m = dpp.block_mask(pts[inside, :3],
                           torch.zeros(int(inside.sum()), dtype=torch.long),
                           1.0, 0.6, g)
        full = torch.zeros(len(pts), dtype=torch.bool)
        full[inside] = m
        masks.append(full)
        in_range_masks.append(m)
    fixed_mask(monkeypatch, in_range_masks)
    data = model.data_preprocessor(batch, True)

    altered = copy.deepcopy(batch)
    offset = 0
    for view, mask in zip(altered['inputs']['views'], masks):
        offset = 0
        for pts in view['points']:
            m = mask[offset:offset + len(pts)]
            pts[m, :3] = pts[m, :3] * 0.5 + 3.0  # move them
            pts[m.nonzero()[0], :3] = corner  # one to a new minimum
            pts[m, 3] = 7.0  # and change their features
            offset += len(pts)
    fixed_mask(monkeypatch, in_range_masks)  # masked points stay in range
    data2 = model.data_preprocessor(altered, True)

    # the change is real: the teacher's (full-view) input differs
    assert not torch.equal(data['inputs']['views'][0]['full']['voxels'],
                           data2['inputs']['views'][0]['full']['voxels'])
    for v1, v2 in zip(data['inputs']['views'], data2['inputs']['views']):
        v2['full'] = v1['full']  # hold the teacher's input fixed
    state = copy.deepcopy(model.state_dict())  # usage EMA, BN statistics
    out1 = model.loss(**data)
    s1 = model(**data, mode='tensor')
    model.load_state_dict(state)
    out2 = model.loss(**data2)
    s2 = model(**data2, mode='tensor')
    assert torch.equal(out1['loss'], out2['loss'])
    for a, b in zip(s1, s2):
        assert torch.equal(a, b)


def test_loss_is_finite_and_has_student_gradients(model):
    out = model(**model.data_preprocessor(make_batch(), True), mode='loss')
    assert torch.isfinite(out['loss'])
    out['loss'].backward()
    grads = [p.grad for p in model.student.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert all(p.grad is None for p in model.teacher.parameters())
    model.zero_grad()


def test_diagnostics_are_logged_but_not_summed(model):
    out = model(**model.data_preprocessor(make_batch(), True), mode='loss')
    names = {
        'proto_entropy', 'protos_in_use', 'zipf_kl', 'visible_fraction',
        'matched_pairs', 'upcast_missing', 'empty_views',
        'usage_rank_agreement'
    }
    assert names <= set(out)
    assert [k for k in out if 'loss' in k] == ['loss']
    assert 0 < float(out['visible_fraction']) < 1
    assert 0 < float(out['matched_pairs']) <= 1
    assert 1 <= float(out['protos_in_use']) <= 32
    assert -1 <= float(out['usage_rank_agreement']) <= 1


def test_teacher_is_a_copy_then_follows_with_momentum():
    model = build_model()
    for ps, pt in zip(model.student.parameters(),
                      model.teacher.module.parameters()):
        assert torch.equal(ps, pt)
        assert not pt.requires_grad
    opt = torch.optim.SGD(model.student.parameters(), lr=0.1)
    data = model.data_preprocessor(make_batch(), True)
    model(**data, mode='loss')['loss'].backward()
    opt.step()
    before = [p.clone() for p in model.teacher.module.parameters()]

    model.set_schedule(teacher_momentum=1.0)
    model.teacher_update()
    for b, p in zip(before, model.teacher.module.parameters()):
        assert torch.equal(b, p)  # m = 1: the teacher keeps everything

    model.set_schedule(teacher_momentum=0.9)
    model.teacher_update()
    changed = [
        not torch.equal(b, p)
        for b, p in zip(before, model.teacher.module.parameters())
    ]
    assert all(changed)
    ps = next(model.student.parameters())
    pt = next(model.teacher.module.parameters())
    expected = 0.9 * before[0] + 0.1 * ps
    assert torch.allclose(pt, expected, atol=1e-6)

    model.set_schedule(teacher_momentum=0.0)
    model.teacher_update()
    for ps, pt in zip(model.student.parameters(),
                      model.teacher.module.parameters()):
        assert torch.equal(ps, pt)  # m = 0: the teacher is the student


def test_teacher_batchnorm_keeps_its_own_statistics():
    """BN decision: the teacher normalises with the batch statistics of
    the full views and keeps its own running statistics."""
    model = build_model()
    data = model.data_preprocessor(make_batch(), True)
    bn_t = [
        m for m in model.teacher.module.modules()
        if isinstance(m, torch.nn.BatchNorm1d)
    ][0]
    bn_s = [
        m for m in model.student.modules()
        if isinstance(m, torch.nn.BatchNorm1d)
    ][0]
    model(**data, mode='loss')
    assert not torch.equal(bn_t.running_mean, bn_s.running_mean)
    stats = bn_t.running_mean.clone()
    model.teacher_update()
    assert torch.equal(bn_t.running_mean, stats)  # never copied


def test_same_and_cross_view_terms_weigh_half_each():
    """loss(w) = w * same + (1 - w) * cross, per student view."""
    model = build_model()
    data = model.data_preprocessor(make_batch(), True)
    state = copy.deepcopy(model.state_dict())
    losses = {}
    for weight in (1.0, 0.0, 0.5):
        model.load_state_dict(state)
        model.head.same_view_weight = weight
        losses[weight] = float(model.loss(**data)['loss'])
    assert losses[1.0] != pytest.approx(losses[0.0])
    assert losses[0.5] == pytest.approx(
        0.5 * (losses[1.0] + losses[0.0]), rel=1e-5)


def test_one_target_plan_per_step_over_each_teacher_cell_once():
    """The teacher head runs once per view and Zipf-Sinkhorn once per step,
    over every teacher cell that some student cell is matched to."""
    model = build_model()
    data = model.data_preprocessor(make_batch(), True)
    plans, head_rows = [], []
    model.head.target.register_forward_hook(
        lambda m, args, out: plans.append(len(args[0])))
    model.teacher.module.head.register_forward_hook(
        lambda m, args, out: head_rows.append(len(args[0])))
    model(**data, mode='loss')
    assert len(plans) == 1
    assert plans[0] == sum(head_rows) > 0
    feats = torch.randn(50, model.student.feature_channels)
    rows = torch.tensor([3, 7, 49, 0, 12])
    torch.testing.assert_close(
        model.teacher.module.target_logits(feats, rows, chunk=2),
        model.teacher.module.head(feats[rows]))


def test_step_keeps_no_cells_by_prototypes_tensor_for_backward():
    """The student's loss keeps (N, D) and (K, D) gradients instead of any
    (N, K) logits, softmaps or plan; the projector keeps one (N, hidden)
    activation. K = 48 and hidden = 80 appear in no other shape."""
    model = build_model(proto_head=dict(num_prototypes=48, hidden_channels=80))
    data = model.data_preprocessor(make_batch(), True)
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(
            lambda t: saved.append(tuple(t.shape)) or t, lambda t: t):
        loss = model(**data, mode='loss')['loss']
    assert not [s for s in saved if len(s) == 2 and s[1] == 48]
    in_channels = model.student.feature_channels
    hidden = [  # (cells, hidden); the first layer's weight is (in, hidden)
        s for s in saved if len(s) == 2 and s[1] == 80 and s[0] != in_channels
    ]
    student_cells = [s[0] for s in saved if len(s) == 2 and s[1] == 32]
    assert len(hidden) == 2 and all(h[0] in student_cells for h in hidden)
    loss.backward()
    assert model.student.head.prototypes.weight.grad.abs().sum() > 0


def test_point_mode_ablation_runs():
    model = build_model(head=dict(loss=dict(mode='point')))
    out = model(**model.data_preprocessor(make_batch(), True), mode='loss')
    assert torch.isfinite(out['loss'])


def test_alpha_zero_is_uniform_sinkhorn():
    model = build_model()
    model.set_schedule(alpha=0.0)
    logits = torch.randn(50, 32)
    log_q = model.head.target(logits)
    cols = log_q.exp().sum(0)
    assert torch.allclose(cols, torch.full((32, ), 1 / 32), atol=1e-5)


@pytest.mark.parametrize('config', ['dos_tiny.py', 'dos_tiny_ptv3.py'])
def test_scan_outside_the_range_is_skipped_not_nan(config):
    model = build_model(config=config)
    far = scan(3)
    far[:, :2] += 500.0  # nothing in the voxel range
    mv, pack = DOSMultiView(seed=0), PackDOSInputs()
    batch = pseudo_collate(
        [pack(mv(dict(points=scan(0)))),
         pack(mv(dict(points=far)))])
    out = model(**model.data_preprocessor(batch, True), mode='loss')
    assert torch.isfinite(out['loss'])


@pytest.mark.parametrize('config', ['dos_tiny.py', 'dos_tiny_ptv3.py'])
def test_nothing_observable_gives_a_finite_zero(config):
    model = build_model(config=config)
    far = scan(3)
    far[:, :2] += 500.0
    mv, pack = DOSMultiView(seed=0), PackDOSInputs()
    batch = pseudo_collate([pack(mv(dict(points=far)))])
    out = model(**model.data_preprocessor(batch, True), mode='loss')
    assert float(out['loss']) == 0.0
    assert float(out['empty_views']) == 2  # counted and logged
    out['loss'].backward()  # connected to every student parameter
    assert all(p.grad is not None for p in model.student.parameters())


def test_unknown_schedule_name_and_mode_raise(model):
    with pytest.raises(KeyError, match='teacher_tmp'):
        model.set_schedule(teacher_tmp=0.1)
    with pytest.raises(RuntimeError, match='pretraining model'):
        model(inputs={}, data_samples=[], mode='probe')
    with pytest.raises(ValueError, match='whole scans'):
        model(inputs=dict(views=[]), data_samples=[], mode='predict')


def test_model_holds_its_schedule_start_until_the_hook_sets_values():
    model = build_model(schedule=dict(alpha=2.0, mask_ratio=0.5))
    pre, head = model.data_preprocessor, model.head
    # before the first iteration: each warm-up's start
    assert (head.target.alpha, head.teacher_temp) == (0.0, 0.04)
    assert (pre.mask_ratio, pre.block_size) == (0.3, 0.25)
    assert model.teacher.momentum == 0.98  # the tiny config's start
    values = model.schedule_at(500, 1000)  # what the hook sets
    assert values['alpha'] == 2.0 and values['mask_ratio'] == 0.5
    model.set_schedule(**values)
    assert (head.target.alpha, pre.mask_ratio) == (2.0, 0.5)


@pytest.mark.parametrize('place, value', [
    (dict(head=dict(target=dict(alpha=1.3))), 'model.head.target.alpha=1.3'),
    (dict(head=dict(teacher_temp=0.04)), 'model.head.teacher_temp=0.04'),
    (dict(data_preprocessor=dict(mask_ratio=0.6)),
     'model.data_preprocessor.mask_ratio=0.6'),
    (dict(teacher_momentum=0.994), 'model.teacher_momentum=0.994'),
])
def test_scheduled_value_outside_model_schedule_is_refused(place, value):
    """The hook would overwrite it, so a config stating it elsewhere (as
    older configs did) is refused, naming the value and model.schedule."""
    with pytest.raises(
            ValueError, match=value.replace('.', r'\.') + '.*model.schedule'):
        build_model(**place)


@pytest.mark.parametrize('schedule, message', [
    (dict(teacher_momentum=(1.5, 2.0)),
     r'model\.schedule\.teacher_momentum=\(1\.5, 2\.0\) is not a \(start, '
     r'end\) pair, each in \[0, 1\]'),
    (dict(teacher_temp=0), r'model\.schedule\.teacher_temp=0 is not a '
     r'\(start, end\) pair, each in \(0, inf\)'),
    (dict(teacher_temp=(0.0, 0.07)), r'teacher_temp=\(0\.0, 0\.07\)'),
    (dict(alpha=-1.0), r'model\.schedule\.alpha=-1\.0 is not a number in '
     r'\[0, inf\)'),
    (dict(alpha='1.3'), r"alpha='1\.3'"),
    (dict(mask_ratio=1.0), r'mask_ratio=1\.0 is not a number in \[0, 1\)'),
    (dict(block_size=0), r'block_size=0 is not a number in \(0, inf\)'),
    (dict(mask_warmup=2), r'mask_warmup=2 is not a number in \[0, 1\]'),
])
def test_schedule_values_out_of_range_are_refused_at_build(schedule, message):
    """Issue 34, case 7 and the teacher_temp=0 traceback: a value the
    schedule cannot use is refused where the config is read, naming its
    key, the value and the allowed range."""
    with pytest.raises(ValueError, match=message + '.*Fix: set model'):
        build_model(schedule=schedule)


@pytest.mark.parametrize('value', ['abc', 512.5, 1, True])
def test_prototype_count_must_be_an_integer(value):
    """Issue 34: num_prototypes=abc or 512.5 was a traceback deep in torch;
    now the key, the value and the fix."""
    with pytest.raises(
            ValueError,
            match=r'model\.encoder\.head\.num_prototypes=.*'
            r'not an integer >= 2\. Fix'):
        build_model(proto_head=dict(num_prototypes=value))


def test_prototype_counts_of_head_and_target_must_agree():
    """Issue 34: a K in the encoder's head other than the target's failed
    with a size mismatch at the first step; now at build."""
    with pytest.raises(
            ValueError,
            match=r'num_prototypes=16 but model\.head\.target\.'
            r'num_prototypes=8.*Fix: state K once'):
        build_model(
            encoder=dict(head=dict(num_prototypes=16)),
            head=dict(target=dict(num_prototypes=8)))


def test_unknown_schedule_key_and_argument_are_refused():
    with pytest.raises(TypeError, match='model.schedule.*alphaa'):
        build_model(schedule=dict(alphaa=1.0))
    with pytest.raises(TypeError, match='unexpected.*encoderr'):
        build_model(encoderr=dict())


def test_mask_token_ablation_distills_at_masked_cells():
    model = build_model(
        data_preprocessor=dict(student_input='mask_token'),
        encoder=dict(mask_token_channels=4))
    data = model.data_preprocessor(make_batch(), True)
    out = model(**data, mode='loss')
    assert torch.isfinite(out['loss'])
    out['loss'].backward()
    assert model.student.mask_token.grad.abs().sum() > 0
    # the student's cells are those of masked points, given the token
    view = data['inputs']['views'][0]
    enc = model.student.encode(view['student'], view['orig_coord'], 2)
    token = dpp.token_input(view['full'], view['masked'])
    assert torch.equal(token['point_rows'], view['student']['point_rows'])
    assert bool(view['masked'][token['point_rows']].all())
    mask = token['token_mask']
    assert 0 < int(mask.sum()) < len(mask)
    assert len(enc) > 0


def test_sonata_style_masked_baseline_distills_at_every_cell():
    model = build_model(
        data_preprocessor=dict(student_input='mask_token_all'),
        encoder=dict(mask_token_channels=4))
    data = model.data_preprocessor(make_batch(), True)
    out = model(**data, mode='loss')
    assert torch.isfinite(out['loss'])
    out['loss'].backward()
    assert model.student.mask_token.grad.abs().sum() > 0
    view = data['inputs']['views'][0]
    every_input = view['student']
    rows, mask = every_input['point_rows'], every_input['token_mask']
    assert len(rows) == len(view['full']['point_rows'])  # every point
    assert not bool(view['masked'][rows].all())  # observable ones too
    assert 0 < int(mask.sum()) < len(mask)
    masked_input = dpp.token_input(view['full'], view['masked'])
    assert torch.equal(masked_input['token_mask'], mask)  # same input
    every = model.student.encode(every_input, view['orig_coord'], 2)
    masked = model.student.encode(masked_input, view['orig_coord'], 2)
    assert len(every) > len(masked)


def test_mask_token_mode_needs_a_token():
    for mode in ('mask_token', 'mask_token_all'):
        with pytest.raises(ValueError, match='mask_token_channels'):
            build_model(data_preprocessor=dict(student_input=mode))
    with pytest.raises(ValueError, match='student_input'):
        build_model(data_preprocessor=dict(student_input='all'))


@pytest.mark.parametrize('config',
                         ['dos_tiny_minkunet.py', 'dos_tiny_ptv3.py'])
def test_segmentation_backbones_run_the_same_algorithm(config):
    """The segmentation path (minkunet voxelisation) with MinkUNet
    (spconv) and with Point Transformer V3."""
    init_default_scope('mmdet3d')
    cfg = Config.fromfile(str(TINY_CONFIG.parent / config))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    out = model(**model.data_preprocessor(make_batch(), True), mode='loss')
    assert torch.isfinite(out['loss'])
    assert float(out['matched_pairs']) > 0.3
    assert float(out['upcast_missing']) == 0
    out['loss'].backward()
    assert all(p.grad is not None for p in model.student.parameters())


def test_prototype_collapse_is_detected_and_logged(monkeypatch):
    import dos_mm.models.utils.prototype_usage as usage_module
    model = build_model()
    data = model.data_preprocessor(make_batch(), True)
    out = model(**data, mode='loss')
    assert float(out['collapsed']) == 0.0
    warnings = []
    monkeypatch.setattr(usage_module, 'print_log',
                        lambda msg, **kw: warnings.append(msg))
    with torch.no_grad():  # every prototype points the same way
        model.teacher.module.head.prototypes.weight.copy_(
            model.teacher.module.head.prototypes.weight[:1].expand(32, -1))
    out = model(**data, mode='loss')
    assert float(out['protos_in_use']) <= 2
    assert float(out['collapsed']) == 1.0
    assert any('prototype collapse' in w for w in warnings)


def test_voxelize_scans_equals_the_full_view_voxels_on_both_grids():
    """Probes and baselines voxelise whole scans as the teacher sees them."""
    init_default_scope('mmdet3d')
    batch = make_batch()
    for config in ('dos_tiny.py', 'dos_tiny_minkunet.py'):
        cfg = Config.fromfile(str(TINY_CONFIG.parent / config))
        pre = MODELS.build(cfg.model.data_preprocessor)
        view = pre(copy.deepcopy(batch), True)['inputs']['views'][0]
        pts = batch['inputs']['views'][0]['points']
        scan = torch.cat(
            [torch.full((len(p), ), i) for i, p in enumerate(pts)])
        vox = pre.voxelize_scans(torch.cat(pts), scan, len(pts))
        assert torch.equal(vox['coors'], view['full']['coors'])
        assert torch.equal(vox['point_vox'], view['full']['point_vox'])


def test_checkpoints_from_before_the_head_still_load():
    """A state dict written when the target generator was
    ``DOS.target_generator`` loads (strict) into today's ``head.target``."""
    from dos_mm.models.algorithms.state_dict_keys import upgrade_state_dict
    model = build_model()
    with torch.no_grad():
        model.head.target.usage.uniform_()
    from collections import OrderedDict
    state = model.state_dict()
    old = OrderedDict(
        (k.replace('head.target.', 'target_generator.'), v.clone())
        for k, v in state.items())
    old._metadata = state._metadata  # spconv reads its weight layout here
    assert any(k.startswith('target_generator.') for k in old)
    assert set(upgrade_state_dict(old)) == set(model.state_dict())
    fresh = build_model()
    fresh.load_state_dict(old, strict=True)
    assert torch.equal(fresh.head.target.usage, model.head.target.usage)


def test_teacher_drops_nothing_while_the_student_drops_paths():
    """Drop path is on in the student and off in the teacher, which runs in
    train mode (BatchNorm): its targets are not random."""
    model = build_model(
        config='dos_tiny_ptv3.py', encoder=dict(backbone=dict(drop_path=0.5)))
    rates = [
        getattr(m, 'drop_prob', None) for m in model.student.modules()
        if hasattr(m, 'drop_prob')
    ]
    assert max(rates) == 0.5
    assert all(m.drop_prob == 0 for m in model.teacher.modules()
               if hasattr(m, 'drop_prob'))
    assert model.teacher.module.training
    g = torch.Generator().manual_seed(0)
    coors = torch.unique(torch.randint(0, 30, (400, 4), generator=g), dim=0)
    coors[:, 0] = 0
    coors = torch.unique(coors, dim=0)
    feats = torch.randn(len(coors), 4, generator=g)

    def run(net):
        with torch.no_grad():
            return net.backbone(feats, coors, 1)[0][-1].features

    assert torch.equal(run(model.teacher.module), run(model.teacher.module))
    assert not torch.equal(run(model.student), run(model.student))


@pytest.mark.parametrize(
    'config', ['dos_tiny.py', 'dos_tiny_ptv3.py', 'dos_tiny_minkunet.py'])
def test_predict_reads_the_teacher_on_whole_scans(config):
    from mmdet3d.structures import Det3DDataSample

    from dos_mm.evaluation.point_features import encode_scan
    model = build_model(config=config)
    with torch.no_grad():  # the student moves away; the teacher stays
        for p in model.student.parameters():
            p.add_(0.05 * torch.randn_like(p))
    model.eval()
    points = torch.from_numpy(scan(3))
    batch = dict(inputs=dict(points=[points]),
                 data_samples=[Det3DDataSample()])
    out = model.val_step(batch)[0]
    teacher = encode_scan(model, points, 'teacher', coarse_only=True)
    student = encode_scan(model, points, 'student', coarse_only=True)
    full = encode_scan(model, points, 'teacher')
    torch.testing.assert_close(out.cell_feats, teacher['feats'])
    assert not torch.allclose(out.cell_feats, student['feats'])
    assert torch.equal(out.cell_prototype, full['logits'].argmax(1))
    assert torch.equal(out.point_cell, teacher['point_cell'])
    assert torch.equal(out.point_rows, teacher['rows'])
    # the probe reads the loss level and the coarser ones only
    assert out.cell_feats.shape[1] < full['feats'].shape[1]


def test_predict_on_a_scan_out_of_range_gives_empty_outputs():
    from mmdet3d.structures import Det3DDataSample
    model = build_model().eval()
    far = torch.from_numpy(scan(3))
    far[:, :2] += 500.0
    out = model.val_step(
        dict(inputs=dict(points=[far]),
             data_samples=[Det3DDataSample()]))[0]
    assert len(out.point_rows) == 0 and len(out.cell_prototype) == 0

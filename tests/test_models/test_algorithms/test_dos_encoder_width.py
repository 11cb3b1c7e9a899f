"""The prototype head's input width is derived from the backbone's levels
(no config states it by hand), and equals what the network produces."""
import pytest
import torch

from .test_dos import build_model, make_batch


@pytest.mark.parametrize(
    'config', ['dos_tiny.py', 'dos_tiny_minkunet.py', 'dos_tiny_ptv3.py'])
def test_level_widths_are_those_of_the_forward_and_feed_the_head(
        config, monkeypatch):
    model = build_model(config=config)
    encoder = model.student
    seen = {}
    forward = type(encoder.backbone).forward

    def spy(self, *args, **kwargs):
        levels, strides = forward(self, *args, **kwargs)
        seen['widths'] = [int(lv.features.shape[1]) for lv in levels]
        return levels, strides

    monkeypatch.setattr(type(encoder.backbone), 'forward', spy)
    data = model.data_preprocessor(make_batch(), True)
    out = model(**data, mode='loss')
    assert torch.isfinite(out['loss'])
    assert seen['widths'] == encoder.backbone.level_channels
    assert encoder.head.in_channels == sum(seen['widths'])  # all levels


def test_a_stated_width_must_agree():
    model = build_model(proto_head=dict(in_channels=368))  # the right one
    assert model.student.head.in_channels == 368
    with pytest.raises(ValueError) as err:
        build_model(proto_head=dict(in_channels=300))
    msg = str(err.value)
    assert 'model.encoder.head.in_channels=300' in msg and '368' in msg
    assert 'leave in_channels out' in msg


def test_a_neck_of_some_levels_narrows_the_head():
    model = build_model(encoder=dict(neck=dict(levels=[0, 4])))
    widths = model.student.backbone.level_channels
    assert model.student.head.in_channels == widths[0] + widths[4]

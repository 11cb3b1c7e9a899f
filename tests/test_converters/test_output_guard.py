"""The converter never destroys a file the user has: not its own input (by
path or through a link), not another training checkpoint (issue 34,
case 1). Each case leaves the file on disk byte for byte."""
from collections import OrderedDict

import pytest
import torch

from dos_mm.converters import check_output_path
from ..conftest import load_tool


def _training_checkpoint(path):
    sd = OrderedDict([
        ('teacher.backbone.encoder_layers.0.weight', torch.ones(2)),
        ('student.backbone.encoder_layers.0.weight', torch.ones(2)),
        ('student.backbone.conv_out.0.weight', torch.ones(2)),
    ])
    sd._metadata = OrderedDict()
    torch.save(
        dict(
            state_dict=sd,
            optimizer=dict(state={}),
            message_hub={},
            meta=dict(iter=2)), path)
    return path.read_bytes()


def _main():
    return load_tool('convert_checkpoint').main


@pytest.mark.parametrize('how', ['same path', 'symlink', 'other checkpoint'])
def test_converter_refuses_to_overwrite_a_training_checkpoint(
        tmp_path, capsys, how):
    src = tmp_path / 'iter_2.pth'
    original = _training_checkpoint(src)
    dst = src
    if how == 'symlink':
        dst = tmp_path / 'link.pth'
        dst.symlink_to(src)
    elif how == 'other checkpoint':
        dst = tmp_path / 'iter_1.pth'
        _training_checkpoint(dst)
    before = dst.read_bytes()
    rc = _main()([str(src), str(dst), '--target', 'centerpoint'])
    assert rc == 2
    err = capsys.readouterr().err
    assert str(dst) in err and 'Fix: name another output file' in err
    assert src.read_bytes() == original and dst.read_bytes() == before


def test_converter_replaces_an_earlier_converted_file(tmp_path):
    src = tmp_path / 'iter_2.pth'
    _training_checkpoint(src)
    dst = tmp_path / 'backbone.pth'
    torch.save(dict(state_dict={}, meta={}), dst)  # an earlier conversion
    check_output_path(str(src), str(dst))  # allowed
    assert _main()(
        [str(src),
         str(dst), '--target', 'centerpoint', '--net', 'student']) == 0
    out = torch.load(dst, weights_only=False)
    assert len(out['state_dict']) == 2

"""dos_mm.utils.atomic_write: complete or absent, never partial."""
import json
import os

import pytest

from dos_mm.utils.atomic_write import (atomic_path, atomic_write_bytes,
                                       atomic_write_json)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / 'results.json'
    atomic_write_json(str(path), dict(runs=[1]))
    with pytest.raises(RuntimeError):
        with atomic_path(str(path)) as tmp:
            with open(tmp, 'w') as f:
                f.write('{"runs": [1, 2')  # half written, then a crash
            raise RuntimeError('killed')
    assert json.loads(path.read_text()) == dict(runs=[1])
    assert os.listdir(tmp_path) == ['results.json']


def test_folders_and_hidden_temporaries(tmp_path):
    out = tmp_path / 'dataset'
    with atomic_path(str(out)) as tmp:
        os.makedirs(tmp)
        (tmp_path / os.path.basename(tmp) / 'a.bin').write_bytes(b'1')
        assert not out.exists()  # nothing under the final name yet
    assert (out / 'a.bin').read_bytes() == b'1'
    ckpt = tmp_path / 'iter_2.pth'
    with atomic_path(str(ckpt), hidden=True) as tmp:
        assert os.path.basename(tmp).startswith('.iter_2.pth.tmp-')
        atomic_write_bytes(tmp, b'x')
    assert ckpt.read_bytes() == b'x'
    assert sorted(os.listdir(tmp_path)) == ['dataset', 'iter_2.pth']

"""Label-efficient splits: deterministic, nested, written as info files."""
import pickle
import subprocess
import sys

import numpy as np
import pytest

from dos_mm.datasets.label_splits import label_split, write_label_splits
from ..conftest import REPO


def test_splits_are_deterministic_and_nested():
    a = label_split(1000, 0.01, seed=0)
    assert np.array_equal(a, label_split(1000, 0.01, seed=0))
    assert not np.array_equal(a, label_split(1000, 0.01, seed=1))
    assert len(a) == 10 and len(set(a.tolist())) == 10
    b = label_split(1000, 0.1, seed=0)
    assert set(a.tolist()) <= set(b.tolist())
    with pytest.raises(ValueError, match='fraction'):
        label_split(10, 0.0, seed=0)


def test_a_fraction_of_less_than_half_a_scan_is_refused_or_skipped(tmp_path):
    """Issue 34, case 10: 1 % of 4 scans wrote 1 scan (25 %) into a file
    named 1pct; now an error naming the file, the sizes and the fix, or a
    logged skip where a tool writes a fixed list of fractions."""
    with pytest.raises(
            ValueError,
            match=r'0\.01 split of 4 scans .* 25%'
            r' of them, not 1\.00%\. Fix: a fraction of at least'
            r' 0\.125'):
        label_split(4, 0.01, seed=0)
    assert len(label_split(4, 0.125, seed=0)) == 1  # half a scan rounds up
    src = tmp_path / 'x_infos_train.pkl'
    with open(src, 'wb') as f:
        pickle.dump(dict(data_list=[dict(i=i) for i in range(4)]), f)
    with pytest.raises(ValueError, match='x_infos_train.pkl: a 0.01 split'):
        write_label_splits(str(src), [0.01, 0.5])
    assert not (tmp_path / 'x_infos_train_1pct_seed0.pkl').exists()
    written = write_label_splits(str(src), [0.01, 0.5], skip_too_small=True)
    assert list(written) == [0.5]
    assert not (tmp_path / 'x_infos_train_1pct_seed0.pkl').exists()


def test_tool_writes_info_files(tmp_path):
    info = dict(
        metainfo=dict(DATASET='x'),
        data_list=[dict(sample_idx=i) for i in range(200)])
    src = tmp_path / 'x_infos_train.pkl'
    with open(src, 'wb') as f:
        pickle.dump(info, f)
    proc = subprocess.run([
        sys.executable,
        str(REPO / 'tools/make_label_splits.py'),
        str(src), '--fractions', '0.01', '0.1'
    ],
                          capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / 'x_infos_train_1pct_seed0.pkl', 'rb') as f:
        one = pickle.load(f)
    assert [d['sample_idx'] for d in one['data_list']] == \
        label_split(200, 0.01, 0).tolist()
    assert one['metainfo']['DATASET'] == 'x'
    assert one['metainfo']['label_split']['fraction'] == 0.01
    assert (tmp_path / 'x_infos_train_10pct_seed0.pkl').is_file()
    assert not list(tmp_path.glob('*.tmp-*'))


def test_bad_info_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.pkl'):
        write_label_splits(str(tmp_path / 'missing.pkl'), [0.1])
    old = tmp_path / 'old.pkl'
    with open(old, 'wb') as f:
        pickle.dump([dict(a=1)], f)
    with pytest.raises(ValueError, match='not an mmdet3d v2 info file'):
        write_label_splits(str(old), [0.1])

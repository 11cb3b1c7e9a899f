"""Resumable steps and atomic writes of the data preparation."""
import mmengine
import pytest

from dos_mm.datasets.preparation.resumable import (atomic_mmengine_dump,
                                                   cached_map, run_step)


def test_steps_run_once_per_settings(tmp_path):
    calls = []
    assert run_step(str(tmp_path), 'a', dict(v=1), lambda: calls.append(1))
    assert not run_step(str(tmp_path), 'a', dict(v=1), lambda: calls.append(2))
    assert run_step(str(tmp_path), 'a', dict(v=2), lambda: calls.append(3))
    assert calls == [1, 3]


def test_a_failed_step_is_redone_and_leaves_no_file(tmp_path):
    out = tmp_path / 'infos.pkl'

    def half_then_fail():
        mmengine.dump(dict(data_list=[1]), str(out))  # atomic: complete
        with atomic_mmengine_dump():
            pass
        raise KeyboardInterrupt  # killed before the step finished

    with pytest.raises(KeyboardInterrupt):
        run_step(str(tmp_path), 'b', {}, half_then_fail)
    assert not (tmp_path / '.dos_prep' / 'b.done').exists()
    assert run_step(str(tmp_path), 'b', {}, lambda: None)  # redone


def test_atomic_dump_never_leaves_a_partial_file(tmp_path, monkeypatch):
    out = tmp_path / 'x.pkl'

    class Unpicklable:

        def __reduce__(self):
            raise RuntimeError('disk full')

    with atomic_mmengine_dump():
        with pytest.raises(RuntimeError, match='disk full'):
            mmengine.dump([1, Unpicklable()], str(out))
    assert list(tmp_path.iterdir()) == []


class Square:

    def __init__(self, log, fail_at=None):
        self.log, self.fail_at = log, fail_at

    def __call__(self, x):
        if x == self.fail_at:
            raise KeyboardInterrupt
        self.log.append(x)
        return x * x


def test_cached_map_resumes_where_it_stopped(tmp_path):
    log = []
    with pytest.raises(KeyboardInterrupt):
        cached_map(Square(log, fail_at=3), [1, 2, 3, 4], str(tmp_path))
    assert log == [1, 2]
    assert cached_map(Square(log), [1, 2, 3, 4], str(tmp_path)) == \
        [1, 4, 9, 16]
    assert log == [1, 2, 3, 4]  # 1 and 2 were not redone

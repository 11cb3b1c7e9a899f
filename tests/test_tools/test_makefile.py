"""The Makefile's demo target: jemalloc is preloaded where it is found,
``MALLOC=system`` keeps glibc's allocator, and a missing jemalloc is named
(read from ``make -n``, which prints the commands without running them)."""
import shutil
import subprocess

import pytest

from ..conftest import REPO

pytestmark = pytest.mark.skipif(
    shutil.which('make') is None, reason='GNU make is not installed')


def demo_commands(*overrides: str) -> str:
    return subprocess.run(
        ['make', '-n', '-C', str(REPO), 'demo', *overrides],
        capture_output=True,
        text=True,
        check=True).stdout


def demo_line(out: str) -> str:
    return next(line for line in out.splitlines() if 'tools/demo.py' in line)


@pytest.fixture
def lib(tmp_path):
    """A file where the Makefile is told jemalloc is."""
    path = tmp_path / 'libjemalloc.so.2'
    path.write_bytes(b'')
    return path


def test_demo_preloads_jemalloc_where_found(lib):
    out = demo_commands(f'JEMALLOC={lib}')
    assert demo_line(out).startswith(f'LD_PRELOAD={lib} ')
    assert 'jemalloc not found' not in out


def test_malloc_system_keeps_glibc(lib):
    out = demo_commands(f'JEMALLOC={lib}', 'MALLOC=system')
    assert 'LD_PRELOAD' not in demo_line(out)
    assert 'jemalloc not found' not in out


def test_missing_jemalloc_is_named():
    out = demo_commands('JEMALLOC=')
    assert 'LD_PRELOAD' not in demo_line(out)
    assert 'jemalloc not found (apt-get install libjemalloc2)' in out

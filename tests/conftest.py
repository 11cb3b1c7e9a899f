"""Shared test set-up: thread count, fixture locations, small datasets."""
import os
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO.parent / 'shared' / 'fixtures' / 'mmdet3d_tests_data'
TINY_CONFIG = REPO / 'tests' / 'data' / 'configs' / 'dos_tiny.py'

# Two torch jobs on two cores are catastrophic: one thread per process
# unless told otherwise (set OMP_NUM_THREADS to change).
torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '2')))


@pytest.fixture(scope='session')
def shared_fixtures() -> Path:
    """mmdet3d's real-format test samples in ../shared (skip if absent)."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(reason='../shared fixtures missing: ' +
                    str(SHARED_FIXTURES))
    return SHARED_FIXTURES


@pytest.fixture(scope='session')
def synthetic_root(tmp_path_factory) -> Path:
    """A small synthetic SemanticKITTI-layout dataset (4 train, 2 val)."""
    from dos_mm.datasets.synthetic import generate_dataset
    root = tmp_path_factory.mktemp('synthetic') / 'data'
    generate_dataset(str(root), num_train=4, num_val=2, seed=0)
    return root


@pytest.fixture
def mm_log():
    """The text of what mmengine's current logger writes during the test
    (its records do not reach pytest's caplog)."""
    import logging

    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)

    class Log:

        @property
        def text(self) -> str:
            return '\n'.join(r.getMessage() for r in records)

    yield Log()
    logger.removeHandler(handler)


def load_tool(name: str):
    """``tools/<name>.py`` as a module, loaded by its path (``tools/`` is
    not a package, and a name like ``test`` is also the standard
    library's), without touching ``sys.path``."""
    import importlib.util
    import sys
    module = f'dos_mm_tools_{name}'
    if module not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            module, REPO / 'tools' / f'{name}.py')
        sys.modules[module] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[module])
    return sys.modules[module]

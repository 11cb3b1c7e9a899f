"""Writing a file (or a folder) so that it is complete or absent.

Every writer of dos_mm goes through :func:`atomic_path`: the content is
written under a temporary name in the same folder and renamed onto the
final name (``os.replace``, atomic on POSIX), so a kill or a full disk never
leaves a partial file under a name that looks finished. (The one exception
is ``tools/waymo_extract.py``, which runs in the Waymo environment without
dos_mm.)
"""
import contextlib
import json
import os
import os.path as osp
import shutil
from typing import Any, Iterator


@contextlib.contextmanager
def atomic_path(path: str, hidden: bool = False) -> Iterator[str]:
    """Yield a temporary path beside ``path``; when the block ends without
    an error it is renamed onto ``path``, otherwise removed.

    Args:
        path (str): the final file or folder.
        hidden (bool): start the temporary name with a dot (checkpoint
            folders, where mmengine lists ``*.pth``).
    """
    parent = osp.dirname(osp.abspath(path))
    os.makedirs(parent, exist_ok=True)
    dot = '.' if hidden else ''
    tmp = osp.join(parent, f'{dot}{osp.basename(path)}.tmp-{os.getpid()}')
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if osp.isdir(tmp) and not osp.islink(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
        elif osp.lexists(tmp):
            os.remove(tmp)


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` (flushed to the disk before the rename)."""
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())


def atomic_write_text(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``."""
    atomic_write_bytes(path, text.encode())


def atomic_write_json(path: str, obj: Any, indent: int = 2) -> None:
    """Write ``obj`` as JSON to ``path``."""
    atomic_write_text(path, json.dumps(obj, indent=indent))

"""Resumable, atomic data preparation.

A conversion is a sequence of named steps; each finished step leaves a
marker ``<root>/.dos_prep/<step>.done`` holding its settings, so a rerun
skips it (unless the settings changed). Info files are written under a
staging name and renamed into place only when complete, and every
``mmengine.dump`` to a path during a step writes a temporary file and renames
it: an interrupted conversion never leaves a file that looks complete.
Per-item work (a Waymo record, a chunk of ScanNet scenes) is cached per item,
so a resumed step does not redo finished items. Info files that were there
before a conversion and that it replaced are kept
(:func:`keep_previous_infos`).
"""
import contextlib
import glob
import json
import os
import os.path as osp
import pickle
import shutil
import time
from typing import Any, Callable, Dict, Iterator, List, Sequence

import mmengine

from dos_mm.utils.atomic_write import atomic_path, atomic_write_bytes

STATE_DIR = '.dos_prep'


def state_dir(root: str) -> str:
    path = osp.join(root, STATE_DIR)
    os.makedirs(path, exist_ok=True)
    return path


@contextlib.contextmanager
def atomic_mmengine_dump() -> Iterator[None]:
    """Make ``mmengine.dump(obj, path)`` atomic while the block runs (the
    converters of mmdet3d call it for their info files)."""
    original = mmengine.dump

    def dump(obj, file=None, file_format=None, **kwargs):
        if not isinstance(file, (str, os.PathLike)):
            return original(obj, file, file_format, **kwargs)
        path = str(file)
        fmt = file_format or path.rsplit('.', 1)[-1]
        with atomic_path(path) as tmp:
            original(obj, tmp, fmt, **kwargs)

    mmengine.dump = dump
    try:
        yield
    finally:
        mmengine.dump = original


@contextlib.contextmanager
def keep_previous_infos(root: str) -> Iterator[List[str]]:
    """Keep the info files (``*.pkl`` in ``root`` and one folder below)
    that the block replaces or removes, under
    ``<root>/.dos_prep/previous/<time>/``; unchanged ones leave no copy.

    Every writer of the preparation replaces a file by a rename, so a hard
    link taken before the block still holds the old content afterwards;
    where links are not possible the file is copied.

    Yields:
        list[str]: filled on exit with the kept copies' paths.
    """
    kept: List[str] = []
    if not osp.isdir(root):
        yield kept
        return
    stamp = time.strftime('%Y%m%d-%H%M%S')
    backup = osp.join(root, STATE_DIR, 'previous', stamp)
    links = {}
    for path in sorted(
            glob.glob(osp.join(root, '*.pkl')) +
            glob.glob(osp.join(root, '*', '*.pkl'))):
        rel = osp.relpath(path, root)
        if rel.startswith(STATE_DIR):
            continue
        dest = osp.join(backup, rel)
        os.makedirs(osp.dirname(dest), exist_ok=True)
        try:
            os.link(path, dest)
        except OSError:
            shutil.copy2(path, dest)
        links[path] = dest
    try:
        yield kept
    finally:
        for path, dest in links.items():
            same = osp.exists(path) and _same_content(path, dest)
            if same:
                os.remove(dest)
            else:
                kept.append(dest)
                print(f'[kept] the previous {path} is {dest}', flush=True)
        if osp.isdir(backup) and not kept:
            shutil.rmtree(backup)


def _same_content(a: str, b: str) -> bool:
    if osp.samefile(a, b):
        return True
    if osp.getsize(a) != osp.getsize(b):
        return False
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        return fa.read() == fb.read()


def run_step(root: str,
             name: str,
             settings: Dict[str, Any],
             fn: Callable[[], Any],
             outputs: Sequence[str] = ()) -> bool:
    """Run ``fn`` unless step ``name`` already finished with ``settings``
    and its ``outputs`` (paths) still exist.

    Returns:
        bool: True when the step ran, False when it was skipped.
    """
    marker = osp.join(state_dir(root), f'{name}.done')
    wanted = json.dumps(settings, sort_keys=True, default=str)
    if osp.isfile(marker) and all(osp.exists(p) for p in outputs):
        with open(marker) as f:
            if f.read() == wanted:
                print(f'[skip] {name}: done before ({marker})', flush=True)
                return False
    print(f'[step] {name}', flush=True)
    with atomic_mmengine_dump():
        fn()
    atomic_write_bytes(marker, wanted.encode())
    return True


def cached_map(fn: Callable[[Any], Any],
               items: Sequence[Any],
               cache_dir: str,
               key: Callable[[Any], str] = str,
               workers: int = 0) -> List[Any]:
    """``[fn(item) for item in items]``, each result cached (atomically) in
    ``cache_dir/<key(item)>.pkl``; cached items are not recomputed. Shows a
    progress bar; ``workers > 1`` runs the missing items in processes."""
    os.makedirs(cache_dir, exist_ok=True)
    paths = [osp.join(cache_dir, f'{key(item)}.pkl') for item in items]
    todo = [i for i, p in enumerate(paths) if not osp.isfile(p)]
    if len(todo) < len(items):
        print(
            f'[resume] {len(items) - len(todo)} of {len(items)} items '
            f'already done in {cache_dir}',
            flush=True)
    job = _CachedCall(fn, [items[i] for i in todo], [paths[i] for i in todo])
    if todo:
        if workers > 1:
            mmengine.track_parallel_progress(job, range(len(todo)), workers)
        else:
            mmengine.track_progress(job, range(len(todo)))
    out = []
    for path in paths:
        with open(path, 'rb') as f:
            out.append(pickle.load(f))
    return out


class _CachedCall:
    """Picklable worker of :func:`cached_map`."""

    def __init__(self, fn, items, paths) -> None:
        self.fn, self.items, self.paths = fn, items, paths

    def __call__(self, i: int) -> None:
        result = self.fn(self.items[i])
        atomic_write_bytes(self.paths[i], pickle.dumps(result))

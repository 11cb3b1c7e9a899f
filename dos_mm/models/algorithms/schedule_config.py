"""The schedule of a DOS config: stated once, in ``model.schedule``."""
import inspect
from typing import Dict

from dos_mm.functional import dos_schedule, dos_schedule_start

# what a schedule can state: the keyword arguments of dos_schedule
SCHEDULE_KEYS = tuple(inspect.signature(dos_schedule).parameters)[2:]


def scheduled_elsewhere(head: dict, data_preprocessor, extra: dict) -> list:
    """``'path=value'`` of each scheduled value a DOS config states outside
    ``model.schedule`` (where the hook would overwrite it)."""
    target = head.get('target', {})
    places = [(f'model.{k}', v) for k, v in extra.items()]
    places += [('model.head.teacher_temp', head.get('teacher_temp')),
               ('model.head.target.alpha', target.get('alpha'))]
    if isinstance(data_preprocessor, dict):  # not a built module
        places += [(f'model.data_preprocessor.{k}', data_preprocessor.get(k))
                   for k in ('block_size', 'mask_ratio')]
    return [f'{path}={value}' for path, value in places if value is not None]


def checked_schedule_start(schedule: dict, head: dict, data_preprocessor,
                           extra: dict) -> Dict[str, float]:
    """The start values of ``schedule`` (see
    :func:`dos_mm.functional.dos_schedule_start`), after refusing a config
    that states a scheduled value anywhere else or names an unknown key.
    ``extra`` holds the DOS arguments the signature does not name."""
    unknown = sorted(set(extra) - set(SCHEDULE_KEYS))
    if unknown:
        raise TypeError(f'DOS got unexpected arguments {unknown}')
    elsewhere = scheduled_elsewhere(head, data_preprocessor, extra)
    if elsewhere:
        raise ValueError(
            f'DOS config states {", ".join(elsewhere)} outside '
            'model.schedule, where DOSScheduleHook would overwrite it. '
            'Fix: state scheduled values once, in model.schedule (keys: '
            f'{", ".join(SCHEDULE_KEYS)}; see '
            'dos_mm.functional.dos_schedule)')
    try:
        return dos_schedule_start(**schedule)
    except TypeError as exc:
        raise TypeError(f'model.schedule: {exc}; see '
                        'dos_mm.functional.dos_schedule') from None

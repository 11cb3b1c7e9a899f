"""The schedule of a DOS config: stated once, in ``model.schedule``."""
import inspect
import numbers
from typing import Dict

from dos_mm.functional import dos_schedule, dos_schedule_start

# what a schedule can state: the keyword arguments of dos_schedule
SCHEDULE_KEYS = tuple(inspect.signature(dos_schedule).parameters)[2:]

# the allowed range of each value: (low, high, low included, high included)
_UNIT = (0.0, 1.0, True, True)
RANGES = dict(
    teacher_temp=(0.0, float('inf'), False, False),
    teacher_temp_warmup=_UNIT,
    alpha=(0.0, float('inf'), True, False),
    alpha_warmup=_UNIT,
    teacher_momentum=_UNIT,
    block_size=(0.0, float('inf'), False, False),
    mask_ratio=(0.0, 1.0, True, False),
    mask_warmup=_UNIT,
    mask_start_scale=(0.0, float('inf'), False, False),
    mask_start_ratio=(0.0, 1.0, True, False),
)
PAIRS = ('teacher_temp', 'teacher_momentum')  # (start, end)


def _in_range(value, key: str) -> bool:
    low, high, low_in, high_in = RANGES[key]
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and (low <= value if low_in else low < value)
            and (value <= high if high_in else value < high))


def check_schedule_values(schedule: dict) -> None:
    """Raise ``ValueError`` naming ``model.schedule.KEY``, the value and
    its allowed range for a value :func:`dos_schedule` cannot use (a
    momentum above 1, a temperature of 0, a text where a number goes)."""
    for key, value in schedule.items():
        if key not in RANGES:
            continue  # unknown keys are dos_schedule's TypeError
        low, high, low_in, high_in = RANGES[key]
        allowed = (f'{"[" if low_in else "("}{low:g}, '
                   f'{high:g}{"]" if high_in else ")"}')
        if key in PAIRS:
            ok = isinstance(value, (list, tuple)) and len(value) == 2 and all(
                _in_range(v, key) for v in value)
            want = f'a (start, end) pair, each in {allowed}'
        else:
            ok = _in_range(value, key)
            want = f'a number in {allowed}'
        if not ok:
            raise ValueError(
                f'model.schedule.{key}={value!r} is not {want}. Fix: '
                f'set model.schedule.{key} to {want} (see '
                'dos_mm.functional.dos_schedule for its meaning)')


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
    check_schedule_values(schedule)
    try:
        return dos_schedule_start(**schedule)
    except TypeError as exc:
        raise TypeError(f'model.schedule: {exc}; see '
                        'dos_mm.functional.dos_schedule') from None

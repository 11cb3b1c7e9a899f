"""The number of prototypes K, checked where a module takes it."""
import numbers


def check_prototype_count(value, where: str) -> None:
    """Raise ``ValueError`` unless ``value`` is an integer K >= 2 (an int
    or a numpy integer; not a bool, a float or a string); the message names
    ``where.num_prototypes``, the value and the fix."""
    if isinstance(
            value,
            bool) or not isinstance(value, numbers.Integral) or value < 2:
        raise ValueError(
            f'{where}.num_prototypes={value!r} is not an integer >= 2. Fix: '
            'state K once as an integer in the config (num_prototypes = '
            '1024 in the paper; configs/dos/*.py set it once and pass it to '
            'both the prototype head and the target)')

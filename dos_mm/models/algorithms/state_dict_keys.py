"""State-dict keys of older DOS checkpoints, renamed to today's so that
they load and resume."""

# state-dict prefixes of checkpoints written before DOSHead -> today's
RENAMED_KEYS = {'target_generator.': 'head.target.'}


def renamed_key(key: str, prefix: str = '') -> str:
    """Today's name of a state-dict key of an older DOS checkpoint
    (:data:`RENAMED_KEYS`, under ``prefix``); other keys are unchanged."""
    for old, new in RENAMED_KEYS.items():
        if key.startswith(prefix + old):
            return prefix + new + key[len(prefix + old):]
    return key


def upgrade_state_dict(state: dict, prefix: str = '') -> dict:
    """``state`` with the keys of older DOS checkpoints renamed to today's,
    so that they resume."""
    return {renamed_key(key, prefix): value for key, value in state.items()}

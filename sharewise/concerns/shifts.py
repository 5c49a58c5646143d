"""Which shift a moment falls in, from the organisation's shift pattern."""

from datetime import time


def shift_for(moment: time, shifts) -> str:
    """shifts: objects with .code and .starts, sorted by start. A shift runs until the
    next one starts; the last runs past midnight into the first."""
    current = shifts[-1].code
    for shift in shifts:
        if moment >= shift.starts:
            current = shift.code
    return current

"""An error in one line, for a log line or a message that quotes it."""
from __future__ import annotations


def first_line(error: BaseException) -> str:
    """The first line of the error's text; its type's name when it has none."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]

"""Names that end up in SQL or object keys: checked against a strict pattern before any use."""
from __future__ import annotations

import re

IDENTIFIER = re.compile(r'[a-z_][a-z0-9_]{0,49}')


def checked_identifier(name: str, what: str) -> str:
    """Returns `name` if it is a plain lower-case SQL identifier, else raises naming `what` it was for."""
    if not isinstance(name, str) or not IDENTIFIER.fullmatch(name):
        raise ValueError(
            f'{what} must match {IDENTIFIER.pattern} (lower-case letters, digits, underscores; at most 50 '
            f'characters), got {name!r}'
        )
    return name


def trips_table_name(taxi_type: str) -> str:
    """The table every target names after the taxi type: {taxi_type}_taxi_trips."""
    return checked_identifier(f'{taxi_type}_taxi_trips', 'table name')

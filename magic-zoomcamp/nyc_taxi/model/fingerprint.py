"""A fingerprint of what the transform does to a taxi type's trips: a month loaded under other rules is stale.

It covers what decides the rows and columns written: the rules that drop trips (with the optional drop when the
run asks for it) and the clean schema. TRANSFORM_VERSION covers the rest of the transform's code: raise it when
a change there writes other values from the same rules and schema.
"""
from __future__ import annotations

import hashlib

from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.model.rules import rules_for
from nyc_taxi.model.schema import schema_for

TRANSFORM_VERSION = 1


def transform_fingerprint(taxi_type: str, drop_missing_passengers: bool = False) -> str:
    """16 hex digits, the same for the same rules, schema and TRANSFORM_VERSION on any machine."""
    described = '\n'.join((f'transform {TRANSFORM_VERSION}',
                           *(repr(rule.condition) for rule in rules_for(taxi_type).drop_rules(drop_missing_passengers)),
                           clean_arrow_schema(schema_for(taxi_type)).to_string(show_schema_metadata=False)))
    return hashlib.sha256(described.encode()).hexdigest()[:16]

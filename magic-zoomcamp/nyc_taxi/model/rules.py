"""What the transform drops and what must hold for the trips it keeps, declared per taxi type.

Each rule is a boolean mask over a record batch (null counts as false) with a name that becomes a
column of the month summary (nyc_taxi.model.month_summary), so the summary, the transformer's
`@test`s and the logs all follow from this one table: a new taxi type gets its checks here.
- drops: trips the transform removes, applied to the batch as staged (source names); a row is
  counted under the first rule that drops it, so the drops add up to the rows removed.
- counts: facts worth a column per date (not errors), on the clean batch.
- violations: kept trips that break a rule every clean trip must keep; the `@test`s require none.
- sums: clean columns summed per date (distance and fares).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nyc_taxi.model.schema import KNOWN_VENDOR_IDS, LOCATION_IDS

Mask = Callable[[pa.RecordBatch], pa.Array]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    mask: Mask


@dataclass(frozen=True)
class TripRules:
    drops: tuple[Rule, ...]
    counts: tuple[Rule, ...]
    violations: tuple[Rule, ...]
    sums: tuple[str, ...]
    # Dropped only when the run asks for it (the drop_missing_passenger_count variable).
    optional_drops: tuple[Rule, ...] = ()

    def drop_rules(self, with_optional: bool) -> tuple[Rule, ...]:
        return self.drops + (self.optional_drops if with_optional else ())

    @property
    def drop_names(self) -> tuple[str, ...]:
        """Every drop column of the summary, optional ones included (zero when not applied)."""
        return tuple(rule.name for rule in self.drops + self.optional_drops)


def evaluate(rule: Rule, batch: pa.RecordBatch) -> pa.Array:
    """The rule's mask with nulls as false."""
    return pc.fill_null(rule.mask(batch), False)


def nothing(batch: pa.RecordBatch) -> pa.Array:
    return pa.array(np.zeros(batch.num_rows, dtype=bool))


def _equals(column: str, value: float) -> Mask:
    return lambda batch: pc.equal(batch.column(column), value)


def _at_most(column: str, value: float) -> Mask:
    return lambda batch: pc.less_equal(batch.column(column), value)


def _is_null(column: str) -> Mask:
    return lambda batch: pc.is_null(batch.column(column))


def _unknown_vendor(batch: pa.RecordBatch) -> pa.Array:
    vendor = batch.column('vendor_id')
    return pc.and_(pc.is_valid(vendor), pc.invert(pc.is_in(vendor, pa.array(sorted(KNOWN_VENDOR_IDS), vendor.type))))


def _outside_zones(column: str) -> Mask:
    def mask(batch: pa.RecordBatch) -> pa.Array:
        ids = batch.column(column)
        return pc.or_(pc.less(ids, LOCATION_IDS.start), pc.greater_equal(ids, LOCATION_IDS.stop))
    return mask


def _either(first: Mask, second: Mask) -> Mask:
    return lambda batch: pc.or_(pc.fill_null(first(batch), False), pc.fill_null(second(batch), False))


def _both(first: Mask, second: Mask) -> Mask:
    return lambda batch: pc.and_(first(batch), second(batch))


def _blank(column: str) -> Mask:
    return lambda batch: pc.or_(pc.is_null(batch.column(column)),
                                pc.equal(pc.utf8_trim_whitespace(batch.column(column)), ''))


_METERED = TripRules(
    drops=(Rule('dropped_zero_passengers', 'passenger_count == 0', _equals('passenger_count', 0)),
           Rule('dropped_zero_distance', 'trip_distance == 0', _equals('trip_distance', 0))),
    optional_drops=(Rule('dropped_missing_passengers', 'no passenger_count (drop_missing_passenger_count)',
                         _is_null('passenger_count')),),
    counts=(),
    violations=(Rule('unknown_vendor_ids', f'vendor_id not in {sorted(KNOWN_VENDOR_IDS)}', _unknown_vendor),
                Rule('passenger_count_not_positive', 'passenger_count <= 0', _at_most('passenger_count', 0)),
                Rule('trip_distance_not_positive', 'trip_distance <= 0', _at_most('trip_distance', 0))),
    sums=('trip_distance', 'fare_amount', 'total_amount'),
)

# FHV trips carry no passenger count, distance or fare: every row is a dispatched trip and is kept.
_FHV = TripRules(
    drops=(),
    counts=(Rule('trips_without_pickup_zone', 'pu_location_id is empty', _is_null('pu_location_id')),
            Rule('trips_without_zones', 'pu_location_id and do_location_id both empty',
                 _both(_is_null('pu_location_id'), _is_null('do_location_id')))),
    violations=(Rule('missing_dispatching_base_num', 'dispatching_base_num is empty', _blank('dispatching_base_num')),
                Rule('location_ids_outside_zones', f'a location id outside {LOCATION_IDS.start}..{LOCATION_IDS.stop - 1}',
                     _either(_outside_zones('pu_location_id'), _outside_zones('do_location_id')))),
    sums=(),
)

RULES: dict[str, TripRules] = {'yellow': _METERED, 'green': _METERED, 'fhv': _FHV}


def rules_for(taxi_type: str) -> TripRules:
    return RULES[taxi_type]

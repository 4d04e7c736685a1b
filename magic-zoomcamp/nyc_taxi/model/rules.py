"""What the transform drops and what must hold for the trips it keeps, declared per taxi type.

Each rule is a condition on a trip's columns (nyc_taxi.model.conditions; NULL counts as false) with a
name that becomes a column of the month summary (nyc_taxi.model.month_summary), so the summary, the
transformer's `@test`s and the logs all follow from this one table: a new taxi type gets its checks
here. The same declaration runs on Arrow batches (`evaluate`) and, rendered to SQL, inside BigQuery
(nyc_taxi.model.transform_sql).
- drops: trips the transform removes, applied to the batch as staged (source names); a row is
  counted under the first rule that drops it, so the drops add up to the rows removed.
- counts: facts worth a column per date (not errors), on the clean batch.
- violations: kept trips that break a rule every clean trip must keep; the `@test`s require none.
- sums: clean columns summed per date (distance and fares).
A violation may name a column whose breaking value the summary keeps (`Rule.example`), so a failing
`@test` says which value broke it, not only how many rows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from nyc_taxi.model.conditions import (AllOf, AnyOf, AtMost, Blank, Condition, Equals, IsNull, KnownAndNotIn,
                                       Outside, arrow_mask)
from nyc_taxi.model.schema import HVFHS_LICENSES, KNOWN_VENDOR_IDS, LOCATION_IDS


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    condition: Condition
    # For a violation: the text column whose value names what broke the rule (an unknown licence). The
    # summary keeps the smallest such value per date (`example_name`), so the failing @test can name it.
    example: str | None = None

    @property
    def example_name(self) -> str:
        return f'{self.name}_example'


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
    def examples(self) -> tuple[Rule, ...]:
        """The violations whose breaking value the summary keeps."""
        return tuple(rule for rule in self.violations if rule.example)

    @property
    def drop_names(self) -> tuple[str, ...]:
        """Every drop column of the summary, optional ones included (zero when not applied)."""
        return tuple(rule.name for rule in self.drops + self.optional_drops)


def evaluate(rule: Rule, batch: pa.RecordBatch) -> pa.Array:
    """The rule's mask over an Arrow batch, with nulls as false."""
    return arrow_mask(rule.condition, batch)


def nothing(batch: pa.RecordBatch) -> pa.Array:
    return pa.array(np.zeros(batch.num_rows, dtype=bool))


_METERED = TripRules(
    drops=(Rule('dropped_zero_passengers', 'passenger_count == 0', Equals('passenger_count', 0)),
           Rule('dropped_zero_distance', 'trip_distance == 0', Equals('trip_distance', 0))),
    optional_drops=(Rule('dropped_missing_passengers', 'no passenger_count (drop_missing_passenger_count)',
                         IsNull('passenger_count')),),
    counts=(),
    violations=(Rule('unknown_vendor_ids', f'vendor_id not in {sorted(KNOWN_VENDOR_IDS)}',
                     KnownAndNotIn('vendor_id', tuple(sorted(KNOWN_VENDOR_IDS)))),
                Rule('passenger_count_not_positive', 'passenger_count <= 0', AtMost('passenger_count', 0)),
                Rule('trip_distance_not_positive', 'trip_distance <= 0', AtMost('trip_distance', 0))),
    sums=('trip_distance', 'fare_amount', 'total_amount'),
)

# FHV trips carry no passenger count, distance or fare: every row is a dispatched trip and is kept.
_FHV = TripRules(
    drops=(),
    counts=(Rule('trips_without_pickup_zone', 'pu_location_id is empty', IsNull('pu_location_id')),
            Rule('trips_without_zones', 'pu_location_id and do_location_id both empty',
                 AllOf((IsNull('pu_location_id'), IsNull('do_location_id'))))),
    violations=(Rule('missing_dispatching_base_num', 'dispatching_base_num is empty', Blank('dispatching_base_num')),
                Rule('location_ids_outside_zones', f'a location id outside {LOCATION_IDS.start}..{LOCATION_IDS.stop - 1}',
                     AnyOf((Outside('pu_location_id', LOCATION_IDS), Outside('do_location_id', LOCATION_IDS))))),
    sums=(),
)

_LICENSES = ', '.join(f'{number} ({name})' for number, name in HVFHS_LICENSES.items())
_ZONES = f'{LOCATION_IDS.start}..{LOCATION_IDS.stop - 1}'

# High-volume FHV: every row is kept (refunds have negative fares: real data). Each trip names one of the
# four licensees and a dispatching base, and starts and ends in a zone (the TLC fills both ids on every trip).
_FHVHV = TripRules(
    drops=(),
    counts=tuple(Rule(f'{name.lower()}_trips', f'hvfhs_license_num == {number} ({name})',
                      Equals('hvfhs_license_num', number)) for number, name in HVFHS_LICENSES.items()),
    violations=(Rule('unknown_hvfhs_license_num', f'hvfhs_license_num empty or not one of {_LICENSES}',
                     AnyOf((IsNull('hvfhs_license_num'), KnownAndNotIn('hvfhs_license_num', tuple(HVFHS_LICENSES)))),
                     example='hvfhs_license_num'),
                Rule('missing_dispatching_base_num', 'dispatching_base_num is empty', Blank('dispatching_base_num')),
                Rule('location_ids_not_zones', f'pu_location_id or do_location_id empty or outside {_ZONES}',
                     AnyOf((IsNull('pu_location_id'), IsNull('do_location_id'),
                            Outside('pu_location_id', LOCATION_IDS), Outside('do_location_id', LOCATION_IDS))))),
    sums=('trip_miles', 'base_passenger_fare', 'driver_pay'),
)

RULES: dict[str, TripRules] = {'yellow': _METERED, 'green': _METERED, 'fhv': _FHV, 'fhvhv': _FHVHV}


def rules_for(taxi_type: str) -> TripRules:
    return RULES[taxi_type]

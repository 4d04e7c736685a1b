"""The transform's fingerprint: the same everywhere for the same rules and schema, another for other ones."""
import subprocess
import sys

from devstack.paths import REPO_ROOT
from nyc_taxi.model.fingerprint import transform_fingerprint
from nyc_taxi.model.rules import RULES


def test_each_taxi_type_and_the_optional_drop_have_their_own():
    prints = {(taxi_type, drop): transform_fingerprint(taxi_type, drop) for taxi_type in RULES for drop in (False, True)}
    assert len(set(prints.values())) == len(prints) - 2  # fhv and fhvhv have no optional drop
    assert all(len(value) == 16 for value in prints.values())


def test_a_new_process_computes_the_same():
    """No hash seed, object id or dict order in it: a fingerprint written by one run is read by the next."""
    other = subprocess.run([sys.executable, '-c', 'from nyc_taxi.model.fingerprint import transform_fingerprint; '
                            "print(transform_fingerprint('yellow'))"], cwd=REPO_ROOT, capture_output=True, text=True,
                           env={'PYTHONPATH': f'{REPO_ROOT / "magic-zoomcamp"}:{REPO_ROOT}', 'PYTHONHASHSEED': '1'},
                           check=True).stdout.strip()
    assert other == transform_fingerprint('yellow')


def test_a_changed_rule_changes_it(monkeypatch):
    from dataclasses import replace

    from nyc_taxi.model import rules
    from nyc_taxi.model.conditions import Equals

    before = transform_fingerprint('green')
    metered = rules.RULES['green']
    changed = replace(metered, drops=(*metered.drops, rules.Rule('dropped_far', 'trip_distance == 999',
                                                                 Equals('trip_distance', 999))))
    monkeypatch.setitem(rules.RULES, 'green', changed)
    assert transform_fingerprint('green') != before

"""The run report that `make run` writes, from a real load."""
from __future__ import annotations

import pytest

from devstack.report import write_report
from tests.conftest import YELLOW_JAN
from tests.integration.expected import month_vars

pytestmark = pytest.mark.integration


def test_report_shows_the_summaries_and_charts_of_the_loaded_month(mage_run, stack_settings, tmp_path):
    assert mage_run('api_to_postgres', month_vars(YELLOW_JAN), POSTGRES_SCHEMA='report').returncode == 0
    page = write_report(YELLOW_JAN, {**stack_settings, 'POSTGRES_SCHEMA': 'report'},
                        ['api_to_postgres, yellow 2021-01:\n  OK <checked>'], tmp_path / 'reports')
    text = page.read_text()
    assert 'Last run: yellow 2021-01' in text and 'OK &lt;checked&gt;' in text
    assert 'Trips the file dates in other months' in text  # the generator puts a few trips outside the month
    for chart in ('trips_per_day.png', 'trip_distance.png', 'fare_amount.png'):
        assert f'src="{chart}"' in text
        assert (tmp_path / 'reports' / chart).read_bytes()[:4] == b'\x89PNG'

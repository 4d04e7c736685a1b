from typing import Any

from mage_ai.settings.repo import get_repo_path

from nyc_taxi.logs import block_logger
from nyc_taxi.mage.current_months import skipped_above
from nyc_taxi.mage.load_records import loaded_by, staged_fingerprint
from nyc_taxi.mage.exported_month import checked_dates
from nyc_taxi.mage.schedule import dates_of_run
from nyc_taxi.mage.staging_tables import table_read
from nyc_taxi.model.schema import schema_for
from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE
from nyc_taxi.resources.identifiers import trips_table_name
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.runs.month import taxi_type_of
from nyc_taxi.staging.staged_table import staged_table_in
from nyc_taxi.targets.bigquery import BigQuerySettings, replace_dates
from nyc_taxi.targets.bigquery_ledger import record_dates

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def taxi_data_to_bigquery(data: list[Any], *args, **kwargs) -> None:
    """Replaces the run's pickup dates in {BQ_DATASET}.{taxi_type}_taxi_trips (day-partitioned) with the clean
    staging table, in one MERGE run by BigQuery; a table of other dates than the run's is refused. Then the ledger
    beside it records each date's GCS objects, rows, transform and run (nyc_taxi.targets.bigquery_ledger). Dates
    the loader skipped, current here, are left as they are."""
    if skipped_above(data, 'taxi_data_to_bigquery', kwargs) is not None:
        return
    taxi_type = taxi_type_of(kwargs)
    first, last = dates_of_run(kwargs)
    settings = BigQuerySettings.from_io_config(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE))
    client = settings.client()
    table = trips_table_name(taxi_type)
    trips = staged_table_in(data, 'taxi_data_to_bigquery')
    checked_dates(trips, taxi_type, first, last, 'taxi_data_to_bigquery')
    rows = replace_dates(client, settings, table, trips, schema_for(taxi_type), first, last)
    if rows:
        record_dates(client, settings, table, schema_for(taxi_type).pickup_date, dict(trips.versions),
                     staged_fingerprint(trips.staged_by, taxi_type, kwargs), loaded_by(kwargs), first, last)
    table_read(kwargs, client, settings, trips, 'taxi_data_to_bigquery')
    logger = block_logger(kwargs, 'taxi_data_to_bigquery')
    if rows:
        logger.info('%d rows for %s..%s now in %s.%s (%s)', rows, first, last,
                    settings.dataset, table, settings.describe())
    else:
        logger.warning('no trips for %s..%s in GCS; %s.%s (%s) left as it was', first,
                       last, settings.dataset, table, settings.describe())

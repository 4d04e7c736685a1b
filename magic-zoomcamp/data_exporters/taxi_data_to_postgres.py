from typing import Any

from mage_ai.settings.repo import get_repo_path

from nyc_taxi.resources.identifiers import trips_table_name
from nyc_taxi.resources.io_config import DEFAULT_POSTGRES_PROFILE, load_profile
from nyc_taxi.logs import block_logger
from nyc_taxi.targets.postgres import PostgresSettings, replace_month_batches
from nyc_taxi.model.schema import schema_for
from nyc_taxi.mage.current_months import skipped_above
from nyc_taxi.mage.load_records import load_record
from nyc_taxi.mage.trips import trips_to_export
from nyc_taxi.staging.stream_sizes import StreamSizes

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def taxi_data_to_postgres(data: list[Any], *args, **kwargs) -> None:
    """Replaces the month of the trips it is handed, which the run's variables must ask for, in
    {POSTGRES_SCHEMA}.{taxi_type}_taxi_trips (binary COPY over NYC_TAXI_COPY_STREAMS connections, default 2, into a
    fresh table swapped in in one transaction), streaming the staged clean month a batch at a time. The month's
    partition keeps what was loaded, from which version of the source file, under which transform and by which
    run (nyc_taxi.targets.postgres_ledger). A month the loader skipped, current here, is left as it is."""
    if skipped_above(data, 'taxi_data_to_postgres', kwargs) is not None:
        return
    trips = trips_to_export(data, 'taxi_data_to_postgres', kwargs)
    request = trips.request
    profile = kwargs.get('config_profile') or DEFAULT_POSTGRES_PROFILE
    settings = PostgresSettings.from_io_config(load_profile(get_repo_path(), profile), profile)
    table = trips_table_name(request.taxi_type)
    rows = replace_month_batches(settings, trips.batches(), schema_for(request.taxi_type), settings.db_schema, table,
                                 request.month_start, StreamSizes.from_env().copy_streams, load_record(trips, kwargs))
    trips.read(kwargs, 'taxi_data_to_postgres')
    block_logger(kwargs, 'taxi_data_to_postgres').info('%d rows of %s now in %s.%s on %s', rows, request,
                                                       settings.db_schema, table, settings.describe())

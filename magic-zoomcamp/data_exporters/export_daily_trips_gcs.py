from typing import Any

from mage_ai.settings.repo import get_repo_path

from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.logs import block_logger
from nyc_taxi.targets.parquet_exports import daily_object_key, write_daily_object
from nyc_taxi.runs.dates import execution_day
from nyc_taxi.runs.month import taxi_type_of
from nyc_taxi.model.schema import schema_for
from nyc_taxi.mage.current_months import skipped_above
from nyc_taxi.mage.load_records import staged_load_record
from nyc_taxi.mage.run_context import in_editor, input_read
from nyc_taxi.staging.staged_trips import staged_trips_in

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def export_daily_trips_gcs(data: list[Any], *args, **kwargs) -> None:
    """Writes the trips picked up on the run's execution_date to gs://{GCS_BUCKET}/{YYYY}/{MM}/{DD}/{taxi_type}/daily-trips.parquet.

    Scheduled and backfill runs carry execution_date; a manual run passes it as a runtime variable
    (`--runtime-vars '{"execution_date": "2021-01-15"}'`) or writes nothing. The editor runs blocks with
    an execution_date of now: there a date the month holds no trips of writes nothing either. The object's
    metadata keeps the load record of the month it was taken from (nyc_taxi.targets.gcs_ledger); a month the
    loader skipped, current here, is left as it is.
    """
    if skipped_above(data, 'export_daily_trips_gcs', kwargs) is not None:
        return
    logger = block_logger(kwargs, 'export_daily_trips_gcs')
    trips = staged_trips_in(data, 'export_daily_trips_gcs')
    schema = schema_for(taxi_type_of(kwargs))
    day = execution_day(kwargs)
    if day is None:
        logger.info('no execution_date in this run, nothing to write')
    elif in_editor(kwargs) and not trips.rows_picked_up_on(day, schema.pickup_date):
        logger.info('nothing written: the %s trips hold none picked up on %s, the execution_date the editor gave '
                    'this run (now, unless the pipeline has an execution_date variable: set one, e.g. 2021-01-15, '
                    'to export that day)', trips.what, day)
    else:
        settings, filesystem = open_bucket(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE),
                                           daily_object_key(day, schema.taxi_type))
        result = write_daily_object(filesystem, settings.bucket, trips.batches(), schema, day,
                                    staged_load_record(trips, schema.taxi_type, kwargs))
        logger.info('%d trips of %s to gs://%s', result.rows, day, result.paths[0])
    input_read(kwargs, trips, 'export_daily_trips_gcs')

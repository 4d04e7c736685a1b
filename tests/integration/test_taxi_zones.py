"""taxi_zones end to end: `mage run` against real Postgres, the local HTTP source, and the GCS and BigQuery emulators.

Each test writes to a Postgres schema, a BigQuery dataset and a bucket of its own, so the order of
tests does not matter. Variants of the lookup (a renamed zone, broken files) are served from
directories of their own under the same file server, picked by TAXI_DATA_BASE_URL.
"""
from __future__ import annotations

import csv
from contextlib import closing
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from google.cloud import bigquery

from nyc_taxi.model.zones import ZONES_SCHEMA
from nyc_taxi.sources.zone_lookup import ZONE_LOOKUP_PATH
from nyc_taxi.targets.postgres import PostgresError, PostgresSettings
from nyc_taxi.targets.zones_gcs import ZONES_OBJECT_KEY
from nyc_taxi.targets.zones_postgres import replace_zones
from tests.integration.pg import query

pytestmark = pytest.mark.integration

HEADER = ('LocationID', 'Borough', 'Zone', 'service_zone')
# Rows as in the release's misc/taxi_zone_lookup.csv: a few real ones, the two whose zone names read as
# nulls to naive readers ("NV", "NA", with service zone "N/A"), and made-up names for the rest.
_REAL_ZONES = {
    1: ('EWR', 'Newark Airport', 'EWR'),
    2: ('Queens', 'Jamaica Bay', 'Boro Zone'),
    3: ('Bronx', 'Allerton/Pelham Gardens', 'Boro Zone'),
    4: ('Manhattan', 'Alphabet City', 'Yellow Zone'),
    5: ('Staten Island', 'Arden Heights', 'Boro Zone'),
    132: ('Queens', 'JFK Airport', 'Airports'),
    138: ('Queens', 'LaGuardia Airport', 'Airports'),
    161: ('Manhattan', 'Midtown Center', 'Yellow Zone'),
    264: ('Unknown', 'NV', 'N/A'),
    265: ('Unknown', 'NA', 'N/A'),
}
_BOROUGHS = ('Bronx', 'Brooklyn', 'Manhattan', 'Queens', 'Staten Island')

Zone = tuple[int, str, str, str]  # (location_id, borough, zone, service_zone)


def write_lookup(path: Path, rows: list[Zone]) -> Path:
    """The lookup as the release writes it: every field quoted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w', newline='', encoding='utf-8') as file:
        writer = csv.writer(file, quoting=csv.QUOTE_ALL, lineterminator='\n')
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def read_lookup(path: Path) -> list[Zone]:
    """The file's zones by the standard library's csv module, which keeps every text as it is."""
    with open(path, newline='', encoding='utf-8-sig') as file:
        reader = csv.reader(file)
        assert tuple(next(reader)) == HEADER
        return sorted((int(row[0]), *row[1:]) for row in reader if row)


def made_up_zones() -> list[Zone]:
    rows = []
    for location_id in range(1, 266):
        borough = _BOROUGHS[location_id % len(_BOROUGHS)]
        default = (borough, f'{borough} zone {location_id}', 'Yellow Zone' if borough == 'Manhattan' else 'Boro Zone')
        rows.append((location_id, *_REAL_ZONES.get(location_id, default)))
    return rows


@pytest.fixture(scope='module')
def zone_file(trip_data_dir: Path) -> Path:
    """The served lookup; written here only when the sample-data generator has not written one."""
    path = trip_data_dir / ZONE_LOOKUP_PATH
    if not path.exists():
        write_lookup(path, made_up_zones())
    return path


@pytest.fixture(scope='module')
def zones(zone_file: Path) -> list[Zone]:
    rows = read_lookup(zone_file)
    assert any(row[2] == 'NA' for row in rows), 'the lookup should hold the zone named "NA"'
    return rows


@pytest.fixture(scope='module')
def variant(trip_data_dir: Path, file_server: str):
    """Serves `rows` (or raw `text`) as the lookup under a base URL of its own; returns that base URL."""

    def serve(name: str, rows: list[Zone] | None = None, text: str | None = None) -> str:
        path = trip_data_dir / 'zone_variants' / name / ZONE_LOOKUP_PATH
        if text is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding='utf-8')
        elif rows is not None:
            write_lookup(path, rows)
        return f'{file_server}/zone_variants/{name}'

    return serve


def targets(name: str) -> dict[str, str]:
    """The settings that send a run to a schema, dataset and bucket named `name` (created by the test)."""
    return {'POSTGRES_SCHEMA': name, 'BQ_DATASET': name, 'GCS_BUCKET': name.replace('_', '-')}


def execute(db, statement: str) -> None:
    with db.cursor() as cursor:
        cursor.execute(statement)


def postgres_zones(db, schema: str) -> list[Zone]:
    return query(db, f'SELECT location_id, borough, zone, service_zone FROM "{schema}".taxi_zones '
                     'ORDER BY location_id')


def bigquery_zones(bq: bigquery.Client, dataset: str) -> list[Zone]:
    rows = bq.query(f'SELECT location_id, borough, zone, service_zone FROM `local-project.{dataset}.taxi_zones` '
                    'ORDER BY location_id').result()
    return [tuple(row.values()) for row in rows]


def gcs_object(gcs_filesystem: pafs.FileSystem, bucket: str) -> bytes:
    with gcs_filesystem.open_input_stream(f'{bucket}/{ZONES_OBJECT_KEY}') as source:
        return source.read()


def test_the_lookup_lands_in_postgres_gcs_and_bigquery_as_the_file_holds_it(
        mage_run, new_bucket, db, bq, gcs_filesystem, zones):
    settings = targets('zones')
    new_bucket(settings['GCS_BUCKET'])

    result = mage_run('taxi_zones', **settings)

    assert result.returncode == 0, result.output
    for block in ('load_taxi_zones_api', 'export_taxi_zones_to_postgres', 'export_taxi_zones_to_gcs',
                  'export_taxi_zones_to_bigquery'):
        assert f'taxi_zones/{block}:' in result.output, f'{block} did not run'
    assert postgres_zones(db, 'zones') == zones
    assert bigquery_zones(bq, 'zones') == zones
    in_gcs = pq.read_table(pa.BufferReader(gcs_object(gcs_filesystem, 'zones')))
    assert in_gcs.schema == ZONES_SCHEMA
    assert sorted(tuple(row.values()) for row in in_gcs.to_pylist()) == zones

    # Texts that naive readers make null are still texts in every target.
    for target_rows in (postgres_zones(db, 'zones'), bigquery_zones(bq, 'zones')):
        unknown = {row[0]: row[1:] for row in target_rows if row[1] == 'Unknown'}
        assert ('Unknown', 'NA', 'N/A') in unknown.values() and ('Unknown', 'NV', 'N/A') in unknown.values()

    columns = query(db, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'zones' "
                        "AND table_name = 'taxi_zones' ORDER BY ordinal_position")
    assert columns == [('location_id', 'smallint'), ('borough', 'text'), ('zone', 'text'), ('service_zone', 'text')]
    (primary_key,) = query(db, "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                               "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'zones.taxi_zones'::regclass "
                               "AND i.indisprimary")
    assert primary_key == ('location_id',)
    table = bq.get_table('local-project.zones.taxi_zones')
    assert [(field.name, field.field_type) for field in table.schema] == [
        ('location_id', 'INTEGER'), ('borough', 'STRING'), ('zone', 'STRING'), ('service_zone', 'STRING')]


def test_a_rerun_replaces_the_whole_table_in_every_target(mage_run, new_bucket, variant, db, bq, gcs_filesystem,
                                                           zones, file_server):
    settings = targets('zone_reruns')
    new_bucket(settings['GCS_BUCKET'])
    assert mage_run('taxi_zones', **settings).returncode == 0

    # A zone renamed, one gone, one new: the tables must hold the new file, nothing of the old one.
    renamed = [(zones[0][0], zones[0][1], 'Renamed Airport', zones[0][3])] + zones[1:-1] + [
        (400, 'Brooklyn', 'New Zone', 'Boro Zone')]
    result = mage_run('taxi_zones', TAXI_DATA_BASE_URL=variant('renamed', renamed), **settings)
    assert result.returncode == 0, result.output
    assert postgres_zones(db, 'zone_reruns') == bigquery_zones(bq, 'zone_reruns') == sorted(renamed)
    assert len(postgres_zones(db, 'zone_reruns')) == len(zones)

    assert mage_run('taxi_zones', TAXI_DATA_BASE_URL=file_server, **settings).returncode == 0
    assert postgres_zones(db, 'zone_reruns') == bigquery_zones(bq, 'zone_reruns') == zones
    # BigQuery read the object itself: each run was a load job from its gs:// URI, not an upload from Mage.
    loads = [job for job in bq.list_jobs(max_results=200) if job.job_type == 'load'
             and job.destination.dataset_id == 'zone_reruns' and job.destination.table_id == 'taxi_zones']
    assert len(loads) == 3 and all(job.source_uris == [f'gs://{settings["GCS_BUCKET"]}/nyc_taxi/misc/'
                                                       'taxi_zone_lookup.parquet'] for job in loads)
    assert sorted(tuple(row.values()) for row in pq.read_table(
        pa.BufferReader(gcs_object(gcs_filesystem, 'zone-reruns'))).to_pylist()) == zones


def test_a_view_on_the_table_survives_a_rerun(mage_run, new_bucket, db, zones):
    """Users build on the lookup (joins, views): replacing the rows must not need dropping the table."""
    settings = targets('zone_views')
    new_bucket(settings['GCS_BUCKET'])
    assert mage_run('taxi_zones', **settings).returncode == 0
    execute(db, 'CREATE VIEW zone_views.airports AS SELECT zone FROM zone_views.taxi_zones '
              "WHERE service_zone = 'Airports' OR zone LIKE '%Airport%'")
    (before,) = query(db, 'SELECT count(*) FROM zone_views.airports')

    result = mage_run('taxi_zones', **settings)

    assert result.returncode == 0, result.output
    assert query(db, 'SELECT count(*) FROM zone_views.airports') == [before]


@pytest.fixture(scope='module')
def bad_lookups(variant, zones) -> dict[str, str]:
    quoted = [','.join(f'"{value}"' for value in row) for row in zones]
    header = ','.join(f'"{name}"' for name in HEADER)
    return {
        'repeated_id': variant('repeated_id', zones[:10] + [(zones[3][0], 'Queens', 'Copy', 'Boro Zone')] + zones[10:]),
        'not_an_integer': variant('not_an_integer', text='\n'.join(
            [header, *quoted[:6], '"7a","Queens","Astoria","Boro Zone"', *quoted[7:]]) + '\n'),
        'bad_header': variant('bad_header', text='\n'.join(['"LocationID","Borough","Zone"', *quoted]) + '\n'),
        'absent': variant('absent'),
    }


@pytest.mark.parametrize('kind, message_parts', [
    ('repeated_id', ['zone_variants/repeated_id/misc/taxi_zone_lookup.csv, line 12, column LocationID',
                     'already appears on line 5']),
    ('not_an_integer', ['zone_variants/not_an_integer/misc/taxi_zone_lookup.csv, line 8, column LocationID',
                        "'7a' is not a whole number"]),
    ('bad_header', ['zone_variants/bad_header/misc/taxi_zone_lookup.csv, line 1: the header is LocationID, '
                    'Borough, Zone;']),
    ('absent', ['404', 'zone_variants/absent/misc/taxi_zone_lookup.csv', 'TAXI_DATA_BASE_URL']),
])
def test_a_bad_file_fails_clearly_and_leaves_every_target_as_it_was(
        mage_run, new_bucket, db, bq, gcs_filesystem, zones, bad_lookups, kind, message_parts):
    settings = targets(f'zone_bad_{kind}')
    new_bucket(settings['GCS_BUCKET'])
    assert mage_run('taxi_zones', **settings).returncode == 0
    gcs_before = gcs_object(gcs_filesystem, settings['GCS_BUCKET'])

    result = mage_run('taxi_zones', TAXI_DATA_BASE_URL=bad_lookups[kind], **settings)

    assert result.returncode != 0
    for part in message_parts:
        assert part in result.output, f'{part!r} not in:\n{result.output[-3000:]}'
    assert postgres_zones(db, settings['POSTGRES_SCHEMA']) == zones
    assert bigquery_zones(bq, settings['BQ_DATASET']) == zones
    assert gcs_object(gcs_filesystem, settings['GCS_BUCKET']) == gcs_before


def test_tables_of_another_shape_are_refused_and_left_alone(mage_run, new_bucket, db, bq):
    settings = targets('zone_foreign')
    new_bucket(settings['GCS_BUCKET'])
    execute(db, 'CREATE SCHEMA zone_foreign')
    execute(db, "CREATE TABLE zone_foreign.taxi_zones (id integer, name text); INSERT INTO zone_foreign.taxi_zones "
              "VALUES (1, 'kept')")

    result = mage_run('taxi_zones', **settings)

    assert result.returncode != 0
    assert 'zone_foreign.taxi_zones exists but is not the zone lookup' in result.output
    assert 'POSTGRES_SCHEMA' in result.output
    assert query(db, 'SELECT * FROM zone_foreign.taxi_zones') == [(1, 'kept')]

    bq.create_dataset('zone_foreign_bq', exists_ok=True)
    bq.create_table(bigquery.Table('local-project.zone_foreign_bq.taxi_zones',
                                   schema=[bigquery.SchemaField('location_id', 'STRING')]))
    result = mage_run('taxi_zones', **{**settings, 'POSTGRES_SCHEMA': 'zone_foreign_pg', 'BQ_DATASET': 'zone_foreign_bq'})
    assert result.returncode != 0
    assert 'local-project.zone_foreign_bq.taxi_zones exists with another schema' in result.output
    assert 'BQ_DATASET' in result.output
    assert [(field.name, field.field_type) for field in bq.get_table(
        'local-project.zone_foreign_bq.taxi_zones').schema] == [('location_id', 'STRING')]


def test_a_copy_that_fails_after_the_delete_rolls_back_to_the_old_rows(postgres_cluster, db):
    """The writer deletes, then copies: a failure in between must leave the old rows, not none."""
    settings = PostgresSettings.from_io_config(postgres_cluster.settings(db_schema='zone_rollback'))
    old = pa.table({'location_id': pa.array([1, 2], pa.int16()), 'borough': ['EWR', 'Queens'],
                    'zone': ['Newark Airport', 'Jamaica Bay'], 'service_zone': ['EWR', 'Boro Zone']},
                   schema=ZONES_SCHEMA)
    with closing(settings.connect()) as connection:
        assert replace_zones(connection, old, 'zone_rollback') == 2
    # A constraint the new rows break: the COPY fails after the DELETE ran in the same transaction.
    execute(db, "ALTER TABLE zone_rollback.taxi_zones ADD CONSTRAINT no_boom CHECK (zone <> 'Boom')")
    new = pa.table({'location_id': pa.array([1, 3], pa.int16()), 'borough': ['EWR', 'Bronx'],
                    'zone': ['Newark Airport', 'Boom'], 'service_zone': ['EWR', 'Boro Zone']}, schema=ZONES_SCHEMA)

    with closing(settings.connect()) as connection, pytest.raises(PostgresError) as error:
        replace_zones(connection, new, 'zone_rollback')

    assert 'Replacing zone_rollback.taxi_zones failed, the table is unchanged' in str(error.value)
    assert postgres_zones(db, 'zone_rollback') == [(1, 'EWR', 'Newark Airport', 'EWR'), (2, 'Queens', 'Jamaica Bay',
                                                                                        'Boro Zone')]


def test_the_made_up_lookup_reads_back_as_written(tmp_path):
    """The fixture's own file is what the release looks like to the parser: quoted, 265 zones, NA kept."""
    from nyc_taxi.sources.zone_lookup import read_zone_lookup

    path = write_lookup(tmp_path / 'taxi_zone_lookup.csv', made_up_zones())
    assert path.read_text().splitlines()[0] == '"LocationID","Borough","Zone","service_zone"'
    table = read_zone_lookup(path)
    assert sorted(tuple(row.values()) for row in table.to_pylist()) == read_lookup(path)
    assert table.num_rows == 265


def test_a_scheduled_run_passes_the_blocks_tests(devstack_cli, new_bucket, db, bq, zones):
    """Scheduled runs (triggers, backfills, Run@once) execute every @test, which `mage run` skips."""
    settings = targets('zone_scheduled')
    new_bucket(settings['GCS_BUCKET'])

    result = devstack_cli('trigger-run', 'taxi_zones', '@once', '2021-01-01', **settings)

    assert result.returncode == 0, result.output[-5000:]
    assert postgres_zones(db, 'zone_scheduled') == bigquery_zones(bq, 'zone_scheduled') == zones

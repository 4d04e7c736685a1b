"""The generated FHV release months: header, quirks and bytes as the DataTalksClub release has them."""
import gzip

from devstack.sample_fhv_csv import HEADER, ensure_fhv_csv_file, fhv_csv_path, write_fhv_csv
from devstack.sample_month import SampleMonth

JAN_2019 = SampleMonth(taxi_type='fhv', year=2019, month=1)


def fields(path):
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    return lines[0], [line.split(',') for line in lines[1:]]


def test_same_seed_same_bytes_whatever_the_chunks_written_so_far(tmp_path):
    first = write_fhv_csv(tmp_path / 'a.csv.gz', JAN_2019, 2_500, seed=7, chunk_rows=1_000).read_bytes()
    second = write_fhv_csv(tmp_path / 'b.csv.gz', JAN_2019, 2_500, seed=7, chunk_rows=1_000).read_bytes()
    assert first == second
    assert write_fhv_csv(tmp_path / 'c.csv.gz', JAN_2019, 2_500, seed=8, chunk_rows=1_000).read_bytes() != first


def test_chunks_make_one_file_with_one_header(tmp_path):
    header, rows = fields(write_fhv_csv(tmp_path / 'f.csv.gz', JAN_2019, 2_500, chunk_rows=1_000))
    assert header == HEADER == ('dispatching_base_num,pickup_datetime,dropOff_datetime,PUlocationID,'
                                'DOlocationID,SR_Flag,Affiliated_base_number')
    assert len(rows) == 2_500 and all(len(row) == 7 for row in rows)
    assert not any(row[0] == 'dispatching_base_num' for row in rows)


def test_the_release_quirks_are_there(tmp_path):
    _, rows = fields(write_fhv_csv(tmp_path / 'f.csv.gz', JAN_2019, 20_000))  # ~1 in 1,000 outside the month
    base, pickup, dropoff, pu, do, shared, affiliated = zip(*rows)
    assert sum(value == '' for value in pu) > len(rows) / 2  # most 2019 rows have no pickup zone
    assert 0 < sum(value == '' for value in do) < len(rows) / 4
    assert any(p == '' and d == '' for p, d in zip(pu, do))
    ids = [value for value in pu + do if value]
    assert any(value.endswith('.0') for value in ids) and any(value.isdigit() for value in ids)
    assert {int(float(value)) for value in ids} <= set(range(1, 266))
    assert set(shared) == {'', '1'} and sum(value == '1' for value in shared) < len(rows) / 10
    assert '' in affiliated and all(value == '' or (value[0] == 'B' and len(value) == 6) for value in affiliated)
    assert all(value[0] == 'B' and value[1:].isdigit() and len(value) == 6 for value in base)
    assert all(len(value) == 19 and value[10] == ' ' for value in pickup + dropoff)
    assert all(d > p for p, d in zip(pickup, dropoff))
    assert any(not value.startswith('2019-01') for value in pickup)


def test_later_months_have_fewer_rows_without_a_pickup_zone(tmp_path):
    _, rows = fields(write_fhv_csv(tmp_path / 'f.csv.gz', SampleMonth('fhv', 2021, 3), 2_000))
    assert sum(row[3] == '' for row in rows) < len(rows) / 4


def test_ensure_writes_the_release_layout_once(tmp_path):
    path = ensure_fhv_csv_file(tmp_path, JAN_2019, rows=100)
    assert path == fhv_csv_path(tmp_path, JAN_2019) == tmp_path / 'fhv' / 'fhv_tripdata_2019-01.csv.gz'
    written = path.stat().st_mtime_ns
    assert ensure_fhv_csv_file(tmp_path, JAN_2019, rows=200).stat().st_mtime_ns == written
    assert not list(tmp_path.rglob('*.partial'))

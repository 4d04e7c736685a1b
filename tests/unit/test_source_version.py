"""A source file's version from its server's validators, and when two are the same file."""
from nyc_taxi.sources.source_version import SourceVersion

URL = 'https://d37ci6vzurychx.cloudfront.net/trip-data/yellow_tripdata_2021-01.parquet'


def test_the_validators_a_server_sends():
    version = SourceVersion.from_headers(URL, {'ETag': '"9f1c"', 'Last-Modified': 'Tue, 01 Mar 2022 10:00:00 GMT',
                                               'Content-Length': '21686067'})
    assert version == SourceVersion(URL, '"9f1c"', 'Tue, 01 Mar 2022 10:00:00 GMT', 21_686_067)
    assert version.describe() == 'ETag "9f1c"'
    plain = SourceVersion.from_headers(URL, {'Last-Modified': 'Tue, 01 Mar 2022 10:00:00 GMT', 'Content-Length': '12'})
    assert plain.describe() == 'Last-Modified Tue, 01 Mar 2022 10:00:00 GMT, 12 bytes'
    compressed = SourceVersion.from_headers(URL, {'Content-Length': '5', 'Content-Encoding': 'gzip'})
    assert compressed.content_length is None and not compressed.known and compressed.describe() == 'no validator'


def test_the_same_file_by_etag_else_by_date_and_length():
    first = SourceVersion(URL, '"a"', 'Tue, 01 Mar 2022 10:00:00 GMT', 100)
    assert first.same_file(SourceVersion(URL, '"a"', 'Wed, 02 Mar 2022 10:00:00 GMT', 100))  # a CDN's own date
    assert not first.same_file(SourceVersion(URL, '"b"', 'Tue, 01 Mar 2022 10:00:00 GMT', 100))
    dated = SourceVersion(URL, None, 'Tue, 01 Mar 2022 10:00:00 GMT', 100)
    assert dated.same_file(SourceVersion(URL, '"a"', 'Tue, 01 Mar 2022 10:00:00 GMT', 100))
    assert not dated.same_file(SourceVersion(URL, None, 'Tue, 01 Mar 2022 10:00:00 GMT', 101))
    assert not dated.same_file(SourceVersion(URL.replace('yellow', 'green'), None, dated.last_modified, 100))
    unknown = SourceVersion(URL)
    assert not unknown.same_file(unknown)  # without a validator a month is loaded again

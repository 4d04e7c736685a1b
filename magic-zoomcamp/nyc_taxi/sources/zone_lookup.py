"""The taxi zone lookup, {TAXI_DATA_BASE_URL}/misc/taxi_zone_lookup.csv: downloaded, parsed, checked.

The file is small (265 rows, ~12 KB), so it is read whole. The release quotes every field, and two zones are
literally named "NV" and "NA" with service zone "N/A": CSV readers that turn such texts into nulls
(pandas' read_csv does, by default) lose them. Here nothing is ever null: the texts stay texts.
"""
from __future__ import annotations

import csv as stdlib_csv
import logging
import re
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as csv
import requests

from nyc_taxi.logs import RunLogger
from nyc_taxi.model.zones import LOCATION_ID, SOURCE_TO_TABLE, ZONES_SCHEMA
from nyc_taxi.sources.download import download

ZONE_LOOKUP_PATH = 'misc/taxi_zone_lookup.csv'
ID_COLUMN = 'LocationID'
HEADER_LINES = 1
# The ids go into SMALLINT / int16 columns, as the trips' zone ids do.
MAX_ID = 32_767
_DIGITS = re.compile(r'[0-9]+')


class ZoneLookupError(ValueError):
    """The file is not the zone lookup; the message names the URL, line and column."""


def zone_lookup_url(base_url: str) -> str:
    return f'{base_url.rstrip("/")}/{ZONE_LOOKUP_PATH}'


def load_zone_lookup(base_url: str, session: requests.Session | None = None,
                     logger: RunLogger | None = None) -> pa.Table:
    """Downloads and parses the lookup under `base_url` (TAXI_DATA_BASE_URL); nothing is kept on disk."""
    url = zone_lookup_url(base_url)
    with tempfile.TemporaryDirectory(prefix='nyc_taxi_zones_') as scratch:
        path = Path(scratch) / Path(ZONE_LOOKUP_PATH).name
        size, _ = download(url, path, session=session, logger=logger,
                           missing_hint='The release keeps it as misc/taxi_zone_lookup.csv; check TAXI_DATA_BASE_URL.')
        zones = read_zone_lookup(path, source=url)
    (logger or logging.getLogger(__name__)).info('%d zones from %s (%d bytes)', zones.num_rows, url, size)
    return zones


def read_zone_lookup(path: Path, source: str | None = None) -> pa.Table:
    """The zones in the CSV at `path`, as a table of ZONES_SCHEMA (location_id, borough, zone, service_zone).

    The header must be exactly LocationID, Borough, Zone, service_zone. Every LocationID must be a
    whole number in 1..32767 and appear once; a file without zones is refused. Blank lines are
    skipped. Any problem is a ZoneLookupError naming `source` (the URL) and, for a row, its line
    and column.
    """
    source = source or str(path)
    expected = list(SOURCE_TO_TABLE)
    # Checked before the rows: with another header, every row's error would be about the header.
    header = _read_header(path, source)
    if header != expected:
        raise ZoneLookupError(f'{source}, line 1: the header is {", ".join(header)}; the zone lookup has exactly '
                              f'{", ".join(expected)} (check TAXI_DATA_BASE_URL)')
    # LocationID is read as text too and converted by _checked_ids, which names a bad id's line:
    # pyarrow's own conversion error names only the column.
    text = _read_as_text(path, source)
    # A blank line reads as a row of empty fields; it stays in the table until here so that row i
    # is line i + 2, whatever blank lines came before.
    blank = _blank_rows(text)
    ids = _checked_ids(text.column(ID_COLUMN).to_pylist(), blank.to_pylist(), source)
    if not ids:
        # Replacing the tables with nothing would break every join with the trips: more likely a bad source.
        raise ZoneLookupError(f'{source} holds no zones, only its header (check TAXI_DATA_BASE_URL)')
    kept = text.filter(pc.invert(blank))
    columns = [pa.array(ids, ZONES_SCHEMA.field(LOCATION_ID).type)] + [
        kept.column(name).combine_chunks() for name in expected[1:]]
    return pa.Table.from_arrays(columns, schema=ZONES_SCHEMA)


def _read_header(path: Path, source: str) -> list[str]:
    """The header's names, after checking that every line is UTF-8 (the file is small: all of it is read
    here), so that a stray byte is named by its line rather than by the CSV reader's column."""
    lines = path.read_bytes().removeprefix(b'\xef\xbb\xbf').splitlines()
    for number, line in enumerate(lines, start=1):
        try:
            line.decode('utf-8')
        except UnicodeDecodeError as error:
            raise ZoneLookupError(f'{source}, line {number}: not UTF-8 text ({error})') from error
    if not lines or not lines[0].strip():
        raise ZoneLookupError(f'{source} is empty: no CSV header (check TAXI_DATA_BASE_URL)')
    return next(stdlib_csv.reader([lines[0].decode('utf-8')]))


def _read_as_text(path: Path, source: str) -> pa.Table:
    """Every column as text, nothing as null; rows with the wrong number of fields refused by line."""
    bad_rows: list[csv.InvalidRow] = []

    def remember_bad_row(row: csv.InvalidRow) -> str:
        bad_rows.append(row)
        return 'error'

    try:
        return csv.read_csv(
            path,
            # One thread: the reader then numbers the rows it rejects (the file is tiny anyway).
            read_options=csv.ReadOptions(use_threads=False),
            # Blank lines kept as rows, so a row's index still says its line (see read_zone_lookup).
            parse_options=csv.ParseOptions(ignore_empty_lines=False, invalid_row_handler=remember_bad_row),
            convert_options=csv.ConvertOptions(
                column_types={name: pa.string() for name in SOURCE_TO_TABLE},
                # "NA", "N/A", "NV" are zone names here, and "" is no id: no text means null.
                null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        if bad_rows:
            row = bad_rows[0]
            raise ZoneLookupError(f'{source}, line {row.number}: expected {row.expected_columns} fields, found '
                                  f'{row.actual_columns}: {row.text[:200]!r}') from error
        raise ZoneLookupError(f'{source} is not a readable zone lookup CSV: {error}') from error


def _blank_rows(text: pa.Table) -> pa.ChunkedArray:
    """True for the rows whose every field is empty: blank lines (an editor's trailing newline, say)."""
    blank = pc.equal(text.column(0), '')
    for column in text.columns[1:]:
        blank = pc.and_(blank, pc.equal(column, ''))
    return blank


def _checked_ids(values: list[str], blank: list[bool], source: str) -> list[int]:
    """The ids of the non-blank rows as integers; refuses a missing, non-integer, out-of-range or repeated one."""
    ids: list[int] = []
    first_line: dict[int, int] = {}
    for index, (value, is_blank) in enumerate(zip(values, blank)):
        if is_blank:
            continue
        line = index + HEADER_LINES + 1
        where = f'{source}, line {line}, column {ID_COLUMN}'
        if not _DIGITS.fullmatch(value):
            what = 'is empty' if value == '' else f'{value!r} is not a whole number'
            raise ZoneLookupError(f'{where}: {what}; every zone needs an integer id')
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ZoneLookupError(f'{where}: {number} is outside 1..{MAX_ID}, the range of zone ids')
        if number in first_line:
            raise ZoneLookupError(f'{where}: id {number} already appears on line {first_line[number]}; each '
                                  f'zone id must appear once')
        first_line[number] = line
        ids.append(number)
    return ids

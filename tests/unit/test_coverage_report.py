"""The coverage report's page and terminal text: colours, counts, month columns, tooltips, escaping, ranges."""
from __future__ import annotations

import html
import re
from datetime import date, datetime, timezone

from nyc_taxi.coverage.coverage_row import CoverageRow
from nyc_taxi.coverage.report_html import STATE_COLOURS, coverage_html, coverage_text

POSTGRES = 'postgres nyc_taxi.green_taxi_trips'
GCS = 'gcs gs://bucket/nyc_taxi (month objects)'
GENERATED = datetime(2026, 12, 7, 10, 5, tzinfo=timezone.utc)


def row(month: str, state: str, why: str = '', taxi_type: str = 'green', target: str = POSTGRES,
        rows: int | None = 1000) -> CoverageRow:
    year, number = map(int, month.split('-'))
    loaded = state != 'missing'
    return CoverageRow(target=target, taxi_type=taxi_type, month=date(year, number, 1), state=state,
                       why=why or state, rows=rows if loaded else None, version='ETag "a"' if loaded else None,
                       loaded_at=datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc) if loaded else None,
                       loaded_by='api_to_postgres run 12' if loaded else None)


def cells(page: str) -> list[tuple[str, str]]:
    """(class, title) of each heatmap cell, in page order."""
    return re.findall(r'<td class="([^"]*)" title="([^"]*)"></td>', page)


def heatmap_section(page: str, target: str) -> str:
    start = page.index(f'<h2>{html.escape(target)}</h2>')
    return page[start:page.index('</table>', start)]


def test_cells_are_coloured_by_state_and_counted_in_the_legend():
    rows = [row('2021-01', 'current'), row('2021-02', 'current'), row('2021-03', 'stale'),
            row('2021-04', 'missing'), row('2021-05', 'unavailable')]
    page = coverage_html(rows, GENERATED)
    classes = [css.split()[0] for css, _ in cells(page)]
    assert classes == ['state-current', 'state-current', 'state-stale', 'state-missing', 'state-unavailable']
    for state, colour in STATE_COLOURS.items():
        assert f'.state-{state}{{background:{colour}}}' in page
    assert STATE_COLOURS == {'current': '#4caf50', 'stale': '#ffb300', 'missing': '#e53935', 'unavailable': '#d6d6d6'}
    legend = re.search(r'<p class="legend">(.*?)</p>', page).group(1)
    assert re.sub('<[^>]+>', '', legend) == 'current 2stale 1missing 1unavailable 1'


def test_months_run_on_across_a_year_boundary_and_a_gap_shows_as_an_empty_cell():
    rows = [row('2019-11', 'current'), row('2020-02', 'stale'), row('2020-01', 'current', taxi_type='yellow')]
    page = coverage_html(rows, GENERATED)
    section = heatmap_section(page, POSTGRES)
    assert re.findall(r'<th colspan="(\d+)" class="year[^"]*">(\d{4})</th>', section) == [('2', '2019'), ('2', '2020')]
    assert re.findall(r'<th class="month[^"]*">(\d\d)</th>', section) == ['11', '12', '01', '02']
    # Yellow first (the project's order), then green; every row spans the same four months.
    body_rows = re.findall(r'<tr><th class="taxi">(\w+)</th>(.*?)</tr>', section, re.S)
    assert [taxi_type for taxi_type, _ in body_rows] == ['yellow', 'green']
    green = [css for css, _ in cells(body_rows[1][1])]
    assert green == ['state-current', 'no-row', 'no-row year-start', 'state-stale']
    yellow = [css for css, _ in cells(body_rows[0][1])]
    assert yellow == ['no-row', 'no-row', 'state-current year-start', 'no-row']
    assert 'no row 5' in re.sub('<[^>]+>', '', section)


def test_each_target_gets_its_own_heatmap_in_the_order_first_seen():
    rows = [row('2021-01', 'current', target=GCS), row('2019-01', 'current'), row('2021-02', 'missing', target=GCS)]
    page = coverage_html(rows, GENERATED)
    assert page.index(html.escape(GCS)) < page.index(POSTGRES)
    assert len(re.findall('<table class="heatmap">', page)) == 2
    assert len(cells(heatmap_section(page, POSTGRES))) == 1


def test_a_tooltip_holds_the_exact_rows_and_the_load():
    page = coverage_html([row('2021-03', 'stale', why='the source changed', rows=1234567)], GENERATED)
    (_, title), = cells(page)
    assert html.unescape(title).split('\n') == [
        '2021-03 green: stale', 'rows: 1,234,567', 'version: ETag "a"', 'loaded at: 2026-12-01 08:30 UTC',
        'loaded by: api_to_postgres run 12', 'why: the source changed']
    (_, missing_title), = cells(coverage_html([row('2021-03', 'missing', why='not loaded')], GENERATED))
    assert 'rows: none' in html.unescape(missing_title)


def test_every_text_is_escaped():
    why = '<script>alert("x")</script> & more'
    page = coverage_html([row('2021-01', 'stale', why=why, target='<b>target</b>')], GENERATED,
                         sources={'<i>name</i>': 'https://example.org/?a=1&b=2'})
    assert '<script>' not in page and '<b>' not in page and '<i>name' not in page
    assert html.escape(why) in page
    assert 'https://example.org/?a=1&amp;b=2' in page
    assert 'script' not in re.sub(r'&lt;/?script&gt;', '', page)


def test_the_table_lists_exactly_the_months_not_current():
    rows = [row('2021-01', 'current'), row('2021-02', 'stale', why='the transform changed'),
            row('2021-03', 'missing', why='not loaded'), row('2021-04', 'unavailable', why='no such file'),
            row('2021-02', 'missing', taxi_type='yellow', target=GCS, why='not loaded')]
    page = coverage_html(rows, GENERATED)
    table = page[page.index('<table class="not-current">'):]
    listed = [tuple(re.sub('<[^>]+>', '', cell) for cell in re.findall(r'<td[^>]*>(.*?)</td>', line))
              for line in re.findall(r'<tr><td>(?:.*?)</tr>', table)]
    assert listed == [(POSTGRES, 'green', '2021-02', 'stale', '1,000', 'the transform changed'),
                      (POSTGRES, 'green', '2021-03', 'missing', '', 'not loaded'),
                      (POSTGRES, 'green', '2021-04', 'unavailable', '1,000', 'no such file'),
                      (GCS, 'yellow', '2021-02', 'missing', '', 'not loaded')]


def test_all_current_says_there_is_nothing_to_backfill():
    page = coverage_html([row('2021-01', 'current')], GENERATED)
    assert '<table class="not-current">' not in page and 'nothing to load' in page


def test_the_page_holds_no_url_but_the_sources():
    sources = {'tlc': 'https://d37ci6vzurychx.cloudfront.net/trip-data',
               'github': 'https://github.com/DataTalksClub/nyc-tlc-data/releases/download'}
    rows = [row('2021-01', 'current', target=GCS), row('2021-02', 'stale')]
    page = coverage_html(rows, GENERATED, sources=sources)
    assert sorted(re.findall(r'https?://[^\s<"]+', page)) == sorted(sources.values())
    assert '<script' not in page and '<link' not in page and 'src=' not in page and '@import' not in page
    assert 'http' not in coverage_html(rows, GENERATED)
    assert '<title>What is loaded where</title>' in page and '2026-12-07 10:05 UTC' in page


def test_text_compresses_months_into_ranges_with_their_why():
    rows = [*(row(f'{year}-{month:02}', 'current') for year in (2019, 2020) for month in range(1, 13)),
            row('2021-01', 'stale', why='the source changed'), row('2021-02', 'stale', why='the source changed'),
            row('2021-03', 'current'),
            row('2021-04', 'missing', why='not loaded'), row('2021-06', 'missing', why='not loaded'),
            row('2021-07', 'unavailable'), row('2021-08', 'unavailable')]
    assert coverage_text(rows) == (
        f'{POSTGRES}\n'
        '  green\n'
        '    current: 2019-01..2020-12, 2021-03\n'
        '    stale: 2021-01..2021-02 (the source changed)\n'
        '    missing: 2021-04 (not loaded), 2021-06 (not loaded)\n'
        '    unavailable: 2021-07..2021-08\n'
        '  totals: current 25, stale 2, missing 2, unavailable 2\n')


def test_text_groups_months_by_why_when_a_range_holds_several():
    rows = [row('2021-01', 'stale', why='the source changed'), row('2021-02', 'stale', why='the transform changed'),
            row('2021-03', 'stale', why='the source changed'), row('2021-05', 'stale', why='the transform changed'),
            row('2021-01', 'current', taxi_type='yellow', target=GCS)]
    assert coverage_text(rows) == (
        f'{POSTGRES}\n'
        '  green\n'
        '    stale: 2021-01, 2021-03 (the source changed); 2021-02, 2021-05 (the transform changed)\n'
        '  totals: current 0, stale 4, missing 0, unavailable 0\n'
        f'{GCS}\n'
        '  yellow\n'
        '    current: 2021-01\n'
        '  totals: current 1, stale 0, missing 0, unavailable 0\n')


def test_nothing_to_report():
    assert coverage_text([]) == 'No coverage rows.\n'
    assert 'No coverage rows.' in coverage_html([], GENERATED)

"""The coverage report, rendered: which months of which taxi type each target holds, and in what state.

`coverage_html` is one self-contained page (inline CSS, no script, no external URL: it opens offline and
wherever it is copied); `coverage_text` says the same in a terminal, with the months compressed as ranges.
"""
from __future__ import annotations

import html
from collections import Counter
from datetime import date, datetime, timezone
from typing import Iterable, Mapping, Sequence

from nyc_taxi.coverage.coverage_row import CoverageRow
from nyc_taxi.coverage.months import first_of_month, months_between, next_month

STATE_COLOURS = {'current': '#4caf50', 'stale': '#ffb300', 'missing': '#e53935', 'unavailable': '#d6d6d6'}
NO_ROW_COLOUR = '#f4f4f4'
TAXI_TYPE_ORDER = ('yellow', 'green', 'fhv', 'fhvhv')
# The months a backfill would act on: their reason is what a reader needs next to them.
STATES_WITH_WHY = ('stale', 'missing')

Grid = dict[str, dict[date, CoverageRow]]  # taxi type -> first day of the month -> its row


def grids_by_target(rows: Iterable[CoverageRow]) -> dict[str, Grid]:
    """Targets in the order first seen, taxi types in the project's order (others after, as first seen).
    A later row for the same month of the same taxi type replaces the earlier one: one cell, one state."""
    grids: dict[str, Grid] = {}
    for row in rows:
        grids.setdefault(row.target, {}).setdefault(row.taxi_type, {})[first_of_month(row.month)] = row
    return {target: dict(sorted(grid.items(), key=lambda item: taxi_type_rank(item[0])))
            for target, grid in grids.items()}


def taxi_type_rank(taxi_type: str) -> int:
    return TAXI_TYPE_ORDER.index(taxi_type) if taxi_type in TAXI_TYPE_ORDER else len(TAXI_TYPE_ORDER)


def state_counts(grid: Grid) -> Counter:
    counts = Counter({state: 0 for state in STATE_COLOURS})
    counts.update(row.state for by_month in grid.values() for row in by_month.values())
    return counts


def when(moment: datetime | None) -> str:
    if moment is None:
        return '-'
    if moment.tzinfo is None:
        return f'{moment:%Y-%m-%d %H:%M}'
    return f'{moment.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC'


def rows_text(rows: int | None) -> str:
    return 'none' if rows is None else f'{rows:,}'


def tooltip(row: CoverageRow) -> str:
    return '\n'.join((f'{row.month:%Y-%m} {row.taxi_type}: {row.state}', f'rows: {rows_text(row.rows)}',
                      f'version: {row.version or "-"}', f'loaded at: {when(row.loaded_at)}',
                      f'loaded by: {row.loaded_by or "-"}', f'why: {row.why}'))


def states_in_order(states: Iterable[str]) -> list[str]:
    seen = dict.fromkeys(states)
    return [*(state for state in STATE_COLOURS if state in seen),
            *(state for state in seen if state not in STATE_COLOURS)]


def state_class(state: str) -> str:
    # A class name built from an unknown state could break out of the attribute: only the known ones get theirs.
    return f'state-{state}' if state in STATE_COLOURS else 'state-other'


def heatmap_html(target: str, grid: Grid) -> str:
    months = months_between(min(min(by_month) for by_month in grid.values()),
                            max(max(by_month) for by_month in grid.values()))

    def edge(month: date) -> str:
        # A thicker line where a year starts: the eye finds January without reading the headers.
        return ' year-start' if month.month == 1 and month != months[0] else ''

    years = Counter(month.year for month in months)
    year_headers = ''.join(f'<th colspan="{count}" class="year{" year-start" if year != months[0].year else ""}">'
                           f'{year}</th>' for year, count in years.items())
    month_headers = ''.join(f'<th class="month{edge(month)}">{month:%m}</th>' for month in months)
    body = []
    for taxi_type, by_month in grid.items():
        cells = []
        for month in months:
            row = by_month.get(month)
            if row is None:
                cells.append(f'<td class="no-row{edge(month)}" title="{month:%Y-%m} {html.escape(taxi_type)}: '
                             f'no row"></td>')
            else:
                cells.append(f'<td class="{state_class(row.state)}{edge(month)}" '
                             f'title="{html.escape(tooltip(row))}"></td>')
        body.append(f'<tr><th class="taxi">{html.escape(taxi_type)}</th>{"".join(cells)}</tr>')
    counts = state_counts(grid)
    no_rows = len(months) * len(grid) - sum(counts.values())
    legend = ''.join(f'<span>{swatch(state_class(state))}{html.escape(state)} {count:,}</span>'
                     for state, count in counts.items())
    if no_rows:
        legend += f'<span>{swatch("no-row")}no row {no_rows:,}</span>'
    return (f'<h2>{html.escape(target)}</h2>\n<p class="legend">{legend}</p>\n'
            f'<div class="scroll"><table class="heatmap"><tr><th></th>{year_headers}</tr>'
            f'<tr><th></th>{month_headers}</tr>\n' + '\n'.join(body) + '</table></div>')


def swatch(css_class: str) -> str:
    return f'<i class="swatch {css_class}"></i>'


def not_current_html(grids: Mapping[str, Grid]) -> str:
    lines = [f'<tr><td>{html.escape(row.target)}</td><td>{html.escape(row.taxi_type)}</td>'
             f'<td>{row.month:%Y-%m}</td><td>{swatch(state_class(row.state))}{html.escape(row.state)}</td>'
             f'<td class="number">{"" if row.rows is None else f"{row.rows:,}"}</td>'
             f'<td>{html.escape(row.why)}</td></tr>'
             for grid in grids.values() for by_month in grid.values() for _, row in sorted(by_month.items())
             if row.state != 'current']
    if not lines:
        return '<p>Every month each target holds is current: a backfill has nothing to load.</p>'
    return ('<table class="not-current"><tr><th>target</th><th>taxi type</th><th>month</th><th>state</th>'
            '<th>rows</th><th>why</th></tr>\n' + '\n'.join(lines) + '</table>')


def coverage_html(rows: Sequence[CoverageRow], generated_at: datetime, sources: Mapping[str, str] | None = None
                  ) -> str:
    """The page: per target, a heatmap of taxi types by month, then the table of every month not current.
    `sources` (name -> base URL) are listed at the top; they are the only URLs the page holds."""
    grids = grids_by_target(rows)
    source_list = ''.join(f'<li>{html.escape(name)}: <code>{html.escape(url)}</code></li>'
                          for name, url in (sources or {}).items())
    heatmaps = '\n'.join(heatmap_html(target, grid) for target, grid in grids.items()) or '<p>No coverage rows.</p>'
    colours = ' '.join(f'.state-{state}{{background:{colour}}}' for state, colour in STATE_COLOURS.items())
    return f'''<!doctype html>
<html><head><meta charset="utf-8"><title>What is loaded where</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}} code{{background:#f4f4f4;padding:0 0.2em}}
.scroll{{overflow-x:auto}} table{{border-collapse:collapse;font-size:0.85em}}
.heatmap td{{width:1.3em;min-width:1.3em;height:1.3em;border:1px solid #fff;padding:0}}
.heatmap th{{font-weight:normal;padding:0 0.1em}} .heatmap th.taxi{{text-align:right;padding-right:0.5em}}
.heatmap th.year{{text-align:left;font-weight:bold}} .heatmap th.month{{font-size:0.75em;color:#666}}
.heatmap .year-start{{border-left:2px solid #888}}
{colours} .state-other{{background:#9e9e9e}} .no-row{{background:{NO_ROW_COLOUR}}}
.legend span{{margin-right:1.2em}} .swatch{{display:inline-block;width:0.9em;height:0.9em;margin-right:0.3em;
vertical-align:middle;border:1px solid #ddd}}
.not-current td,.not-current th{{border:1px solid #ddd;padding:0.2em 0.5em;text-align:left;vertical-align:top}}
.not-current .number{{text-align:right}}</style></head>
<body><h1>What is loaded where</h1>
<p>Written {html.escape(when(generated_at))}. One cell per month and taxi type: green current, amber stale,
red missing, grey unavailable (the source has no such file), pale and empty where the target has no row.
Hover a cell for its rows, version, load and why.</p>
{f'<p>Sources:</p><ul>{source_list}</ul>' if source_list else ''}
{heatmaps}
<h2>Months not current</h2>
<p>What a backfill would load (stale and missing), and what the sources do not have (unavailable).</p>
{not_current_html(grids)}
</body></html>
'''


def month_ranges(months: Sequence[date]) -> list[tuple[date, date]]:
    """Sorted months as (first, last) runs of consecutive months."""
    ranges: list[tuple[date, date]] = []
    for month in months:
        if ranges and next_month(ranges[-1][1]) == month:
            ranges[-1] = (ranges[-1][0], month)
        else:
            ranges.append((month, month))
    return ranges


def range_text(first: date, last: date) -> str:
    return f'{first:%Y-%m}' if first == last else f'{first:%Y-%m}..{last:%Y-%m}'


def ranges_text(months: Sequence[date]) -> str:
    return ', '.join(range_text(first, last) for first, last in month_ranges(months))


def with_why(text: str, why: str) -> str:
    return f'{text} ({why})' if why else text


def state_line(by_month: Mapping[date, CoverageRow], state: str) -> str:
    """The months in `state`; for stale and missing ones, with their why: after each range when each range
    shares one, else the months grouped by identical why (one why per range would misstate some months)."""
    why_by_month = {month: row.why for month, row in sorted(by_month.items()) if row.state == state}
    months = list(why_by_month)
    if state not in STATES_WITH_WHY:
        return ranges_text(months)
    ranges = month_ranges(months)
    if all(len({why_by_month[month] for month in months_between(first, last)}) == 1 for first, last in ranges):
        return ', '.join(with_why(range_text(first, last), why_by_month[first]) for first, last in ranges)
    months_by_why: dict[str, list[date]] = {}
    for month, why in why_by_month.items():
        months_by_why.setdefault(why, []).append(month)
    return '; '.join(with_why(ranges_text(group), why) for why, group in months_by_why.items())


def coverage_text(rows: Sequence[CoverageRow]) -> str:
    """Per target and taxi type, one line per state with its months as ranges; then the target's totals."""
    lines: list[str] = []
    for target, grid in grids_by_target(rows).items():
        lines.append(target)
        for taxi_type, by_month in grid.items():
            lines.append(f'  {taxi_type}')
            lines.extend(f'    {state}: {state_line(by_month, state)}'
                         for state in states_in_order(row.state for _, row in sorted(by_month.items())))
        lines.append('  totals: ' + ', '.join(f'{state} {count:,}' for state, count in state_counts(grid).items()))
    return '\n'.join(lines) + '\n' if lines else 'No coverage rows.\n'

"""reports/last_run.html: what `make run` loaded, at a glance — counts per pipeline, rows dropped per
rule, trips per day, and the distributions of trip distance and fare of the loaded month."""
from __future__ import annotations

import calendar
import html
from collections import Counter
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Mapping

from nyc_taxi.resources.identifiers import trips_table_name
from nyc_taxi.targets.postgres import SOURCE_MONTH, PostgresSettings
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import schema_for


HISTOGRAM_BUCKETS = 50
HISTOGRAM_RANGES = (('trip_distance', 0, 30), ('fare_amount', -20, 100))


def bucket_width(low: float, high: float) -> float:
    return (high - low) / HISTOGRAM_BUCKETS


def _month_series(request: MonthRequest, settings: Mapping[str, str]) -> dict[str, list]:
    postgres = PostgresSettings.from_io_config(settings)
    table = f'"{postgres.db_schema}"."{trips_table_name(request.taxi_type)}"'
    pickup_date = schema_for(request.taxi_type).pickup_date
    with closing(postgres.connect()) as connection, connection.cursor() as cursor:
        cursor.execute(f'SELECT {pickup_date}, count(*) FROM {table} WHERE {SOURCE_MONTH} = %s GROUP BY 1 ORDER BY 1',
                       (request.month_start,))
        per_day = cursor.fetchall()
        # Histograms computed by the database: no need to pull a month of rows into this process.
        histograms = {}
        for column, low, high in HISTOGRAM_RANGES:
            cursor.execute(f'SELECT width_bucket({column}, %s, %s, {HISTOGRAM_BUCKETS}) AS bucket, count(*) '
                           f'FROM {table} WHERE {SOURCE_MONTH} = %s GROUP BY 1 ORDER BY 1',
                           (low, high, request.month_start))
            width = bucket_width(low, high)
            # Bucket 0 and BUCKETS + 1 hold what lies below and above the range: drawn just outside it.
            histograms[column] = [(low + (bucket - 1) * width, count) for bucket, count in cursor.fetchall()]
    return {'per_day': per_day, **histograms}


def split_by_month(per_day: list[tuple[date, int]], month_start: date) -> tuple[list[tuple[date, int]], Counter]:
    """The month's own (date, trips), and the trips per date of the few the file dates in other months."""
    in_month: list[tuple[date, int]] = []
    stragglers: Counter = Counter()
    for day, count in per_day:
        if (day.year, day.month) == (month_start.year, month_start.month):
            in_month.append((day, count))
        else:
            stragglers[day] = count
    return in_month, stragglers


def _charts(series: dict[str, list], in_month: list[tuple[date, int]], stragglers: Counter, month_start: date,
            directory: Path) -> list[str]:
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    names = []
    figure, axis = plt.subplots(figsize=(10, 3.5))
    axis.bar([day.day for day, _ in in_month], [count for _, count in in_month], color='tab:blue')
    outside = sum(stragglers.values())
    axis.set_title(f'Trips per pickup date, {month_start:%B %Y}'
                   + (f' (not shown: {outside:,} trip{"s" if outside != 1 else ""} the file dates in other months)'
                      if outside else ''), fontsize=10)
    days_in_month = calendar.monthrange(month_start.year, month_start.month)[1]
    axis.set_xlim(0.4, days_in_month + 0.6)
    axis.set_xticks(range(1, days_in_month + 1, 2))
    axis.set_xlabel('day of month')
    figure.tight_layout()
    figure.savefig(directory / 'trips_per_day.png', dpi=80)
    names.append('trips_per_day.png')
    plt.close(figure)
    for (column, low, high), label in zip(HISTOGRAM_RANGES,
                                          ('trip distance, miles (0-30; the rest at the edges)',
                                           'fare, $ (-20-100; refunds are negative)')):
        figure, axis = plt.subplots(figsize=(5, 3.2))
        buckets = series[column]
        axis.bar([left for left, _ in buckets], [count for _, count in buckets], width=bucket_width(low, high),
                 align='edge', color='tab:orange')
        axis.set_title(label, fontsize=9)
        figure.tight_layout()
        figure.savefig(directory / f'{column}.png', dpi=80)
        names.append(f'{column}.png')
        plt.close(figure)
    return names


def write_report(request: MonthRequest, settings: Mapping[str, str], summaries: list[str], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    series = _month_series(request, settings)
    in_month, stragglers = split_by_month(series['per_day'], request.month_start)
    charts = _charts(series, in_month, stragglers, request.month_start, directory)
    outside = ', '.join(f'{day} ({count:,})' for day, count in sorted(stragglers.items()))
    outside_note = (f'<p>Trips the file dates in other months, kept with it: {html.escape(outside)}.</p>'
                    if stragglers else '')
    sections = '\n'.join(f'<pre>{html.escape(text)}</pre>' for text in summaries)
    images = '\n'.join(f'<img src="{name}" alt="{name}">' for name in charts)
    page = directory / 'last_run.html'
    page.write_text(f'''<!doctype html>
<html><head><meta charset="utf-8"><title>Last run: {request}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}} pre{{background:#f4f4f4;padding:1em}}
img{{margin:0.5em;border:1px solid #ddd}}</style></head>
<body><h1>Last run: {html.escape(str(request))}</h1>
<p>Written {datetime.now():%Y-%m-%d %H:%M} by <code>make run</code>. Each block says where the rows landed and
whether they match what the transform keeps from the source file.</p>
{sections}
<h2>The loaded month (Postgres)</h2>
{images}
{outside_note}
</body></html>
''')
    return page

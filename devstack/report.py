"""reports/last_run.html: what `make run` loaded, at a glance — counts per pipeline, rows dropped per
rule, trips per day, and the distributions of trip distance and fare of the loaded month."""
from __future__ import annotations

import html
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Mapping

from nyc_taxi.identifiers import trips_table_name
from nyc_taxi.postgres import SOURCE_MONTH, PostgresSettings
from nyc_taxi.request import MonthRequest
from nyc_taxi.schema import schema_for


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
        for column, low, high in (('trip_distance', 0, 30), ('fare_amount', -20, 100)):
            cursor.execute(f'SELECT width_bucket({column}, %s, %s, 50) AS bucket, count(*) FROM {table} '
                           f'WHERE {SOURCE_MONTH} = %s GROUP BY 1 ORDER BY 1', (low, high, request.month_start))
            width = (high - low) / 50
            histograms[column] = [(low + (bucket - 1) * width, count) for bucket, count in cursor.fetchall()]
    return {'per_day': per_day, **histograms}


def _charts(series: dict[str, list], directory: Path) -> list[str]:
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    names = []
    days = [(day, count) for day, count in series['per_day']]
    figure, axis = plt.subplots(figsize=(10, 3.5))
    axis.bar([str(day) for day, _ in days], [count for _, count in days], color='tab:blue')
    axis.set_title('Trips per pickup date (out-of-month dates are the file\'s stragglers)')
    axis.tick_params(axis='x', labelrotation=90, labelsize=7)
    figure.tight_layout()
    figure.savefig(directory / 'trips_per_day.png', dpi=80)
    names.append('trips_per_day.png')
    plt.close(figure)
    for column, label in (('trip_distance', 'trip distance, miles (0-30; the rest at the edges)'),
                          ('fare_amount', 'fare, $ (-20-100; refunds are negative)')):
        figure, axis = plt.subplots(figsize=(5, 3.2))
        buckets = series[column]
        axis.bar([left for left, _ in buckets], [count for _, count in buckets],
                 width=(buckets[1][0] - buckets[0][0]) if len(buckets) > 1 else 1, align='edge', color='tab:orange')
        axis.set_title(label, fontsize=9)
        figure.tight_layout()
        figure.savefig(directory / f'{column}.png', dpi=80)
        names.append(f'{column}.png')
        plt.close(figure)
    return names


def write_report(request: MonthRequest, settings: Mapping[str, str], summaries: list[str], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    charts = _charts(_month_series(request, settings), directory)
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
</body></html>
''')
    return page

"""Which months a file server lists beside a file it does not have, for the error that says so.

A server that lists its folders (Python's http.server, as `make up` serves the sample months; nginx's
autoindex; a mirror of one's own) says what it holds: a 404 for yellow 2015-06 then names the months it can
give. The release and the TLC's CloudFront list nothing (they answer the folder with a 404 or a 403), and the
error keeps only its general hint.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote, urljoin, urlsplit

import requests

MONTH = re.compile(r'(\d{4})-(\d{2})')
LISTING_TIMEOUT_S = 5
LISTING_MAX_BYTES = 1 << 20


def months_listed_beside(url: str, session: requests.Session) -> list[date]:
    """The months of the files named as the file at `url` but for its month, in the listing of its folder;
    [] when the folder lists nothing (or cannot be read)."""
    name = unquote(urlsplit(url).path.rsplit('/', 1)[-1])
    if not MONTH.search(name):
        return []
    pattern = re.compile(re.escape(name).replace(re.escape(MONTH.search(name).group(0)), r'(\d{4})-(\d{2})', 1))
    try:
        with session.get(urljoin(url, './'), timeout=LISTING_TIMEOUT_S, stream=True) as response:
            if response.status_code != 200 or 'html' not in response.headers.get('Content-Type', ''):
                return []
            text = response.raw.read(LISTING_MAX_BYTES, decode_content=True).decode('utf-8', 'replace')
    except (requests.RequestException, OSError):
        return []
    links = re.findall(r'href="([^"]+)"', text)
    found = {date(int(year), int(month), 1) for link in links
             for year, month in pattern.findall(unquote(link.rsplit('/', 1)[-1])) if 1 <= int(month) <= 12}
    return sorted(found)


def month_ranges(months: list[date]) -> str:
    """'2019-01, 2020-10..2021-03': consecutive months as one range."""
    ranges: list[list[date]] = []
    for month in sorted(months):
        previous = ranges[-1][-1] if ranges else None
        if previous is not None and (month.year * 12 + month.month) - (previous.year * 12 + previous.month) == 1:
            ranges[-1].append(month)
        else:
            ranges.append([month])
    return ', '.join(f'{run[0]:%Y-%m}' + (f'..{run[-1]:%Y-%m}' if len(run) > 1 else '') for run in ranges)


def listing_hint(url: str, session: requests.Session) -> str:
    """A sentence on the months the server lists beside `url`, or '' when it lists none."""
    months = months_listed_beside(url, session)
    if not months:
        return ''
    folder = urljoin(url, './')
    return f'This server lists {len(months)} such month{"s" if len(months) > 1 else ""} in {folder}: {month_ranges(months)}.'

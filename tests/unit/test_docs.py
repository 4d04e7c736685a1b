"""The README and docs/ hold together: links and images resolve, the make targets they name exist, and the
README stays short enough to read top to bottom."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / 'README.md'
PAGES = [README, *sorted((REPO_ROOT / 'docs').glob('*.md'))]
README_MOST_LINES = 250
LINK = re.compile(r'!?\[[^\]]*\]\(([^)\s]+)\)')
MAKE_TARGET = re.compile(r'`[^`]*?\bmake ([a-z][a-z0-9_-]*)|\bmake ([a-z][a-z0-9_-]*)`')
MAKEFILE_TARGET = re.compile(r'^([a-z][a-z0-9_-]*):', re.M)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r'[^\w\- ]', '', heading.strip().lower()).replace(' ', '-')


def anchors(page: Path) -> set[str]:
    text = re.sub(r'```.*?```', '', page.read_text(), flags=re.S)
    return {github_anchor(match) for match in re.findall(r'^#+ (.+)$', text, flags=re.M)}


def relative_links(page: Path) -> list[str]:
    text = re.sub(r'```.*?```', '', page.read_text(), flags=re.S)
    return [link for link in LINK.findall(text) if not re.match(r'^[a-z]+:', link)]


@pytest.mark.parametrize('page', PAGES, ids=lambda page: page.relative_to(REPO_ROOT).as_posix())
def test_every_relative_link_and_image_resolves(page: Path):
    broken = []
    for link in relative_links(page):
        path, _, anchor = link.partition('#')
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f'{link}: no file {target.relative_to(REPO_ROOT)}')
        elif anchor and target.suffix == '.md' and anchor not in anchors(target):
            broken.append(f'{link}: no heading #{anchor} in {target.relative_to(REPO_ROOT)}')
    assert not broken, f'{page.relative_to(REPO_ROOT)}: ' + '; '.join(broken)


def test_every_make_target_the_docs_name_exists():
    targets = set(MAKEFILE_TARGET.findall((REPO_ROOT / 'Makefile').read_text()))
    named = {target for page in PAGES for pair in MAKE_TARGET.findall(page.read_text()) for target in pair if target}
    assert named, 'no make target found in the docs: the pattern is wrong'
    assert named <= targets, f'named in the docs but not in the Makefile: {sorted(named - targets)}'


def test_the_readme_stays_short():
    lines = len(README.read_text().splitlines())
    assert lines <= README_MOST_LINES, f'README.md has {lines} lines; move detail into a page of docs/'


def test_the_readme_links_every_page_of_docs():
    linked = {(README.parent / link.partition('#')[0]).resolve() for link in relative_links(README)}
    unlinked = [page.name for page in PAGES[1:] if page.resolve() not in linked]
    assert not unlinked, f'pages of docs/ the README does not link: {unlinked}'


def test_a_broken_link_is_found(tmp_path: Path):
    page = tmp_path / 'page.md'
    page.write_text('# Title\n\n[ok](#title) [gone](missing.md) [bad anchor](#nowhere)\n')
    assert relative_links(page) == ['#title', 'missing.md', '#nowhere']
    assert anchors(page) == {'title'}


def test_make_bench_writes_its_table_into_docs():
    from benchmarks.run import TABLE_PAGE

    assert TABLE_PAGE == REPO_ROOT / 'docs' / 'performance.md'
    text = TABLE_PAGE.read_text()
    assert text.index('<!-- bench:start -->') < text.index('<!-- bench:end -->')
    assert '<!-- bench:start -->' not in README.read_text()


def test_the_readme_says_what_the_daily_trigger_loads():
    trigger = yaml.safe_load((REPO_ROOT / 'magic-zoomcamp' / 'pipelines' / 'gcs_to_bigquery' / 'triggers.yaml')
                             .read_text())['triggers'][0]
    days_back = trigger['variables']['days_back']
    text = ' '.join(README.read_text().split())
    assert f'`days_back: {days_back}`' in text and f'D − {days_back + 1}' in text


def test_the_readme_names_every_sample_month_the_local_file_server_holds():
    from devstack.cli import (DEMO_FHV_MONTHS, DEMO_FHVHV_RELEASE_MONTHS, DEMO_MONTHS, DEMO_TLC_MONTHS)

    text = ' '.join(README.read_text().split())
    months = [*DEMO_MONTHS, *DEMO_FHV_MONTHS, *DEMO_FHVHV_RELEASE_MONTHS, *DEMO_TLC_MONTHS]
    missing = [f'{m.taxi_type} {m.year}-{m.month:02d}' for m in months
               if f'{m.taxi_type} {m.year}-{m.month:02d}' not in text]
    assert not missing, f'the README does not name these sample months: {missing}'

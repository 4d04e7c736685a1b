"""Blocks of a learner's own, written as the course writes them, added to a copy of one of the project's pipelines
as the editor adds them: the course's pandas transformer, and the course's Postgres exporter (Mage's own class)."""
from __future__ import annotations

from pathlib import Path

import yaml

COURSE_TRANSFORMER = '''if 'transformer' not in globals():
    from mage_ai.data_preparation.decorators import transformer


@transformer
def transform(data, *args, **kwargs):
    return data[data['passenger_count'] > 0]
'''
COURSE_POSTGRES_EXPORTER = '''import os
from os import path

from mage_ai.io.config import ConfigFileLoader
from mage_ai.io.postgres import Postgres
from mage_ai.settings.repo import get_repo_path

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def export_data_to_postgres(df, **kwargs) -> None:
    config_path = path.join(get_repo_path(), 'io_config.yaml')
    with Postgres.with_config(ConfigFileLoader(config_path, 'dev')) as loader:
        loader.export(df, os.environ['POSTGRES_SCHEMA'], 'homework_trips', index=False, if_exists='replace')
'''


def add_block(project: Path, pipeline: str, uuid: str, code: str, below: str | None, kind: str) -> None:
    """A block of one's own below `below` (or at the top), as the editor's block buttons add one; `kind` is its
    folder (transformers, data_exporters)."""
    (project / kind / f'{uuid}.py').write_text(code)
    path = project / 'pipelines' / pipeline / 'metadata.yaml'
    config = yaml.safe_load(path.read_text())
    for entry in config['blocks']:
        if entry['uuid'] == below:
            entry['downstream_blocks'].append(uuid)
    config['blocks'].append({'uuid': uuid, 'name': uuid, 'type': kind[:-1], 'language': 'python',
                             'upstream_blocks': [below] if below else [], 'downstream_blocks': []})
    path.write_text(yaml.safe_dump(config))


def add_the_courses_blocks(project: Path, pipeline: str = 'api_to_postgres', below: str = 'transform_taxi_data'
                           ) -> None:
    """The course's transformer below `below` and the course's exporter below it."""
    add_block(project, pipeline, 'homework_as_in_the_video', COURSE_TRANSFORMER, below, 'transformers')
    add_block(project, pipeline, 'export_homework', COURSE_POSTGRES_EXPORTER, 'homework_as_in_the_video',
              'data_exporters')

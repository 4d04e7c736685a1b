"""A month staged on local disk between blocks, so that no block holds a whole month in memory.

Blocks hand each other a small description (rows, dates, where the month is staged) instead of the
trips: the loader streams the source into `source.parquet`, the transformer streams that into
`clean.parquet` and deletes the source, and each exporter streams the clean file to its target.

Each run stages into a directory of its own, `{MAGE_DATA_DIR}/nyc_taxi_staging/{pipeline}/{run}-{random}/`,
so concurrent runs never share a file. The directory goes when the last block that reads it has
released it; one whose owning process is gone (a killed or failed run) is removed by the next run
that stages anything, and since every run stages afresh, nothing left behind is ever read.
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

STAGING_DIR = 'nyc_taxi_staging'
SOURCE_FILE = 'source.parquet'
CLEAN_FILE = 'clean.parquet'
_OWNER = 'owner.pid'
_READERS = 'readers.txt'
_RELEASED = '.released-'


@dataclass(frozen=True)
class Stage:
    directory: Path

    @property
    def source_file(self) -> Path:
        return self.directory / SOURCE_FILE

    @property
    def clean_file(self) -> Path:
        return self.directory / CLEAN_FILE

    def expect_readers(self, readers: Iterable[str]) -> None:
        """The blocks that will read the clean file; the last of them to release it removes the stage."""
        (self.directory / _READERS).write_text(''.join(f'{reader}\n' for reader in readers))

    def release(self, reader: str) -> bool:
        """`reader` is done with the stage; returns whether that removed it (all expected readers done)."""
        if not self.directory.exists():
            return True
        (self.directory / f'{_RELEASED}{reader}').touch()
        readers_file = self.directory / _READERS
        readers = readers_file.read_text().split() if readers_file.exists() else [reader]
        if all((self.directory / f'{_RELEASED}{name}').exists() for name in readers):
            shutil.rmtree(self.directory, ignore_errors=True)
            return True
        return False

    @contextmanager
    def removed_on_error(self) -> Iterator[None]:
        """Removes the stage if the block filling it fails: nothing half-written stays behind."""
        try:
            yield
        except BaseException:
            shutil.rmtree(self.directory, ignore_errors=True)
            raise

    def disk_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.directory.rglob('*') if path.is_file())


def stage_of(staged_file: str | Path) -> Stage:
    """The stage a block's input names (`staged_file` in the description it received)."""
    return Stage(Path(staged_file).parent)


def new_stage(data_dir: str | Path, pipeline_uuid: str, run_label: str) -> Stage:
    """A fresh, empty stage for one run of `pipeline_uuid`; first removes the stages of runs that died."""
    remove_abandoned(Path(data_dir) / STAGING_DIR)
    directory = Path(data_dir) / STAGING_DIR / pipeline_uuid / f'{run_label}-{uuid.uuid4().hex[:8]}'
    directory.mkdir(parents=True)
    (directory / _OWNER).write_text(f'{os.getpid()}\n')
    return Stage(directory)


def remove_abandoned(root: Path) -> list[Path]:
    """Removes the stages (`root/<pipeline>/<run>`) whose owning process no longer runs; returns them."""
    removed = []
    for directory in sorted(root.glob('*/*')) if root.exists() else []:
        if directory.is_dir() and not _owner_alive(directory / _OWNER):
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed


def _owner_alive(owner_file: Path) -> bool:
    try:
        pid = int(owner_file.read_text())
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

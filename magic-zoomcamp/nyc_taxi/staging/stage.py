"""A month staged on local disk between blocks, so that no block holds a whole month in memory.

Blocks hand each other a small handle (nyc_taxi.staging.staged_trips) instead of the trips: the loader
streams the source into a stage's `source.arrow`, the transformer streams that into a stage of its
own, `clean.arrow` (Arrow IPC files, nyc_taxi.staging.stage_files), and each exporter streams the clean
file to its target. Each block output is one stage, and a stage lives as long as an output that names
it may still be read:

- In a pipeline run (`mage run`, triggers, backfills) a stage is
  `{MAGE_DATA_DIR}/nyc_taxi_staging/{pipeline}/{run}-{block}-{random}/`, so concurrent runs never share a
  file. It goes when the last block that reads it has released it; one whose owning process is gone (a
  killed or failed run) is removed by the next run that stages anything, and since every run stages
  afresh, nothing left behind is ever read.
- In the editor a block's last output stays the input of the blocks below it for as long as the user
  likes, as Mage's own outputs do: its stage is `{MAGE_DATA_DIR}/nyc_taxi_editor/{pipeline}/{block}/{random}/`,
  read any number of times, and removed when the block makes a new output. Disk stays at one stage per
  block of the pipeline.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

STAGING_DIR = 'nyc_taxi_staging'
EDITOR_STAGING_DIR = 'nyc_taxi_editor'
SOURCE_FILE = 'source.arrow'
CLEAN_FILE = 'clean.arrow'
_OWNER = 'owner.pid'
_READERS = 'readers.txt'
_RELEASED = '.released-'
_MAKING = '.making-'


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
    """A fresh, empty stage for one block output of a run of `pipeline_uuid` (`run_label` names the run
    and the block); first removes the stages of runs that died."""
    root = Path(data_dir) / STAGING_DIR
    remove_abandoned(root)
    parent = root / pipeline_uuid
    parent.mkdir(parents=True, exist_ok=True)
    # Made under a hidden name and renamed once it names its owner, whose file appears whole: a concurrent
    # run's sweep never sees it ownerless (it removed such a stage, between mkdir and the owner's file or
    # before the file held the number, failing the run).
    making = Path(tempfile.mkdtemp(prefix=_MAKING, dir=parent))
    (making / f'{_OWNER}.new').write_text(f'{os.getpid()}\n')
    (making / f'{_OWNER}.new').rename(making / _OWNER)
    directory = parent / f'{run_label}-{uuid.uuid4().hex[:8]}'
    making.rename(directory)
    return Stage(directory)


def new_editor_stage(data_dir: str | Path, pipeline_uuid: str, block_uuid: str) -> Stage:
    """A fresh, empty stage for the next output of `block_uuid` run in the editor; the stages of its
    earlier outputs stay until `keep_only_newest` (a failed run leaves the last good output readable)."""
    directory = Path(data_dir) / EDITOR_STAGING_DIR / pipeline_uuid / block_uuid / uuid.uuid4().hex[:12]
    directory.mkdir(parents=True)
    return Stage(directory)


def keep_only_newest(stage: Stage) -> list[Path]:
    """Removes the stages of the block's earlier editor outputs, now that `stage` holds its newest; returns them."""
    removed = [sibling for sibling in stage.directory.parent.iterdir() if sibling.is_dir() and sibling != stage.directory]
    for sibling in removed:
        shutil.rmtree(sibling, ignore_errors=True)
    return removed


def remove_abandoned(root: Path) -> list[Path]:
    """Removes the stages (`root/<pipeline>/<run>`) whose owning process no longer runs; returns them."""
    removed = []
    for directory in sorted(root.glob('*/*')) if root.exists() else []:
        owner = directory / _OWNER
        if directory.name.startswith(_MAKING) and not owner.exists():
            continue  # being made: it names its owner before it gets its name
        if directory.is_dir() and not _owner_alive(owner):
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

"""Writing a generated file under its final name only once it is whole."""
from __future__ import annotations

from pathlib import Path
from typing import Callable


def write_via_partial(path: Path, write: Callable[[Path], None]) -> Path:
    """Calls `write` on `<path>.partial`, then renames it to `path`.

    The file server serves whatever has the final name: a generator killed half-way (Ctrl-C during
    `make up`, a test timeout) must leave no truncated month behind that the next run would trust.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + '.partial')
    try:
        write(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return path


def ensure_file(path: Path, write: Callable[[Path], None]) -> Path:
    """Writes `path` (via a `.partial` file) unless it already exists: generated files are reused."""
    if not path.exists():
        write_via_partial(path, write)
    return path

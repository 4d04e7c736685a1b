"""The project as a user's clone has it: a copy of magic-zoomcamp/ in a git repository of its own, so that what
Mage writes into the project (the editor saves pipelines, the scheduler syncs triggers) shows in `git status`."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from devstack.paths import PROJECT_DIR, REPO_ROOT


def clone_project(work: Path, also_ignored: tuple[str, ...] = ()) -> Path:
    """Copies the project to `work`/magic-zoomcamp, commits it in a new repository at `work`; returns the project."""
    project = work / PROJECT_DIR.name
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns('__pycache__'))
    ignored = (REPO_ROOT / '.gitignore').read_text() + ''.join(f'{pattern}\n' for pattern in also_ignored)
    (work / '.gitignore').write_text(ignored)
    for command in (['init', '-q'], ['add', '-A'],
                    ['-c', 'user.name=clone', '-c', 'user.email=clone@localhost', 'commit', '-qm', 'a clone']):
        subprocess.run(['git', *command], cwd=work, check=True, capture_output=True)
    return project


def git_status(work: Path) -> str:
    return subprocess.run(['git', 'status', '--porcelain'], cwd=work, capture_output=True, text=True,
                          check=True).stdout

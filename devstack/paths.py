"""Where the local stack keeps its state: .local/ in the repository (git-ignored), or $STACK_DIR."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT_DIR = REPO_ROOT / 'magic-zoomcamp'


def stack_dir() -> Path:
    return Path(os.environ.get('STACK_DIR') or REPO_ROOT / '.local').resolve()


def stack_env_file() -> Path:
    return stack_dir() / 'stack.env'

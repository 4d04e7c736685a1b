"""The stack's settings file (.local/stack.env): KEY=VALUE lines, overridden by the real environment."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith('#') or '=' not in line:
            continue
        key, value = line.split('=', 1)
        values[key.strip()] = value.strip()
    return values


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ['# Written by `make up` for the local stack. A variable set in the environment wins over this file.']
    lines += [f'{key}={value}' for key, value in values.items()]
    path.write_text('\n'.join(lines) + '\n')


def merged_environment(environ: Mapping[str, str], file_values: Mapping[str, str]) -> dict[str, str]:
    """The file's settings under the environment's: a user can point one run elsewhere with `KEY=... make ...`."""
    return {**file_values, **environ}

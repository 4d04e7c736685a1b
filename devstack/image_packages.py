"""The Mage image's package set and what our Dockerfile adds to it.

`image/mageai-<version>.txt` (`make image-lock`) is the set Mage's own Dockerfile installs to make the image our
Dockerfile starts FROM; `requirements-image.txt` is what ours adds (`image/add-packages.sh`, run with the image's
own versions as constraints). Both tests/unit/test_image_packages.py and `make image-venv` read them through here.

`python -m devstack.image_packages check LOCK BEFORE AFTER`, with BEFORE and AFTER the `pip list --format=freeze`
of the stand-in venv around the Dockerfile's step (`make image-venv`): BEFORE must be the lock exactly, AFTER
BEFORE plus requirements-image.txt, no package of the image changed or gone.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from devstack.paths import REPO_ROOT

IMAGE_REQUIREMENTS = REPO_ROOT / 'requirements-image.txt'
# What python:3.10-bookworm ships besides the interpreter; they are in a fresh venv too, and not in the lock.
INSTALLERS = frozenset({'pip', 'setuptools', 'wheel'})


def normalize(name: str) -> str:
    """A distribution's name as PEP 503 compares them (`Jinja2`, `jinja2`, `ruamel.yaml` -> `ruamel-yaml`)."""
    return re.sub(r'[-_.]+', '-', name).lower()


def parse_pins(text: str) -> dict[str, str]:
    """`name[extras]==version` lines (comments, `# via` annotations and markers dropped) as {name: version}."""
    pins: dict[str, str] = {}
    for line in text.splitlines():
        line = line.split('#', 1)[0].split(';', 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r'([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*(\S+)', line)
        if not match:
            raise ValueError(f'not a pin: {line!r}')
        pins[normalize(match.group(1))] = match.group(3)
    return pins


def read_pins(path: Path) -> dict[str, str]:
    return parse_pins(path.read_text())


def mage_version() -> str:
    """The tag of mageai/mageai our Dockerfile starts FROM."""
    (version,) = re.findall(r'^FROM mageai/mageai:(\S+)', (REPO_ROOT / 'Dockerfile').read_text(), re.M)
    return version


def lock_path() -> Path:
    return REPO_ROOT / 'image' / f'mageai-{mage_version()}.txt'


def changes(before: dict[str, str], after: dict[str, str]) -> tuple[dict[str, str], dict[str, tuple[str, str]], dict[str, str]]:
    """What went from `before` to `after`: (added {name: version}, changed {name: (old, new)}, removed {name: version})."""
    added = {name: version for name, version in after.items() if name not in before}
    changed = {name: (version, after[name]) for name, version in before.items() if name in after and after[name] != version}
    removed = {name: version for name, version in before.items() if name not in after}
    return added, changed, removed


def check_stand_in(lock: dict[str, str], before: dict[str, str], after: dict[str, str],
                   requirements: dict[str, str]) -> list[str]:
    """What is wrong with a stand-in venv around the Dockerfile's step; empty when nothing is."""
    problems = []
    installed = {name: version for name, version in before.items() if name not in INSTALLERS or name in lock}
    added, changed, removed = changes(lock, installed)
    if added or changed or removed:
        problems.append(f'before the Dockerfile\'s step the venv is not the lock: extra {added}, other versions '
                        f'{changed}, missing {removed}')
    added, changed, removed = changes(before, after)
    if changed or removed:
        problems.append(f'the Dockerfile\'s step changed packages of the image: {changed or ""} {removed or ""}'.strip())
    if added != requirements:
        problems.append(f'the Dockerfile\'s step added {added}, not requirements-image.txt\'s {requirements}')
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] != 'check':
        print('usage: python -m devstack.image_packages check LOCK BEFORE AFTER', file=sys.stderr)
        return 2
    lock, before, after = (read_pins(Path(path)) for path in argv[1:])
    problems = check_stand_in(lock, before, after, read_pins(IMAGE_REQUIREMENTS))
    for problem in problems:
        print(f'image check: {problem}', file=sys.stderr)
    if not problems:
        added, _, _ = changes(before, after)
        print(f'image check: {len(lock)} packages of the lock installed as locked; the Dockerfile\'s step added '
              f'{", ".join(f"{name}=={version}" for name, version in sorted(added.items()))} and changed nothing')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

"""What every fix to Mage declares, and the check that it is installed only into the Mage it was written for.

A fix replaces or wraps something of Mage's (a function, a method, a module's name). Before it does, the
check asks two things: is this the Mage version the fix was written and canaried against, and is each
thing it replaces still there with the parameters the fix expects? On any other Mage the fix is not
installed: Mage runs stock for that fix, and the start says so on stderr, naming the fix, the version
found and what to do. The fix's canary (tests/canaries/) tells whether that Mage still has the bug.
"""
from __future__ import annotations

import importlib
import inspect
import sys
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Callable, TextIO

MAGE_DISTRIBUTION = 'mage-ai'
_installed: set[str] = set()  # in this process: a fix's targets are then its own wrappers, not Mage's


@dataclass(frozen=True)
class Target:
    """One thing of Mage's that a fix replaces or relies on: `module`'s `attribute` (dotted within the module);
    for a function, the names of its parameters in order (None: only that it exists), and a line its source
    must hold (`uses`), where the fix relies on how Mage calls what it replaces."""
    module: str
    attribute: str
    parameters: tuple[str, ...] | None = None
    uses: str | None = None

    def resolve(self) -> Any:
        value: Any = importlib.import_module(self.module)
        for name in self.attribute.split('.'):
            value = getattr(value, name)
        return value

    def __str__(self) -> str:
        return f'{self.module}.{self.attribute}'


@dataclass(frozen=True)
class MageFix:
    """A fix to Mage: its name (its module's), Mage's bug in a line, where it applies, what it replaces,
    the Mage versions it was written for, and how to install it."""
    name: str
    bug: str
    applies_to: str
    targets: tuple[Target, ...]
    install: Callable[[], None]
    mage_versions: tuple[str, ...] = ('0.9.80',)

    @property
    def canary(self) -> str:
        return f'tests/canaries/test_{self.name}.py'


def installed_mage_version() -> str | None:
    try:
        return metadata.version(MAGE_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def why_not_installable(fix: MageFix, mage_version: str | None) -> str | None:
    """None when `fix` fits this Mage; else why not, in a sentence."""
    if mage_version not in fix.mage_versions:
        return f'it is written for mage-ai {", ".join(fix.mage_versions)} and this is mage-ai {mage_version}'
    for target in fix.targets:
        try:
            value = target.resolve()
        except (ImportError, AttributeError) as error:
            return f'{target} is not there ({error})'
        if target.parameters is not None and _parameters(value) != target.parameters:
            return (f'{target} takes ({", ".join(_parameters(value) or ())}), '
                    f'not ({", ".join(target.parameters)}) as the fix expects')
        if target.uses is not None and target.uses not in _source(value):
            return f'{target} no longer does `{target.uses}`, which the fix relies on'
    return None


def install_guarded(fixes: tuple[MageFix, ...], report: TextIO = sys.stderr) -> list[str]:
    """Installs each fix that fits this Mage; says of each other one that Mage runs stock for it. Returns the
    names of the fixes installed. Every fix is checked before any is installed: two may wrap one function."""
    version = installed_mage_version()
    reasons = {fix.name: why_not_installable(fix, version) for fix in fixes if fix.name not in _installed}
    for fix in fixes:
        why = reasons.get(fix.name)
        if why is not None:
            print(f'Mage fix {fix.name} not installed: {why}. Mage runs stock for it ({fix.bug}). '
                  f'Its canary says whether this Mage still has the bug: `make canaries`, or pytest {fix.canary}; '
                  'a failing canary means Mage fixed it and the fix can go (docs/mage-fixes.md).', file=report)
        elif fix.name not in _installed:
            fix.install()
            _installed.add(fix.name)
    return [fix.name for fix in fixes if fix.name in _installed]


def _source(value: Any) -> str:
    try:
        return inspect.getsource(inspect.unwrap(value))
    except (OSError, TypeError):
        return ''


def _parameters(value: Any) -> tuple[str, ...] | None:
    try:
        return tuple(inspect.signature(inspect.unwrap(value)).parameters)
    except (TypeError, ValueError):
        return None

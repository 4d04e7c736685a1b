"""Each fix to Mage knows the Mage it fixes: installed only where Mage's version and the fix's targets are what it
was written for, else Mage runs stock for it and the start says so; each has a canary (tests/canaries/)."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from devstack.paths import REPO_ROOT
from nyc_taxi.mage.fixes import FIXES
from nyc_taxi.mage.fixes.guard import MageFix, Target, install_guarded, installed_mage_version, why_not_installable

FIXES_DIR = REPO_ROOT / 'magic-zoomcamp' / 'nyc_taxi' / 'mage' / 'fixes'
NOT_FIXES = {'__init__', 'guard', 'scope', 'editor_kernel'}


def a_fix(name: str = 'a_fix', versions: tuple[str, ...] = ('0.9.80',), targets: tuple[Target, ...] = ()) -> tuple:
    installs = []
    return MageFix(name=name, bug='a bug', applies_to='nothing', targets=targets,
                   install=lambda: installs.append(name), mage_versions=versions), installs


FITS = """
import json
from nyc_taxi.mage.fixes import FIXES
from nyc_taxi.mage.fixes.guard import installed_mage_version, why_not_installable
print(json.dumps({fix.name: why_not_installable(fix, installed_mage_version()) for fix in FIXES}))
"""


def test_every_fix_fits_the_mage_installed_here(tmp_path):
    # In a process of its own: resolving the targets imports Mage's scheduler, which forks.
    result = subprocess.run([sys.executable, '-c', FITS], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, 'MAGE_DATA_DIR': str(tmp_path)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.splitlines()[-1]) == {fix.name: None for fix in FIXES}


def test_on_another_mage_a_fix_is_not_installed_and_the_start_says_which_version_and_what_to_do():
    fix, installs = a_fix('crashed_runs_like', versions=('0.9.79',))
    report = io.StringIO()
    assert install_guarded((fix,), report=report) == []
    assert installs == []
    message = report.getvalue()
    assert 'Mage fix crashed_runs_like not installed' in message and 'mage-ai 0.9.79' in message
    assert f'this is mage-ai {installed_mage_version()}' in message and 'Mage runs stock for it' in message
    assert 'tests/canaries/test_crashed_runs_like.py' in message and 'the fix can go' in message


def test_a_target_moved_or_reshaped_keeps_the_fix_out():
    moved, _ = a_fix(targets=(Target('mage_ai.shared.retry', 'retry_with_backoff'),))
    assert 'mage_ai.shared.retry.retry_with_backoff is not there' in why_not_installable(moved, '0.9.80')
    reshaped, _ = a_fix(targets=(Target('mage_ai.shared.retry', 'retry', ('retries', 'delay')),))
    assert 'takes (retries, delay, max_delay' in why_not_installable(reshaped, '0.9.80')
    called_otherwise, _ = a_fix(targets=(Target('mage_ai.shared.retry', 'retry', uses='retry_with_jitter('),))
    assert 'no longer does `retry_with_jitter(`' in why_not_installable(called_otherwise, '0.9.80')


def test_a_fix_installs_once_per_process():
    fix, installs = a_fix('installed_twice')
    assert install_guarded((fix,)) == ['installed_twice'] and install_guarded((fix,)) == ['installed_twice']
    assert installs == ['installed_twice']


def test_every_fix_module_is_installed_and_has_a_canary_that_expects_the_bug_on_stock_mage():
    modules = {path.stem for path in FIXES_DIR.glob('*.py')} - NOT_FIXES
    assert modules == {fix.name for fix in FIXES}
    for fix in FIXES:
        canary = (REPO_ROOT / fix.canary).read_text()
        assert 'def test_stock_' in canary and f"fix_can_go('{fix.name}')" in canary, fix.canary
        docstring = (FIXES_DIR / f'{fix.name}.py').read_text().split('"""')[1]
        assert "Mage's bug" in docstring and 'Applies to:' in docstring and f'Canary: {fix.canary}' in docstring


def test_the_project_blocks_are_the_block_files_the_project_ships_and_its_pipelines_use():
    import yaml

    from nyc_taxi.mage.fixes.scope import PROJECT_BLOCKS, PROJECT_PIPELINES

    project = REPO_ROOT / 'magic-zoomcamp'
    shipped = {path.stem for folder in ('data_loaders', 'transformers', 'data_exporters', 'custom')
               for path in (project / folder).glob('*.*') if path.suffix in ('.py', '.sql') and path.stem != '__init__'}
    used = {block['uuid'] for pipeline in PROJECT_PIPELINES
            for block in yaml.safe_load((project / 'pipelines' / pipeline / 'metadata.yaml').read_text())['blocks']}
    assert PROJECT_BLOCKS == shipped == used

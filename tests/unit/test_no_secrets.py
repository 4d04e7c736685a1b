"""Nothing secret is tracked: no keys, no service-account JSON, no real passwords."""
import re
import subprocess

import pytest

from devstack.paths import REPO_ROOT

# dev.env's and the local stack's (devstack/postgres_cluster.py), known to all, reaching nothing but this machine.
PLACEHOLDER_PASSWORDS = {'postgres', 'admin', 'local-stack-password', ''}
PRIVATE_KEY = re.compile(r'-----BEGIN [A-Z ]*PRIVATE KEY-----')
SERVICE_ACCOUNT = re.compile(r'"(private_key_id|private_key)"\s*:|"type"\s*:\s*"service_account"')
PASSWORD_SETTING = re.compile(r'\b[A-Z_]*(PASSWORD|SECRET|TOKEN)[A-Z_]*[ \t]*[=:][ \t]*["\']?([^\s"\'#]*)')


def tracked_text_files():
    names = subprocess.run(['git', 'ls-files'], cwd=REPO_ROOT, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    for name in names:
        path = REPO_ROOT / name
        if not path.is_file():
            continue
        try:
            yield name, path.read_text()
        except UnicodeDecodeError:
            continue


def test_no_private_key_or_service_account_json_is_tracked():
    offenders = [name for name, text in tracked_text_files() if PRIVATE_KEY.search(text) or SERVICE_ACCOUNT.search(text)]
    assert offenders == []


def test_passwords_in_tracked_files_are_placeholders_or_references():
    offenders = []
    for name, text in tracked_text_files():
        if name == 'tests/unit/test_no_secrets.py':  # its own patterns
            continue
        code = '\n'.join(line for line in text.splitlines() if not line.lstrip().startswith('#'))
        for match in PASSWORD_SETTING.finditer(code):
            value = match.group(2)
            if value in PLACEHOLDER_PASSWORDS or value.startswith(('${', '{{', 'os.', 'self.', 'env', 'password')):
                continue
            offenders.append(f'{name}: {match.group(0)}')
    assert offenders == []


@pytest.mark.parametrize('name', ['.env', 'keys/service-account.json', 'secrets/x', 'my-project-key.json',
                                  '.local/stack.env', 'mage_data/x'])
def test_secret_and_state_paths_are_ignored(name):
    result = subprocess.run(['git', 'check-ignore', '-q', name], cwd=REPO_ROOT)
    assert result.returncode == 0, f'{name} is not git-ignored'

"""The editor masks secrets, not a learner's folder names or the project's settings.

Mage's bug (0.9.80, mage_ai/shared/security.py, filter_out_env_var_values, which the server's websocket
handlers apply to everything the editor shows): the value of every environment variable of 8 or more
characters is replaced with asterisks, bar a few whitelisted ones (MAGE_DATA_DIR, HOME, PWD, ...). So a
shell's OLDPWD (the folder a learner came from) turned every path under it into asterisks
(`**********/repo/.venv/lib/...`), and with the local stack's settings a log line read
`... now in magic.yellow_taxi_trips on ********ql://********@*********:54320/********`. Yet a password equal
to a whitelisted value was shown.

The fix masks what may be a secret, and only that, wherever it appears:
- the value of an environment variable whose name says it is one: PASSWORD, PASSWD, SECRET, TOKEN, KEY,
  CREDENTIAL, PRIVATE, WEBHOOK or AUTH, unless the name ends in PATH, FILEPATH, FILE or DIR (where a key is,
  not the key; GOOGLE_APPLICATION_CREDENTIALS is such a path by Google's convention);
- the password of a URL held by any variable (MAGE_DATABASE_CONNECTION_URL's);
- the values of io_config.yaml's credential keys (the same words, in every profile, a service-account key's
  fields included), for a credential written into the file itself rather than taken from the environment.
Values shorter than 8 characters stay shown, as in Mage (masking `admin` would mask it in every address).

Applies to: what the editor shows of every pipeline, and the project's alerts (nyc_taxi.mage.fixes.alerts).

Canary: tests/canaries/test_editor_secrets.py (stock Mage masks a path under OLDPWD and shows a password
equal to a whitelisted value).
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from nyc_taxi.mage.fixes.guard import MageFix, Target

MIN_MASKED_LENGTH = 8  # Mage's
MASKED_NAME_WORDS = re.compile(r'PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE|WEBHOOK|AUTH', re.IGNORECASE)
WHERE_NOT_WHAT = re.compile(r'(PATH|FILE|DIR)$', re.IGNORECASE)
PATH_BY_CONVENTION = frozenset({'GOOGLE_APPLICATION_CREDENTIALS'})


def is_secret_name(name: str) -> bool:
    return bool(MASKED_NAME_WORDS.search(name)) and not WHERE_NOT_WHAT.search(name) and name not in PATH_BY_CONVENTION


def url_password(value: str) -> str | None:
    if '://' not in value or '@' not in value:
        return None
    try:
        return urlsplit(value.strip()).password
    except ValueError:
        return None


def secret_values(environ: Mapping[str, str], config: Any = None) -> list[str]:
    """Every secret among `environ` and the io_config `config` (profile name -> settings), longest first."""
    secrets = {value for name, value in environ.items() if value and is_secret_name(name)}
    secrets.update(password for password in map(url_password, environ.values()) if password)
    secrets.update(_config_secrets(config))
    return sorted((secret for secret in secrets if len(secret) >= MIN_MASKED_LENGTH), key=len, reverse=True)


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, '*' * len(secret))
    return text


def masked(text: str) -> str:
    """`text` with this process's secrets (its environment's, its project's io_config's) masked."""
    if not text:
        return text
    return mask_secrets(text, secret_values(os.environ, _io_config()))


def _config_secrets(config: Any, secret: bool = False) -> Iterable[str]:
    if isinstance(config, Mapping):
        for key, value in config.items():
            yield from _config_secrets(value, secret or is_secret_name(str(key)))
    elif isinstance(config, (list, tuple)):
        for value in config:
            yield from _config_secrets(value, secret)
    elif isinstance(config, str) and config:
        if secret:
            yield config
        password = url_password(config)
        if password:
            yield password


_io_config_cache: dict[tuple, Any] = {}


def _io_config() -> Any:
    """The project's io_config.yaml, its templates rendered (env_var) as Mage renders them; cached while the
    file and the environment stay the same."""
    try:
        from mage_ai.settings.repo import get_repo_path

        path = os.path.join(get_repo_path(), 'io_config.yaml')
        key = (path, os.stat(path).st_mtime_ns, hash(frozenset(os.environ.items())))
    except Exception:  # noqa: BLE001 no project, no file: nothing of it to mask
        return None
    if key not in _io_config_cache:
        import yaml
        from jinja2 import Template
        from mage_ai.data_preparation.shared.utils import get_template_vars

        _io_config_cache.clear()
        try:  # as mage_ai.io.config.ConfigFileLoader reads it
            with open(path) as file:
                _io_config_cache[key] = yaml.full_load(Template(file.read()).render(**get_template_vars()))
        except Exception:  # noqa: BLE001 a file Mage could not read either: its own error says so elsewhere
            _io_config_cache[key] = None
    return _io_config_cache[key]


# Where Mage's server took its own name from mage_ai.shared.security at import.
MASKING_MODULES = ('mage_ai.shared.security', 'mage_ai.server.websocket_server', 'mage_ai.server.websockets.utils')


def install() -> None:
    import importlib

    def filter_out_env_var_values(value: str) -> str:
        return masked(value)

    for name in MASKING_MODULES:
        setattr(importlib.import_module(name), 'filter_out_env_var_values', filter_out_env_var_values)


FIX = MageFix(
    name='editor_secrets',
    bug="the editor masks every environment value of 8+ characters: a learner's folder names, the settings",
    applies_to='what the editor shows of every pipeline, and the alerts',
    targets=tuple(Target(module, 'filter_out_env_var_values', ('value',)) for module in MASKING_MODULES),
    install=install,
)

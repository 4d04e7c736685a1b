"""Reading a profile of the project's io_config.yaml the way Mage renders it."""
from __future__ import annotations

import os
from typing import Any

DEFAULT_POSTGRES_PROFILE = 'dev'


# What io_config.yaml renders for a setting it gives this text when unset, e.g. GOOGLE_SERVICE_ACC_KEY_FILEPATH:
# Mage's own classes open it as a file name, and their error then names the setting instead of 'None'.
UNSET_MARK = '(unset: '


def is_unset(value: Any) -> bool:
    """Missing, empty, the string 'None' that Mage renders for an unset `env_var(...)`, or io_config's
    `(unset: ...)` text."""
    return value is None or str(value).strip() in ('', 'None') or str(value).startswith(UNSET_MARK)


def load_profile(repo_path: str, profile: str) -> dict[str, Any]:
    from mage_ai.io.config import ConfigFileLoader

    path = os.path.join(repo_path, 'io_config.yaml')
    try:
        return dict(ConfigFileLoader(path, profile).config)
    except KeyError:
        raise ValueError(f'{path} has no profile {profile!r}') from None

"""Reading a profile of the project's io_config.yaml the way Mage renders it."""
from __future__ import annotations

import os
from typing import Any

DEFAULT_POSTGRES_PROFILE = 'dev'


def is_unset(value: Any) -> bool:
    """Missing, empty, or the string 'None' that Mage renders for an unset `env_var(...)`."""
    return value is None or str(value).strip() in ('', 'None')


def load_profile(repo_path: str, profile: str) -> dict[str, Any]:
    from mage_ai.io.config import ConfigFileLoader

    path = os.path.join(repo_path, 'io_config.yaml')
    try:
        return dict(ConfigFileLoader(path, profile).config)
    except KeyError:
        raise ValueError(f'{path} has no profile {profile!r}') from None

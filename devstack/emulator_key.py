"""A service-account key for the local emulators: made here, signing nothing but requests to this machine.

Mage's own Google Cloud Storage class (its "Google Cloud Storage" data loader template, the seed's check)
insists on a key file (GOOGLE_SERVICE_ACC_KEY_FILEPATH) and has no endpoint setting. With a key whose
`universe_domain` is not googleapis.com, google-auth signs its own token instead of asking Google's token
server, and STORAGE_EMULATOR_HOST sends the requests to the local GCS emulator: Mage's class then works
offline, unchanged. The key is a fresh RSA key of no account anywhere; it lives in the stack's directory.
"""
from __future__ import annotations

import json
from pathlib import Path

EMULATOR_UNIVERSE = 'emulator.local'


def ensure_emulator_key(path: Path, project: str) -> Path:
    """The key at `path` for `project`, made on first use."""
    if path.is_file():
        return path
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    key = {'type': 'service_account', 'project_id': project, 'private_key_id': 'local-emulators',
           'private_key': pem, 'client_email': f'local-emulators@{project}.iam.gserviceaccount.com',
           'client_id': '0', 'token_uri': 'http://127.0.0.1:9/unused', 'universe_domain': EMULATOR_UNIVERSE}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(key))
    path.chmod(0o600)
    return path

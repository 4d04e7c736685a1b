"""A throwaway PostgreSQL cluster in a directory of ours, started with the machine's server binaries."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from nyc_taxi.mage.state_database import SETTING as STATE_SETTING, state_database_url

SERVER_OWNER = 'postgres'  # initdb and postgres refuse to run as root
INSTALL_HINT = ('PostgreSQL server binaries (initdb, pg_ctl) not found: install them, e.g. '
                '`apt-get install postgresql` (Debian/Ubuntu) or `brew install postgresql@15` (macOS), '
                'or point POSTGRES_BINDIR at their directory')

# A throwaway cluster trades crash safety for speed; it never holds the only copy of anything.
_SERVER_OPTIONS = ('-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off '
                   '-c full_page_writes=off -c max_wal_size=2GB')


def postgres_bindir() -> Path:
    candidates = [os.environ.get('POSTGRES_BINDIR', '')]
    if shutil.which('pg_config'):
        candidates.append(subprocess.run(['pg_config', '--bindir'], capture_output=True, text=True).stdout.strip())
    candidates += sorted(glob.glob('/usr/lib/postgresql/*/bin'), reverse=True)
    candidates += [str(Path(p).parent) for p in (shutil.which('initdb'),) if p]
    for candidate in candidates:
        if candidate and (Path(candidate) / 'initdb').exists() and (Path(candidate) / 'pg_ctl').exists():
            return Path(candidate)
    raise RuntimeError(INSTALL_HINT)


LOCAL_PASSWORD = 'local-stack-password'


@dataclass
class PostgresCluster:
    directory: Path
    port: int
    user: str = 'postgres'
    # Not `postgres`, the user's and database's name: Mage's editor would then mask those wherever they
    # appear (nyc_taxi/mage/fixes/editor_secrets.py).
    password: str = LOCAL_PASSWORD
    dbname: str = 'postgres'

    @property
    def data_dir(self) -> Path:
        return self.directory / 'data'

    @property
    def log_file(self) -> Path:
        return self.directory / 'server.log'

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(postgres_bindir() / tool), *args]
        if os.geteuid() == 0:
            command = ['runuser', '-u', SERVER_OWNER, '--', *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f'{tool} failed ({result.returncode}): {result.stderr or result.stdout}')
        return result

    def _hand_to_server_owner(self, path: Path) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam(SERVER_OWNER)
            os.chown(path, owner.pw_uid, owner.pw_gid)

    def initialize(self) -> None:
        if (self.data_dir / 'PG_VERSION').exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self._hand_to_server_owner(self.directory)
        password_file = self.directory / 'initdb-password'
        password_file.write_text(self.password + '\n')
        self._hand_to_server_owner(password_file)
        try:
            self._run('initdb', '-D', str(self.data_dir), '-U', self.user, '--auth=scram-sha-256',
                      f'--pwfile={password_file}', '--encoding=UTF8', '--locale=C.UTF-8')
        finally:
            password_file.unlink(missing_ok=True)

    def is_running(self) -> bool:
        return self._run('pg_ctl', '-D', str(self.data_dir), 'status', check=False).returncode == 0

    def start(self) -> None:
        self.initialize()
        if self.is_running():
            return
        self._run('pg_ctl', '-D', str(self.data_dir), '-l', str(self.log_file), '-w', '-t', '60',
                  '-o', f'{_SERVER_OPTIONS} -c port={self.port} -c unix_socket_directories={self.directory}',
                  'start')

    def stop(self, mode: str = 'fast') -> None:
        if self.data_dir.exists() and self.is_running():
            self._run('pg_ctl', '-D', str(self.data_dir), '-m', mode, '-w', 'stop')

    def settings(self, db_schema: str = 'magic') -> dict[str, str]:
        return {
            'POSTGRES_HOST': '127.0.0.1',
            'POSTGRES_PORT': str(self.port),
            'POSTGRES_USER': self.user,
            'POSTGRES_PASSWORD': self.password,
            'POSTGRES_DBNAME': self.dbname,
            'POSTGRES_SCHEMA': db_schema,
            'POSTGRES_CONNECT_TIMEOUT': '10',
            # Mage's own state: a database of its own on this cluster, created by the project's `mage start`.
            STATE_SETTING: state_database_url('127.0.0.1', self.port, self.user, self.password),
        }

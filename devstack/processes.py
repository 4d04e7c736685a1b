"""Starting and stopping background services by PID, and waiting for their ports."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Sequence


def free_port(preferred: int | None = None) -> int:
    """`preferred` when nothing listens on it, else a port the OS picks (both on 127.0.0.1)."""
    candidates = ([preferred] if preferred else []) + [0]
    for candidate in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(('127.0.0.1', candidate))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError('no free TCP port on 127.0.0.1')


def wait_for_port(port: int, timeout_s: float = 30, process: subprocess.Popen | None = None,
                  log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f'{process.args[0]} exited with {process.returncode} before listening on '
                               f'port {port}{_log_tail(log)}')
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(('127.0.0.1', port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f'nothing listens on 127.0.0.1:{port} after {timeout_s} s{_log_tail(log)}')


def wait_for_http(url: str, timeout_s: float = 120, process: subprocess.Popen | None = None,
                  log: Path | None = None) -> None:
    """Until `url` answers HTTP (a server whose port opens before it is ready, such as `mage start`)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f'{process.args[0]} exited with {process.returncode} before {url} answered'
                                   f'{_log_tail(log)}') from None
            if time.monotonic() > deadline:
                raise TimeoutError(f'{url} did not answer after {timeout_s} s{_log_tail(log)}') from None
            time.sleep(0.5)


def start_background(command: Sequence[str], log: Path, pid_file: Path | None = None,
                     env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen:
    """Starts `command` in its own session (so it outlives the caller and stops as a group)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, 'ab') as out:
        process = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True, env=env, cwd=cwd)
    if pid_file is not None:
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        pid_file.write_text(f'{process.pid}\n')
    return process


def stop_process_group(pid: int, timeout_s: float = 10) -> None:
    """SIGTERM to the process group led by `pid`, then SIGKILL if it is still there."""
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 5)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.1)


def kill_process_group(process: subprocess.Popen, timeout_s: float = 30) -> None:
    """SIGKILL to the whole group `process` leads, as a crash or an OOM kill would end it, and reaps it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:  # the leader and all it forked are gone already
        pass
    process.wait(timeout=timeout_s)


def run_in_own_session(command: Sequence[str], timeout_s: float, **popen: object) -> tuple[int, str]:
    """Runs `command` in a session of its own, its output (stdout and stderr) to a file, then SIGKILLs whatever
    it forked and left behind (Mage's job queue manager, a worker): such a process would otherwise hold the
    caller's pipes open after the command has exited. Returns its exit code and output."""
    import tempfile

    with tempfile.TemporaryFile(mode='w+') as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, text=True, **popen)
        try:
            returncode = process.wait(timeout=timeout_s)
        finally:
            kill_process_group(process)
        output.seek(0)
        return returncode, output.read()


def stop_from_pid_file(pid_file: Path) -> bool:
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().strip())
    stop_process_group(pid)
    pid_file.unlink(missing_ok=True)
    return True


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _log_tail(log: Path | None) -> str:
    if log is None or not log.exists():
        return ''
    return '\n--- ' + str(log) + ' ---\n' + '\n'.join(log.read_text(errors='replace').splitlines()[-20:])

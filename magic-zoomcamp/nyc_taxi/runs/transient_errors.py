"""Which failures a later attempt of the same block can fix: a service that dropped or refused for a moment.

A run retries a block only for these (nyc_taxi.mage.retries); anything else fails the run at once with its
message, since another attempt would fail the same way after the wait: a file the source does not have
(404/403), a bad file, a refused schema, a failed @test, a wrong password, a bug. The project's errors keep
their cause (`raise ... from error`), so the whole chain is looked at.
"""
from __future__ import annotations

from collections.abc import Iterator

# SQLSTATEs of a server going away or too busy: connection exceptions (class 08), shutdowns and a server
# still starting (57P01-57P03), serialization failures and deadlocks (40001, 40P01), too many connections.
_TRANSIENT_SQLSTATES = frozenset({'57P01', '57P02', '57P03', '40001', '40P01', '53300'})
# What libpq, pyarrow's GCS client and the HTTP clients say when the other end is not there (for errors
# that carry no code of their own).
_UNREACHABLE = ('server closed the connection', 'connection refused', 'could not connect', 'connection reset',
                'connection timed out', 'timeout expired', 'timed out', "couldn't connect", 'unavailable',
                'the database system is starting up', 'the database system is shutting down',
                'terminating connection', 'broken pipe', 'temporarily unavailable')
_REFUSED_LOGIN = ('authentication failed', 'no pg_hba.conf entry', 'does not exist', 'permission denied')


def is_transient(error: BaseException) -> bool:
    """Whether `error`, or any error it was raised from, is one a retry a little later may not meet."""
    return any(_transient_itself(link) for link in _chain(error))


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or (None if link.__suppress_context__ else link.__context__)


def _transient_itself(error: BaseException) -> bool:
    sqlstate = getattr(error, 'pgcode', None) or getattr(error, 'sqlstate', None)
    if sqlstate:
        return sqlstate.startswith('08') or sqlstate in _TRANSIENT_SQLSTATES
    message = str(error).lower()
    if any(words in message for words in _REFUSED_LOGIN):
        return False
    kind = type(error)
    module = kind.__module__
    if module.startswith('psycopg2') and kind.__name__ in ('OperationalError', 'InterfaceError'):
        return True  # no SQLSTATE: the connection itself failed or was lost
    if module.startswith(('google.api_core', 'google.cloud')):
        return kind.__name__ in ('ServiceUnavailable', 'InternalServerError', 'BadGateway', 'GatewayTimeout',
                                 'TooManyRequests', 'DeadlineExceeded', 'RetryError')
    if module.startswith('google.auth') and kind.__name__ == 'TransportError':
        return True
    if module.startswith(('requests', 'urllib3')) and any(name in kind.__name__ for name in ('Connection', 'Timeout')):
        return True
    if isinstance(error, (ConnectionError, TimeoutError)):
        return True
    # pyarrow's GCS filesystem raises plain OSErrors, saying the endpoint was not there.
    return type(error) is OSError and any(words in message for words in _UNREACHABLE)

"""Which version of a source file a server holds, from its validators: asked before a download
(nyc_taxi.sources.download.probe), kept with a load.

The TLC's CloudFront, the release's object store and the local file server (python's http.server) answer HEAD
with Content-Length and Last-Modified; the first two add an ETag. A file republished with corrections changes its
ETag, or its Last-Modified and usually its length: a month loaded from one version is stale once the server holds
another (nyc_taxi.targets.month_state).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class SourceVersion:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    content_length: int | None = None

    @classmethod
    def from_headers(cls, url: str, headers: Mapping[str, str]) -> SourceVersion:
        length = headers.get('Content-Length')
        # A body sent compressed on the wire has no length of the file's own.
        if headers.get('Content-Encoding') not in (None, '', 'identity'):
            length = None
        return cls(url=url, etag=headers.get('ETag') or None, last_modified=headers.get('Last-Modified') or None,
                   content_length=int(length) if length and length.isdigit() else None)

    @property
    def known(self) -> bool:
        """Whether the server said enough to tell one version of the file from another."""
        return self.etag is not None or self.last_modified is not None

    def same_file(self, other: SourceVersion) -> bool:
        """The same file at the same URL: the same ETag where both have one, else the same Last-Modified and
        length. Unknown versions are never the same: without a validator a month is loaded again."""
        if self.url != other.url or not (self.known and other.known):
            return False
        if self.etag is not None and other.etag is not None:
            return self.etag == other.etag
        return (self.last_modified, self.content_length) == (other.last_modified, other.content_length)

    def describe(self) -> str:
        if self.etag is not None:
            return f'ETag {self.etag}'
        if self.last_modified is not None:
            size = f', {self.content_length:,} bytes' if self.content_length is not None else ''
            return f'Last-Modified {self.last_modified}{size}'
        return 'no validator'

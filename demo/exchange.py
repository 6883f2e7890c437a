"""What a behaviour sees of a request and what it answers: frozen values, no socket.

Behaviours (``demo/behaviours/``) are pure functions from an :class:`Exchange` to a
:class:`Reply` (or ``None``: not mine, ask the next one), so that each CMS family's server-side
quirk is a small module that never touches HTTP plumbing; the handler (``demo/handler.py``)
turns the reply into bytes on the wire, with the ETag/304 logic and the counters in one place.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from importlib.abc import Traversable
from typing import Any
from urllib.parse import parse_qsl

from demo.manifest import SAMPLES_ROOT


@dataclass
class SiteRuntime:
    """One served site: its manifest entry, its address and what it has served."""

    spec: dict[str, Any]
    host: str
    samples: Traversable = SAMPLES_ROOT  # where its documents and report bodies come from
    port: int = 0
    server: ThreadingHTTPServer | None = None
    counts: Counter[str] = field(default_factory=Counter)
    bytes_sent: Counter[str] = field(default_factory=Counter)
    failed_once: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    max_in_flight: int = 0  # most requests served at once: politeness is measurable
    times: list[float] = field(default_factory=list)  # monotonic time of each request served

    @property
    def key(self) -> str:
        return str(self.spec["key"])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def count(self, path: str, sent: int) -> None:
        with self.lock:
            self.counts[path] += 1
            self.bytes_sent[path] += sent
            self.times.append(time.monotonic())


@dataclass(frozen=True)
class Exchange:
    """One request as behaviours see it."""

    site: SiteRuntime
    urls: dict[str, str]  # site key -> base URL of every served site, for {{site:KEY}}
    method: str
    path: str
    query: str
    form: dict[str, str]  # the decoded body of a POST form, else empty
    headers: dict[str, str]

    @property
    def spec(self) -> dict[str, Any]:
        return self.site.spec

    @property
    def params(self) -> dict[str, str]:
        return dict(parse_qsl(self.query, keep_blank_values=True))


@dataclass(frozen=True)
class Reply:
    """An answer. ``cacheable`` replies (status 200) carry ETag and Last-Modified and turn into
    a 304 when the client already holds them. A ``stream`` reply sends ``length`` bytes made on
    the fly (the decoy), counts what actually went out and closes the connection."""

    status: int
    body: bytes = b""
    content_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)
    cacheable: bool = True
    stream: Callable[[], Iterator[bytes]] | None = None
    length: int = 0


def html(body: str, status: int = 200, cacheable: bool = True) -> Reply:
    return Reply(status, body.encode("utf-8"), "text/html; charset=utf-8", cacheable=cacheable)


NOT_FOUND = Reply(404, b"<html><body><h1>404 Not Found</h1></body></html>", cacheable=False)

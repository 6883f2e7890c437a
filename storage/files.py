"""The content-addressed store of raw documents (article pages and attachments).

Why content addressing: the same PDF is often linked from a district portal and from the city
portal that republishes it, and a weekly recrawl sees the same files again; keyed by the
sha256 of the bytes, each document is kept exactly once, and a stored version of a report
can always name the exact bytes it was parsed from (``yingji reparse`` reads them back).

Layout under the store root::

    ab/cd/abcd…(64 hex)          the bytes, written once, atomically (temp file + rename)
    urls/ef/ef…(64 hex).json     what a URL served last time (sha256, name, ETag, Last-Modified)

The original file name of a download (from ``Content-Disposition`` or the link text) is
metadata only: it never takes part in a path, so a name like ``../../x`` cannot escape the
store. The URL index lets a later crawl send a conditional request and skip the body when the
server says nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from email.message import Message
from email.utils import collapse_rfc2231_value
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One blob in the store. ``path`` is relative to the store root (portable across hosts)."""

    sha256: str
    path: str
    size: int


@dataclass(frozen=True, slots=True)
class UrlEntry:
    """What a URL served the last time it was downloaded (for conditional recrawls)."""

    url: str
    sha256: str
    size: int
    name: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched: float | None = None  # when the server last sent or confirmed these bytes (UNIX time)


def relative_path(sha256: str) -> str:
    """``ab/cd/<sha256>``: two levels of fan-out keep directories small on big crawls."""
    if not _HEX64.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


class FileStore:
    """A directory of blobs named by their sha256; safe for several processes at once."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        return self.root / relative_path(sha256)

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def put(self, data: bytes) -> StoredFile:
        """Store ``data`` (idempotent: the same bytes are written once)."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_of(sha)
        if not target.is_file():
            _atomic_write(target, data)
        return StoredFile(sha256=sha, path=relative_path(sha), size=len(data))

    def read(self, sha256: str) -> bytes:
        try:
            return self.path_of(sha256).read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(
                f"document {sha256} is not in the file store {self.root}: was the store moved? "
                "set YINGJI_FILES_STORE to where the files are"
            ) from None

    # --- URL index -----------------------------------------------------------------------
    def _url_path(self, url: str) -> Path:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.root / "urls" / key[:2] / f"{key}.json"

    def remember_url(self, entry: UrlEntry) -> None:
        _atomic_write(
            self._url_path(entry.url), json.dumps(asdict(entry), ensure_ascii=False).encode()
        )

    def lookup_url(self, url: str) -> UrlEntry | None:
        """The last download of ``url`` whose bytes are still in the store, else ``None``."""
        try:
            raw = json.loads(self._url_path(url).read_text("utf-8"))
            entry = UrlEntry(**raw)
        except (OSError, ValueError, TypeError):
            return None
        return entry if self.has(entry.sha256) else None


def _atomic_write(target: Path, data: bytes) -> None:
    """Write via a temp file in the same directory and rename, so no reader sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- original file names (metadata only) ---------------------------------------------------
def _header_text(raw: bytes | str) -> str:
    """Header bytes as text: servers send UTF-8, GBK or Latin-1 raw in ``filename=``."""
    if isinstance(raw, str):
        return raw
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _clean_name(name: str | None) -> str | None:
    """Percent-decode (sites URL-encode names in ``filename=``), drop directories and blanks."""
    if not name:
        return None
    name = name.strip().strip('"').strip()
    if re.search(r"%[0-9A-Fa-f]{2}", name):
        name = (
            unquote(name, encoding="utf-8", errors="strict")
            if _utf8_quoted(name)
            else unquote(name, encoding="gb18030", errors="replace")
        )
    name = re.split(r"[\\/]", name)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name or None


def _utf8_quoted(name: str) -> bool:
    try:
        unquote(name, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def filename_from_content_disposition(value: bytes | str | None) -> str | None:
    """The file name a ``Content-Disposition`` header gives, RFC 5987 ``filename*`` first.

    The standard library's e-mail header parser already implements RFC 2231/5987
    (``filename*=UTF-8''%E5%B9%B4…``), so it does the decoding.
    """
    if not value:
        return None
    msg = Message()
    msg["content-disposition"] = _header_text(value)
    try:
        params = msg.get_params(header="content-disposition") or []
    except (ValueError, LookupError):
        return None
    plain: str | None = None
    for key, val in params:
        if key.lower() != "filename":
            continue
        if isinstance(val, tuple):  # the RFC 5987 ``filename*`` form: it wins
            try:
                return _clean_name(collapse_rfc2231_value(val))
            except (LookupError, ValueError):
                continue
        plain = plain or val
    return _clean_name(plain)


def filename_from_url(url: str) -> str | None:
    """A name from the URL: a ``filename=``/``name=`` query parameter, else the last segment."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    for key in ("filename", "fileName", "name", "file"):
        if query.get(key):
            return _clean_name(query[key][0])
    last = PurePosixPath(unquote(parts.path)).name
    return _clean_name(last)


def original_filename(
    content_disposition: bytes | str | None, link_text: str | None, url: str
) -> str | None:
    """The best original name: the server's header, else the link text, else the URL."""
    return (
        filename_from_content_disposition(content_disposition)
        or _clean_name(link_text)
        or filename_from_url(url)
    )

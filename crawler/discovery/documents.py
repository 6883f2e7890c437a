"""Document links: which URLs are files to download, which are never worth a request."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

DOCUMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "rtf")
ARCHIVE_EXTENSIONS = (
    "zip",
    "rar",
    "7z",
    "gz",
    "tar",
    "exe",
    "apk",
    "iso",
    "mp4",
    "avi",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "bmp",
    "mp3",
    "flv",
    "wmv",
    "swf",
    "dmg",
    "msi",
)
_EXT_RE = re.compile(r"\.([a-z0-9]{1,5})$", re.I)


def _ext(name: str) -> str | None:
    m = _EXT_RE.search(name)
    return m.group(1).lower() if m else None


def is_document_url(url: str) -> str | None:
    """The document type a link points to (pdf, doc …), from its path or its query string.

    Download endpoints name the file only in the query (``downfile.jsp?classid=0&filename=
    3a2d….doc``), so query values count too.
    """
    parts = urlsplit(url)
    ext = _ext(unquote(parts.path))
    if ext in DOCUMENT_EXTENSIONS:
        return ext
    for _, value in parse_qsl(parts.query, keep_blank_values=True):
        ext = _ext(unquote(value))
        if ext in DOCUMENT_EXTENSIONS:
            return ext
    return None


def is_skippable_url(url: str) -> bool:
    """Links the spider must never fetch as a page: archives, media, other schemes."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return True
    ext = _ext(unquote(parts.path))
    return ext in ARCHIVE_EXTENSIONS


#: Query parameters by which a viewer (pdf.js, an office viewer) names the file it shows.
VIEWER_PARAMS = frozenset({"file", "url", "src", "path", "fileurl", "pdf", "doc"})


def unwrap_document_url(url: str) -> str:
    """The document itself behind a viewer URL (``…/pdfjs/web/viewer.html?file=/upload/x.pdf``),
    or ``url`` unchanged. Only a parameter holding a path or URL counts: a download endpoint's
    bare file name (``downfile.jsp?filename=3a2d.doc``) is served by the endpoint itself."""
    parts = urlsplit(url)
    if _ext(unquote(parts.path)) in DOCUMENT_EXTENSIONS:
        return url
    for key, value in parse_qsl(parts.query):
        value = unquote(value).strip()
        if key.lower() in VIEWER_PARAMS and "/" in value and _ext(value) in DOCUMENT_EXTENSIONS:
            return urljoin(url, value)
    return url

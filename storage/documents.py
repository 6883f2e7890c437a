"""The raw-document aggregate: ``documents`` (one row per content hash, its latest parse) and
``document_urls`` (every place it was found).

The bytes live in the file store (storage/files.py); these rows say what they are and where
they came from, which is what ``yingji reparse`` needs to parse them again without a network.
Every function takes the open write transaction, so one item's documents, their statuses and
its reports are one transaction (see ingest/storing.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func

from models import Document, DocumentUrl
from models.vocabulary import Outcome
from storage import pgwrite, runs, statements
from yingji_parser.vocabulary import ParseStatus

#: what a report version can be (a failed parse is only a document status)
VERSION_STATUSES = frozenset(s.value for s in ParseStatus if s is not ParseStatus.FAILED)
DOCUMENT_STATUSES = frozenset(s.value for s in ParseStatus)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A stored raw document, as ``yingji reparse`` needs it (no network)."""

    sha256: str
    path: str | None
    doc_type: str | None
    size: int | None
    original_name: str | None
    content_type: str | None
    parse_status: str | None
    parse_error: str | None
    parser_version: str | None
    urls: list[str] = field(default_factory=list)
    region: str | None = None  # the region of the first site it was found on
    site_name: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class LatestParse:
    """A document's latest parse: it replaces the one recorded before (see :func:`set_status`)."""

    status: str
    error: str | None
    parser_version: str | None


def ensure(
    conn: Connection,
    sha256: str,
    doc_type: str | None,
    url: str | None,
    region: str | None,
    when: datetime,
    *,
    parse: LatestParse | None = None,
    **meta: Any,
) -> None:
    """The document's row, created or completed: metadata already known is kept; ``parse``,
    when given, replaces the latest parse. One statement either way (an item's store path
    registers each document once, see ingest/storing.py)."""
    if url and conn.dialect.name == "postgresql":  # the row and its URL in one statement
        _add_postgres(conn, sha256, doc_type, url, region, when, parse, meta, None, None)
        return
    latest: dict[str, Any] = {}
    if parse is not None:
        check_status(parse.status)
        latest = {
            "parse_status": parse.status,
            "parse_error": parse.error,
            "parser_version": parse.parser_version,
            "parsed_at": when,
        }
    stmt = statements.cached(
        conn, ("document", tuple(meta), tuple(latest)), lambda d: _upsert(d, meta, latest)
    )
    values = {"sha256": sha256, "doc_type": doc_type, "first_seen": when, "last_seen": when}
    conn.execute(stmt, {**values, **meta, **latest})
    if url:
        add_url(conn, sha256, url, region, when)


def _upsert(dialect: str, meta: Iterable[str], latest: Iterable[str]) -> Any:
    """The document's upsert: known metadata is kept, ``latest`` replaced (built once a shape)."""
    ins = statements.dialect_insert(dialect, Document)
    fill: dict[str, Any] = {
        name: func.coalesce(getattr(ins.excluded, name), getattr(Document, name))
        for name in ("doc_type", *meta)
    }
    fill.update({name: getattr(ins.excluded, name) for name in latest})
    fill["last_seen"] = statements.later(dialect, ins.excluded.last_seen, Document.last_seen)
    return ins.on_conflict_do_update(index_elements=["sha256"], set_=fill)


def add_url(
    conn: Connection,
    sha256: str,
    url: str,
    region: str | None,
    when: datetime,
    site_name: str | None = None,
    title: str | None = None,
) -> None:
    """Where the document was found; seen again, only ``last_seen`` moves."""
    values = {"sha256": sha256, "url": url, "region": region, "site_name": site_name}
    conn.execute(
        statements.cached(conn, "document_url", _url_upsert),
        {**values, "title": title, "first_seen": when, "last_seen": when},
    )


def _url_upsert(dialect: str) -> Any:
    ins = statements.dialect_insert(dialect, DocumentUrl)
    keep = {n: func.coalesce(getattr(DocumentUrl, n), getattr(ins.excluded, n))
            for n in ("region", "site_name", "title")}  # fmt: skip
    return ins.on_conflict_do_update(
        index_elements=["sha256", "url"], set_={"last_seen": ins.excluded.last_seen, **keep}
    )


def add(
    conn: Connection,
    sha256: str,
    *,
    when: datetime,
    doc_type: str | None = None,
    size: int | None = None,
    path: str | None = None,
    original_name: str | None = None,
    content_type: str | None = None,
    url: str | None = None,
    region: str | None = None,
    site_name: str | None = None,
    title: str | None = None,
    parse: LatestParse | None = None,
) -> None:
    """Record a downloaded raw document (metadata only) and where it was found.

    Idempotent: seen again, it gains the URL and a later ``last_seen``; metadata already known
    is kept. ``path`` is relative to the files store; ``original_name`` is metadata, never a path.
    ``parse``: its latest parse too, in the same statement (what set_status records).
    """
    meta = {
        "size": size,
        "path": path,
        "original_name": original_name,
        "content_type": content_type,
    }
    if url and conn.dialect.name == "postgresql":  # the row and its URL in one statement
        _add_postgres(conn, sha256, doc_type, url, region, when, parse, meta, site_name, title)
        return
    ensure(conn, sha256, doc_type, None, region, when, parse=parse, **meta)
    if url:
        add_url(conn, sha256, url, region, when, site_name, title)


def _add_postgres(
    conn: Connection,
    sha256: str,
    doc_type: str | None,
    url: str,
    region: str | None,
    when: datetime,
    parse: LatestParse | None,
    meta: dict[str, Any],
    site_name: str | None,
    title: str | None,
) -> None:
    if parse is not None:
        check_status(parse.status)
    latest = None if parse is None else (parse.status, parse.error, parse.parser_version)
    pgwrite.add_document(
        conn,
        sha256,
        when=when,
        meta={"doc_type": doc_type, **meta},
        url=url,
        region=region,
        site_name=site_name,
        title=title,
        parse=latest,
    )


def check_status(status: str) -> None:
    if status not in DOCUMENT_STATUSES:
        raise ValueError(f"unknown document status {status!r}: one of {sorted(DOCUMENT_STATUSES)}")


def set_status(
    conn: Connection,
    sha256: str,
    status: str,
    error: str | None,
    parser_version: str | None,
    *,
    when: datetime,
    run_id: int | None = None,
) -> None:
    """The document's latest parse: status, the reason if it failed, the parser version (what
    ``yingji reparse`` selects on). ``failed`` with ``run_id`` counts one failure in that run."""
    ensure(conn, sha256, None, None, None, when, parse=LatestParse(status, error, parser_version))
    if status == Outcome.FAILED:
        runs.count(conn, run_id, Outcome.FAILED)

"""Read models: what ``yingji runs``, ``yingji reparse`` and the run health checks read.

Each function takes a read-only ORM session (Store.read runs it, retried on transient errors)
and returns frozen dataclasses, never ORM objects, so nothing outlives its session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Agency,
    AgencyAlias,
    CrawlRun,
    Division,
    Document,
    DocumentUrl,
    Report,
    ReportSource,
    ReportVersion,
    RunSite,
)
from storage.documents import DocumentInfo


@dataclass(frozen=True, slots=True)
class SiteResult:
    run_id: int
    site_name: str | None
    site_url: str
    region: str | None
    status: str
    reports_found: int
    inserted: int
    noop: int
    new_versions: int
    failed: int
    error: str | None
    detail: dict[str, Any] | None = None  # what was tried and refused (storage/runtable.py)


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    started_at: datetime
    finished_at: datetime | None
    shard: str | None
    seeds_count: int | None
    status: str
    note: str | None
    inserted: int
    noop: int
    new_versions: int
    failed: int
    alive_at: datetime | None = None  # a running crawl's last sign of life (storage/runs.py)


def documents(
    conn: Session,
    *,
    exclude_parser_version: str | None = None,
    statuses: frozenset[str] | set[str] | None = None,
    agency: str | None = None,
    year: int | None = None,
) -> list[DocumentInfo]:
    """Every stored raw document, oldest first (see Store.iter_documents)."""
    stmt = _selected(conn, exclude_parser_version, statuses, agency, year)
    docs = conn.execute(stmt).scalars().all()
    urls: dict[str, list[DocumentUrl]] = {}
    for u in conn.scalars(select(DocumentUrl).order_by(DocumentUrl.first_seen, DocumentUrl.id)):
        urls.setdefault(u.sha256, []).append(u)
    return [_info(d, urls.get(d.sha256, [])) for d in docs]


def document_urls(
    conn: Session,
    *,
    exclude_parser_version: str | None = None,
    agency: str | None = None,
    year: int | None = None,
) -> list[tuple[str, list[str]]]:
    """The sha256 and URLs of the documents :func:`documents` selects, in its order: all that
    grouping them needs (``yingji reparse`` reads the rest a window at a time, documents_of)."""
    stmt = _selected(conn, exclude_parser_version, None, agency, year)
    shas = list(conn.scalars(stmt.with_only_columns(Document.sha256)))
    chosen = stmt.with_only_columns(Document.sha256).order_by(None)
    urls: dict[str, list[str]] = {}
    rows = conn.execute(
        select(DocumentUrl.sha256, DocumentUrl.url)
        .where(DocumentUrl.sha256.in_(chosen))
        .order_by(DocumentUrl.first_seen, DocumentUrl.id)
    )
    for sha, url in rows:
        urls.setdefault(sha, []).append(url)
    return [(sha, urls.pop(sha, [])) for sha in shas]


def documents_of(conn: Session, shas: list[str]) -> list[DocumentInfo]:
    """These documents, in this order, as :func:`documents` reads them (one that is gone is
    left out)."""
    docs = {d.sha256: d for d in conn.scalars(select(Document).where(Document.sha256.in_(shas)))}
    urls: dict[str, list[DocumentUrl]] = {}
    found = select(DocumentUrl).where(DocumentUrl.sha256.in_(shas))
    for u in conn.scalars(found.order_by(DocumentUrl.first_seen, DocumentUrl.id)):
        urls.setdefault(u.sha256, []).append(u)
    return [_info(docs[sha], urls.get(sha, [])) for sha in shas if sha in docs]


def _selected(
    conn: Session,
    exclude_parser_version: str | None,
    statuses: frozenset[str] | set[str] | None,
    agency: str | None,
    year: int | None,
) -> Any:
    """The documents a re-parse selects, oldest first."""
    stmt = select(Document).order_by(Document.first_seen, Document.sha256)
    if exclude_parser_version is not None:
        stmt = stmt.where(
            (Document.parser_version.is_(None))
            | (Document.parser_version != exclude_parser_version)
        )
    if statuses:
        stmt = stmt.where(Document.parse_status.in_(sorted(statuses)))
    if agency is not None or year is not None:
        sub = select(ReportVersion.raw_sha256).join(Report, Report.id == ReportVersion.report_id)
        if year is not None:
            sub = sub.where(Report.year == year)
        if agency is not None:
            sub = sub.where(Report.agency_id.in_(sorted(agency_ids(conn, agency))))
        stmt = stmt.where(Document.sha256.in_(sub))
    return stmt


def _info(d: Document, found: list[DocumentUrl]) -> DocumentInfo:
    first = next((u for u in found if u.region), found[0] if found else None)
    return DocumentInfo(
        sha256=d.sha256,
        path=d.path,
        doc_type=d.doc_type,
        size=d.size,
        original_name=d.original_name,
        content_type=d.content_type,
        parse_status=d.parse_status,
        parse_error=d.parse_error,
        parser_version=d.parser_version,
        urls=[u.url for u in found],
        region=first.region if first else None,
        site_name=first.site_name if first else None,
        title=next((u.title for u in found if u.title), None),
    )


def agency_ids(conn: Session, name: str) -> set[int]:
    """The stored agencies ``name`` means, however it is spelt — as storing resolves it.

    洛阳市孟津区应急管理局, 孟津区应急管理局 and 孟津县安全生产监督管理局 are one agency: a name
    is matched by its identity (division and kind, storage/identity.py), by a spelling seen
    before (``agency_aliases``) or by the canonical name. A name whose place resolves only with
    a region (孟津县, renamed 孟津区 since) is tried against the divisions of the stored
    agencies, as the crawler's region would resolve it.
    """
    from storage.identity import agency_identity, normalise_name

    spelt = normalise_name(name)
    identity = agency_identity(spelt)
    found = set(
        conn.scalars(
            select(Agency.id).where(
                (Agency.key == identity.key) | Agency.name.in_({spelt, identity.name})
            )
        )
    )
    found |= set(conn.scalars(select(AgencyAlias.agency_id).where(AgencyAlias.name == spelt)))
    if found or identity.division is not None:
        return found
    known = conn.execute(
        select(Agency.id, Agency.key, Division.full_name).join(
            Division, Division.code == Agency.division_code
        )
    ).all()
    for agency_id, key, region in known:
        if agency_identity(spelt, region).key == key:
            found.add(agency_id)
    return found


def run(conn: Session, run_id: int) -> RunInfo | None:
    """One run, or None if there is no run with that id."""
    r = conn.execute(select(CrawlRun).where(CrawlRun.id == run_id)).scalar_one_or_none()
    return _run_info(r) if r is not None else None


def recent_runs(conn: Session, limit: int = 10) -> list[RunInfo]:
    """The latest runs, newest first."""
    rows = conn.execute(
        select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(limit)
    ).scalars()
    return [_run_info(r) for r in rows]


def run_sites(conn: Session, run_id: int) -> list[SiteResult]:
    rows = conn.execute(
        select(RunSite).where(RunSite.run_id == run_id).order_by(RunSite.id)
    ).scalars()
    return [_site_result(s) for s in rows]


def site_history(
    conn: Session, site_url: str, *, before_run_id: int | None = None, limit: int = 5
) -> list[SiteResult]:
    """A site's results in earlier runs, newest first."""
    stmt = select(RunSite).where(RunSite.site_url == site_url)
    if before_run_id is not None:
        stmt = stmt.where(RunSite.run_id < before_run_id)
    rows = conn.execute(stmt.order_by(RunSite.run_id.desc()).limit(limit)).scalars()
    return [_site_result(s) for s in rows]


def crawled_urls(conn: Session) -> set[str]:
    """The distinct site URLs of every run and URLs of every report source."""
    sites = conn.scalars(select(RunSite.site_url).distinct())
    sources = conn.scalars(select(ReportSource.url).distinct())
    return {*sites, *sources}


def _run_info(r: CrawlRun) -> RunInfo:
    return RunInfo(
        id=r.id,
        started_at=r.started_at,
        finished_at=r.finished_at,
        shard=r.shard,
        seeds_count=r.seeds_count,
        status=r.status,
        note=r.note,
        inserted=r.inserted,
        noop=r.noop,
        new_versions=r.new_versions,
        failed=r.failed,
        alive_at=r.alive_at,
    )


def _site_result(s: RunSite) -> SiteResult:
    return SiteResult(
        run_id=s.run_id,
        site_name=s.site_name,
        site_url=s.site_url,
        region=s.region,
        status=s.status,
        reports_found=s.reports_found,
        inserted=s.inserted,
        noop=s.noop,
        new_versions=s.new_versions,
        failed=s.failed,
        error=s.error,
        detail=s.detail,
    )

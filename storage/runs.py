"""The crawl-run aggregate: a run (``crawl_runs``) and its per-site results (``run_sites``).

Write functions take the open write transaction (a ``Connection``) so that a run's counters
move in the same transaction as the report or document that moved them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, update

from models import CrawlRun, RunSite
from models.vocabulary import Outcome, SiteStatus
from storage.statements import dialect_insert

SITE_STATUSES = frozenset(s.value for s in SiteStatus)


def start(
    conn: Connection,
    *,
    when: datetime,
    shard: str | None,
    seeds_count: int | None,
    note: str | None,
) -> int:
    """Open a crawl run (status ``running``) and return its id."""
    return int(
        conn.execute(
            dialect_insert(conn.dialect.name, CrawlRun)
            .values(
                started_at=when,
                shard=shard,
                seeds_count=seeds_count,
                note=note,
                status="running",
                inserted=0,
                noop=0,
                new_versions=0,
                failed=0,
            )
            .returning(CrawlRun.id)
        ).scalar_one()
    )


def count(conn: Connection, run_id: int | None, outcome: Outcome | str) -> None:
    """One more ``outcome`` in run ``run_id`` (nothing without a run)."""
    if run_id is None:
        return
    column = Outcome(outcome).counter
    conn.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id)
        .values({column: getattr(CrawlRun, column) + 1})
    )


def record_site(
    conn: Connection, run_id: int, site_url: str, status: str, **values: object
) -> None:
    """One site's result in a run; recorded again in the same run it is replaced (a resumed
    crawl finishes a site once)."""
    if status not in SITE_STATUSES:
        raise ValueError(f"unknown site status {status!r}: one of {sorted(SITE_STATUSES)}")
    row = {**values, "status": status, "recorded_at": datetime.now(UTC)}
    ins = dialect_insert(conn.dialect.name, RunSite).values(run_id=run_id, site_url=site_url, **row)
    conn.execute(ins.on_conflict_do_update(index_elements=["run_id", "site_url"], set_=row))


def finish(conn: Connection, run_id: int, *, status: str, when: datetime) -> None:
    """Close a run with its final status (finished / failed / interrupted …)."""
    conn.execute(
        update(CrawlRun).where(CrawlRun.id == run_id).values(status=status, finished_at=when)
    )

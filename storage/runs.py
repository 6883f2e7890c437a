"""The crawl-run aggregate: a run (``crawl_runs``) and its per-site results (``run_sites``).

Write functions take the open write transaction (a ``Connection``) so that a run's counters
move in the same transaction as the report or document that moved them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, select, update

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
                alive_at=when,
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


#: how far a run's stored start may be from the start a job directory noted for it (the
#: database keeps microseconds, or less): within it, it is the same run
SAME_START = timedelta(seconds=1)


def reopen(conn: Connection, run_id: int, started_at: datetime, when: datetime) -> bool:
    """Continue run ``run_id`` in a crawl resumed after a kill: ``running`` again, unfinished,
    "resumed …" added to its note. Only a run that began at ``started_at`` (as the job
    directory noted it: the same run, not one of another database) and did not finish; False
    when there is none, and nothing changes."""
    row = conn.execute(
        select(CrawlRun.started_at, CrawlRun.status, CrawlRun.note).where(CrawlRun.id == run_id)
    ).one_or_none()
    if row is None or row.status == "finished":
        return False
    began = row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=UTC)
    if abs(began - started_at) > SAME_START:
        return False
    note = f"{row.note or ''}; resumed {when.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}".lstrip("; ")
    conn.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id)
        .values(status="running", finished_at=None, note=note, alive_at=when)
    )
    return True


#: how often a running crawl says it is alive (crawler/heartbeat.py), and how long a run may
#: stay quiet before it reads as interrupted: ten beats missed is no slow moment of a crawl
HEARTBEAT = timedelta(minutes=1)
QUIET_LIMIT = 10 * HEARTBEAT


def alive(conn: Connection, run_id: int, when: datetime) -> None:
    """The running crawl of run ``run_id`` is alive at ``when`` (nothing once it ended)."""
    conn.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id, CrawlRun.status == "running")
        .values(alive_at=when)
    )


def gone_quiet(status: str, alive_at: datetime | None, now: datetime) -> bool:
    """Whether a run reading ``running`` has a crawl no longer alive: killed and not resumed
    (yet). Decided by the heartbeat, which every machine of a cluster writes to the shared
    database; a run of a yingji without it (``alive_at`` NULL) cannot be told, and stays."""
    return status == "running" and alive_at is not None and now - alive_at > QUIET_LIMIT


def resumes(note: str | None) -> int:
    """How many times a run was continued by a resumed crawl (:func:`reopen` notes each)."""
    return (note or "").count("resumed ")

"""Crawl runs and what each site gave in a run: the record that makes a silent empty run visible."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the running crawl's last sign of life (crawler/heartbeat.py): a run gone quiet was killed
    alive_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shard: Mapped[str | None] = mapped_column(String(20))  # "K/N" for a sharded crawl
    seeds_count: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running/finished/failed/…
    note: Mapped[str | None] = mapped_column(Text)  # e.g. host, job id, what was run
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    noop: Mapped[int] = mapped_column(Integer, default=0)
    new_versions: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class RunSite(Base):
    """One site's result in one run; recording a site twice in a run replaces the row."""

    __tablename__ = "run_sites"
    __table_args__ = (UniqueConstraint("run_id", "site_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    site_name: Mapped[str | None] = mapped_column(String(200))
    site_url: Mapped[str] = mapped_column(String(2000))
    region: Mapped[str | None] = mapped_column(String(200))
    # reports_found / none_found / blocked / unreachable / parse_failed
    status: Mapped[str] = mapped_column(String(20))
    reports_found: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    noop: Mapped[int] = mapped_column(Integer, default=0)
    new_versions: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # what the crawler tried there (columns, years, fallbacks) and the requests it refused
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

"""Reports, their append-only versions, the URLs they were found at and their cells.

One report per (agency, year). A version is added only when the content changes; exactly one
version of a report is current (a partial unique index enforces it on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("agency_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportVersion(Base):
    __tablename__ = "report_versions"
    __table_args__ = (
        UniqueConstraint("report_id", "version"),
        Index(
            "ix_report_versions_one_current",
            "report_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, … per report
    is_current: Mapped[bool] = mapped_column(Boolean)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)  # the parsed record, without warnings
    content_hash: Mapped[str] = mapped_column(String(64))  # see storage/store.py content_hash()
    agency_name: Mapped[str | None] = mapped_column(String(300))  # as the record spells it
    region: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str | None] = mapped_column(String(10))
    raw_sha256: Mapped[str] = mapped_column(ForeignKey("documents.sha256"), index=True)
    raw_type: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # parsed / partial / needs_ocr / unstructured
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    parser_version: Mapped[str | None] = mapped_column(String(50))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


class ReportSource(Base):
    """Every URL a version was found at (a city portal republishing a district report adds one)."""

    __tablename__ = "report_sources"
    __table_args__ = (UniqueConstraint("version_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportCell(Base):
    """One number of tables 二/三/四, so that SQL can sum and compare without parsing JSON.

    ``row_key``/``column_key`` are the record's keys (applications.new.total -> row ``new``,
    column ``total``); a single-valued row of section 二 (licensing, fees …) has column ``value``.
    ``value`` is NULL where the document left the cell blank.
    """

    __tablename__ = "report_cells"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_versions.id", ondelete="CASCADE"), primary_key=True
    )
    section: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    column_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[float | None] = mapped_column(Numeric(20, 4, asdecimal=False))

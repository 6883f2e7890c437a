"""Raw documents as downloaded: metadata only, the bytes live in the content-addressed file store.

Every document the crawler kept is a row here, whether or not it parsed, so that ``yingji
reparse`` finds all of them without network and a broken file keeps its reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class Document(Base):
    __tablename__ = "documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    doc_type: Mapped[str | None] = mapped_column(String(20))  # pdf / docx / doc / html / …
    size: Mapped[int | None] = mapped_column(BigInteger)
    original_name: Mapped[str | None] = mapped_column(String(500))  # metadata, never a path
    content_type: Mapped[str | None] = mapped_column(String(200))
    path: Mapped[str | None] = mapped_column(String(500))  # relative to the files store
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # latest parse: parsed / partial / failed / needs_ocr / unstructured (None: never parsed)
    parse_status: Mapped[str | None] = mapped_column(String(20), index=True)
    parse_error: Mapped[str | None] = mapped_column(Text)
    parser_version: Mapped[str | None] = mapped_column(String(50))
    parsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DocumentUrl(Base):
    """Where a document was found, with the site it was found on (the region completes names)."""

    __tablename__ = "document_urls"
    __table_args__ = (UniqueConstraint("sha256", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("documents.sha256", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(200))
    site_name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text)  # the listing's title, a hint for reparse
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

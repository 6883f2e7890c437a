"""Storing one item's parse: its documents, their statuses and its report(s), in one transaction.

What it does for one item, in one write transaction (retried whole on transient errors):

- every downloaded document is registered (metadata, where it was found, its latest parse
  status and reason) — so a broken file keeps its reason and ``yingji reparse`` finds it;
- the chosen record is completed (ingest/completion.py) and stored with its agency's region
  and every source URL, and so is each further report the page carried (``parsed["others"]``);
- a failure is recorded on the document to blame, counted once in the run.

Everything that can be derived without the database (completion, the agency's identity —
resolved once per report —, the content hash, whether the record is storable at all) is
derived before the transaction opens, so the transaction only writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ingest.completion import (
    COMPLETED_CODE,
    complete_record,
    document_status,
    fill_from_title,
    report_place,
)
from ingest.types import Found, Stored
from models.vocabulary import Outcome
from storage import documents, reports
from storage.content import now
from storage.reports import PreparedReport, UnstorableRecord
from storage.store import Store


@dataclass(frozen=True, slots=True)
class _Plan:
    """One report to store (``prepared`` and its sources) or a failure to record."""

    prepared: PreparedReport | None
    primary: str | None
    others: tuple[str, ...]
    blame: str | None  # sha256 of the document a failure is recorded on
    reason: str | None
    parser_version: str | None


def store_parsed(
    store: Store, parsed: dict[str, Any], docs: list[dict[str, Any]], found: Found
) -> Stored:
    """Store one item's parse; returns ``(outcome, reason)`` with outcome insert / noop /
    new_version / failed (reason set for failed). More reports the page carried
    (``parsed["others"]``) are stored too, each getting its own ``outcome`` and ``error``."""
    if parsed.get("status") == Outcome.FAILED or not parsed.get("record"):
        reason = parsed.get("error") or "no report found"
        main = _failure(parsed, docs, reason)
        extra: list[_Plan] = []
    else:
        main = _plan(parsed, docs, found)
        extra = [_plan(other, docs, found) for other in parsed.get("others") or []]
    when = now(None)

    def txn(conn: Connection) -> list[Stored]:
        _register(conn, parsed, docs, found, when)
        return [_execute(conn, plan, found.run_id, when) for plan in (main, *extra)]

    results, _ = store.write(txn)
    stored_others = (parsed.get("others") or []) if extra else []
    for other, result in zip(stored_others, results[1:], strict=True):
        other["outcome"], other["error"] = result
    return results[0]


def _register(
    conn: Connection,
    parsed: dict[str, Any],
    docs: list[dict[str, Any]],
    found: Found,
    when: datetime,
) -> None:
    """Every downloaded document, where it was found, and its latest parse."""
    candidates = {c.get("sha256"): c for c in parsed.get("candidates") or [] if c.get("sha256")}
    for doc in docs:
        if "sha256" not in doc:
            continue
        cand = candidates.get(doc["sha256"], {})
        documents.add(
            conn,
            doc["sha256"],
            when=when,
            doc_type=cand.get("doc_type"),
            size=doc.get("size"),
            path=doc.get("path"),
            original_name=doc.get("name"),
            content_type=doc.get("content_type"),
            url=doc.get("url"),
            region=found.region,
            site_name=found.site_name,
            title=found.title,
        )
        if cand:
            status, reason = document_status(cand)
            documents.set_status(
                conn, doc["sha256"], status, reason, cand.get("parser_version"), when=when
            )


def _plan(parsed: dict[str, Any], docs: list[dict[str, Any]], found: Found) -> _Plan:
    """Complete one chosen record and prepare it with all its sources."""
    source = parsed.get("source") or {}
    warnings = list(parsed.get("warnings") or [])
    record, hint = fill_from_title(parsed["record"], found.title)
    if hint is not None:
        was = parsed["record"]
        resolved = {f"{k}_missing" for k in ("title", "agency", "year") if not was.get(k)}
        resolved -= {f"{k}_missing" for k in ("title", "agency", "year") if not record.get(k)}
        warnings = [w for w in warnings if w.get("code") not in resolved] + [hint]
    record, warning = complete_record(record, found.region)
    if warning is not None:
        warnings = [w for w in warnings if w.get("code") != COMPLETED_CODE] + [warning]
    primary = source.get("url") or (parsed.get("sources") or [None])[0]
    region, identity = report_place(record.get("agency"), found.region)
    try:
        prepared = reports.prepare(
            record,
            region=region,
            raw_sha256=source["sha256"],
            raw_type=parsed.get("doc_type") or "unknown",
            status=parsed["status"],
            warnings=warnings,
            parser_version=parsed.get("parser_version") or "",
            identity=identity if region else None,  # resolved once, unless region is the record's
        )
    except UnstorableRecord as exc:
        return _failure(parsed, docs, f"not storable: {exc}")
    others = tuple(url for url in parsed.get("sources") or [] if url != primary)
    return _Plan(prepared, primary, others, None, None, parsed.get("parser_version"))


def _failure(parsed: dict[str, Any], docs: list[dict[str, Any]], reason: str) -> _Plan:
    """The failure, on the document to blame: the source, or, when that one never
    downloaded, the item's page, which carries the reason instead."""
    source = parsed.get("source") or {}
    blame = source if source.get("sha256") else next((d for d in docs if "sha256" in d), {})
    return _Plan(None, None, (), blame.get("sha256"), reason, parsed.get("parser_version"))


def _execute(conn: Connection, plan: _Plan, run_id: int | None, when: datetime) -> Stored:
    if plan.prepared is None:
        if plan.blame:
            documents.set_status(
                conn,
                plan.blame,
                "failed",
                plan.reason,
                plan.parser_version,
                when=when,
                run_id=run_id,
            )
        return Stored(Outcome.FAILED, plan.reason)
    outcome = reports.store(conn, plan.prepared, plan.primary, when, run_id)  # type: ignore[arg-type]
    for url in plan.others:  # the same content again: adds the URL as a source of that version
        reports.store(conn, plan.prepared, url, when, None)
    return Stored(outcome.action)

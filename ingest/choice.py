"""Which document of an item is its report: the choice among a page and its attachments.

When a report is both the article body and an attachment, the better parse is kept (see
:func:`rank`) and every document that gave the same report is recorded as a source. A document
that does not parse is a failure with its reason. An article body that only says "详见附件"
parses to no numbers: it is not taken for a report; neither is another department's report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ingest.types import Candidate, Choice, ParseAttempt, StoredDocument
from storage.content import TABLE_SECTIONS
from storage.identity import kind_of
from yingji_parser.metadata import split_title

STATUS_RANK = {"parsed": 4, "partial": 3, "unstructured": 2, "needs_ocr": 1, "failed": 0}
MIN_UNSTRUCTURED_CHARS = 200  # a pre-2019 free-form report has text; "详见附件" has not


def count_cells(record: dict[str, Any] | None) -> int:
    """How many numbers of tables 二/三/四 a record holds (``None`` cells do not count).

    A loop over a stack rather than a recursive walk: a choice counts every candidate's cells
    a few times, and the recursion (a generator per node) cost a re-parse more than the
    store's statements did."""
    if not record:
        return 0
    stack: list[Any] = [record.get(k) for k in TABLE_SECTIONS]
    n = 0
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            n += 1
    return n


def other_agency(result: dict[str, Any]) -> str | None:
    """The agency a parse names when it is not an emergency management bureau (a page that
    bundles every department's report has the 财政局's next to the 应急管理局's), else None."""
    agency = (result.get("record") or {}).get("agency")
    if not isinstance(agency, str) or not agency.strip() or agency.startswith(("本", "我")):
        return None  # no name, or "本局": the listing's title decides
    return None if kind_of(agency) else agency


def is_report(result: dict[str, Any], cells: int | None = None) -> bool:
    """Whether a parse found a bureau's report, not just a page that points at one.
    ``cells``: its :func:`count_cells`, when the caller has counted them already."""
    if other_agency(result):
        return False
    status = result.get("status")
    if status in ("parsed", "partial"):
        return (count_cells(result.get("record")) if cells is None else cells) > 0
    if status == "unstructured":
        text = (result.get("record") or {}).get("unstructured_text") or ""
        return len(text.strip()) >= MIN_UNSTRUCTURED_CHARS
    return status == "needs_ocr"  # a scanned report is a report we cannot read yet


def rank(result: dict[str, Any], year: int | None = None) -> tuple[int, int, int, int, int]:
    """Sort key, best last: a report over a non-report, the listing's ``year`` over another,
    then status, more cells, fewer warnings."""
    return (
        int(is_report(result)),
        int(year is None or (result.get("record") or {}).get("year") in (year, None)),
        STATUS_RANK.get(str(result.get("status")), 0),
        count_cells(result.get("record")),
        -len(result.get("warnings") or []),
    )


def _same_report(a: dict[str, Any] | None, b: dict[str, Any]) -> bool:
    ra, rb = (a or {}).get("record") or {}, b.get("record") or {}
    if ra.get("year") != rb.get("year"):
        return False
    return not (ra.get("agency") and rb.get("agency") and ra["agency"] != rb["agency"])


Pair = tuple[StoredDocument, ParseAttempt]


def choose(item_url: str, candidates: Sequence[Pair], title: str | None = None) -> Choice:
    """Pick the item's report from ``(document, attempt)`` pairs; the value of ``item.parsed``.

    ``attempt`` is :func:`ingest.parsing.parse_stored`'s answer; ``title`` the listing's title,
    whose year is preferred when the documents hold reports of several years. The Choice holds
    the chosen result, its ``source`` document, its ``sources`` (the article URL and every
    document that gave the same report) and ``candidates`` (what each document gave, for the
    run record). Without any report its ``result`` is None and ``error`` says why. A report of
    another department is not the bureau's report.
    """
    summary = tuple(_summary(doc, att) for doc, att in candidates)
    parsed = [(doc, att.result) for doc, att in candidates if att.result is not None]
    reports = [
        (doc, att.result)
        for (doc, att), cand in zip(candidates, summary, strict=True)
        if att.result is not None and cand.report  # is_report, judged once in the summary
    ]
    if reports:
        year = _title_year(title)
        chosen = _pick(item_url, reports, year)
        # the page may carry reports of other years too (a bureau posting several at once):
        # each is a report of its own, kept rather than lost
        rest = [
            (d, r)
            for d, r in reports
            if not _same_report(chosen.result, r) and (r.get("record") or {}).get("year")
        ]
        others = []
        while rest:
            other = _pick(item_url, rest, None, with_page=False)
            others.append(other)
            rest = [(d, r) for d, r in rest if not _same_report(other.result, r)]
        return Choice(chosen.result, chosen.source, chosen.sources, summary, tuple(others))
    return Choice(
        None,
        _failure_source(candidates) if candidates else None,
        (item_url,),
        summary,
        error=_failure_reason(candidates),
        parser_version=next((r.get("parser_version") for _, r in parsed), None),
    )


def _pick(
    item_url: str,
    reports: list[tuple[StoredDocument, dict[str, Any]]],
    year: int | None,
    with_page: bool = True,
) -> Choice:
    """The best of ``reports`` and every document that gave the same report as its sources
    (the article page first, when the report is the one the listing is about)."""
    if len(reports) == 1:  # the usual case: nothing to rank
        best_doc, best = reports[0]
    else:
        best_doc, best = max(reports, key=lambda pair: rank(pair[1], year))
    sources = [item_url] if with_page else []
    for doc, res in reports:
        if _same_report(best, res) and doc.url not in sources:
            sources.append(doc.url)
    return Choice(best, best_doc, tuple(sources))


def _title_year(title: str | None) -> int | None:
    if not title:
        return None
    return split_title(title)[1]


def _summary(doc: StoredDocument, att: ParseAttempt) -> Candidate:
    res = att.result or {}
    cells = count_cells(res.get("record"))
    return Candidate(
        url=doc.url,
        kind=doc.kind,
        sha256=doc.sha256,
        doc_type=res.get("doc_type"),
        parser_version=res.get("parser_version"),
        report=bool(res) and is_report(res, cells),
        status=res.get("status", "failed"),
        cells=cells,
        warnings=len(res.get("warnings") or []),
        error=att.error or res.get("error"),
    )


def _failure_source(candidates: Sequence[Pair]) -> StoredDocument:
    """The document a failure is best blamed on: an attachment over the article page."""
    for doc, _ in reversed(candidates):
        if doc.kind != "article":
            return doc
    return candidates[0][0]


def _failure_reason(candidates: Sequence[Pair]) -> str:
    if not candidates:
        return "no document to parse"
    reasons = []
    for doc, att in candidates:
        res = att.result
        if res is not None and other_agency(res):
            why = f"a report of {other_agency(res)}, not of an emergency management bureau"
        elif res is not None:
            why = res.get("error") or (
                "the page holds no report tables (a pointer to attachments?)"
                if doc.kind == "article"
                else f"no report found (status {res.get('status')})"
            )
        else:
            why = att.error or "unknown error"
        reasons.append(f"{doc.name or doc.url}: {why}")
    return "; ".join(reasons)

"""The per-site table of a crawl run, one layout for the end of a crawl and ``yingji runs``.

Why shared: the table a crawl prints when it ends (crawler/runrecord.py) and the one
``yingji runs`` prints later describe the same rows; with one function they have the same
columns and the same status words (``reports found``, ``failed to parse``: the labels of
models.vocabulary.SiteStatus). The note (why a site gave nothing: the host that did not answer,
the block page) is the last column and is never cut, so a long note cannot lose the host name.
Wide (Chinese) characters count twice, so the columns line up in a terminal.

The note also says what the crawler tried and chose not to do, from the site's ``detail``
(``run_sites.detail``, written by crawler/sitestate.py ``SiteState.detail``): for a site with
none found, the columns, years and fallbacks tried ("tried 3 columns (2 years: 2023, 2024),
sitemap (0 links), search (no form)"), so that "no report published" reads differently from
"not found"; for any site, the requests refused and why ("refused 3: private address 2,
off-site 1").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from models.vocabulary import SiteStatus

HEADERS = ("site", "status", "reports", "insert", "noop", "new", "failed", "note")


@dataclass(frozen=True, slots=True)
class SiteLine:
    """One row of the table: the site's name (or URL), its status label and its counts."""

    site: str
    status: str
    reports: int
    insert: int
    noop: int
    new: int
    failed: int
    note: str | None = None
    detail: Mapping[str, Any] | None = None  # what was tried and refused (see the module doc)

    def cells(self) -> tuple[str, ...]:
        counts = (self.reports, self.insert, self.noop, self.new, self.failed)
        note = site_note(self.status, self.note, self.detail)
        return (self.site, self.status, *(str(n) for n in counts), note)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _years(years: list[int]) -> str:
    if len(years) > 4 and years == list(range(years[0], years[-1] + 1)):
        return f"{len(years)} years: {years[0]}–{years[-1]}"
    return f"{_plural(len(years), 'year')}: " + ", ".join(map(str, years))


def _fallback(name: str, f: Mapping[str, Any]) -> str:
    if f.get("note"):
        return f"{name} ({f['note']})"
    if not f.get("fetched"):
        return f"{name} (none)"
    return f"{name} ({_plural(int(f.get('links', 0)), 'link')})"


def tried_note(detail: Mapping[str, Any]) -> str:
    """What discovery tried at a site: columns (and the years among them), then each fallback."""
    columns = int(detail.get("columns") or 0)
    parts = [f"tried {_plural(columns, 'column')}" if columns else "tried no column"]
    if detail.get("years_walked"):
        parts[0] += f" ({_years(sorted(detail['years_walked']))})"
    fallbacks = detail.get("fallbacks") or {}
    parts += [_fallback(name, f) for name, f in fallbacks.items()]
    if not fallbacks:
        parts.append("no fallback asked")
    return ", ".join(parts)


def refused_note(detail: Mapping[str, Any]) -> str | None:
    """The requests not sent, by reason, most first; None when none was refused."""
    refused: Mapping[str, int] = detail.get("refused") or {}
    total = sum(refused.values())
    if not total:
        return None
    reasons = sorted(refused.items(), key=lambda kv: (-kv[1], kv[0]))
    return f"refused {total}: " + ", ".join(f"{reason} {n}" for reason, n in reasons)


def site_note(status: str, note: str | None, detail: Mapping[str, Any] | None) -> str:
    """The note column: what was tried (a site with none found), the refusals, then the note
    itself (the first error), on one line and whole."""
    parts = []
    if detail is not None:
        if status == SiteStatus.NONE_FOUND.label:
            parts.append(tried_note(detail))
        parts.append(refused_note(detail) or "")
    parts.append(note or "")
    return "; ".join(" ".join(p.split()) for p in parts if p.strip())


def status_label(code: str) -> str:
    """The label of a stored status code (``parse_failed`` -> ``failed to parse``); a label or
    an unknown code is shown as it is, underscores as spaces."""
    try:
        return SiteStatus(code).label
    except ValueError:
        return code.replace("_", " ")


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, to: int) -> str:
    return text + " " * (to - width(text))


def site_table(lines: Iterable[SiteLine]) -> str:
    """The table, header and rule first; every row's note in full."""
    rows = [HEADERS, *(line.cells() for line in lines)]
    widths = [max(width(row[i]) for row in rows) for i in range(len(HEADERS))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)

"""The per-site table of a crawl run, one layout for the end of a crawl and ``yingji runs``.

Why shared: the table a crawl prints when it ends (crawler/runrecord.py) and the one
``yingji runs`` prints later describe the same rows; with one function they have the same
columns and the same status words (``reports found``, ``failed to parse``: the labels of
models.vocabulary.SiteStatus). The note (why a site gave nothing: the host that did not answer,
the block page) is the last column and is never cut, so a long note cannot lose the host name.
Wide (Chinese) characters count twice, so the columns line up in a terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

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

    def cells(self) -> tuple[str, ...]:
        counts = (self.reports, self.insert, self.noop, self.new, self.failed)
        note = " ".join((self.note or "").split())  # one line, whole
        return (self.site, self.status, *(str(n) for n in counts), note)


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

"""What ``yingji serve`` tells Datasette: descriptions (docs/database.md), queries, facets.

Why generated from the document: docs/database.md is where every table, view and column is
explained for people reading the repository; the browser shows the same words, so the two can
never say different things (tests/yingji/test_serve.py checks that every column of a migrated
database has its description). The document gives each table and view a ``### `name` ``
heading followed by a ``| column | meaning |`` table; a first cell may name several columns.

The canned queries answer the questions analysts ask first; each is plain SQL over the views,
so it can be copied out of the browser and run anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# docs/ sits beside the packages in the repository (an editable install, a clone)
DATABASE_DOC = Path(__file__).resolve().parents[2] / "docs" / "database.md"

_HEADING = re.compile(r"^###\s+`(?P<name>[a-z_]+)`\s*$")
_CODE = re.compile(r"`([a-z_][a-z0-9_]*)`")


@dataclass(frozen=True)
class TableDoc:
    """One table or view as docs/database.md describes it."""

    name: str
    description: str
    columns: dict[str, str] = field(default_factory=dict)


def _plain(markdown: str) -> str:
    """Table-cell markdown as plain text (Datasette shows descriptions as text)."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown)
    return text.replace("`", "").replace("**", "").strip()


def parse_database_doc(text: str) -> dict[str, TableDoc]:
    """Every ``### `name` `` section: its first paragraph and its column table."""
    docs: dict[str, TableDoc] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _HEADING.match(lines[i])
        i += 1
        if not match:
            continue
        paragraph: list[str] = []
        columns: dict[str, str] = {}
        while i < len(lines) and not lines[i].startswith("#"):
            line = lines[i].strip()
            i += 1
            if line.startswith("|"):
                cells = [c.strip() for c in line.strip("|").split("|")]
                if len(cells) < 2 or set(cells[0]) <= {"-", " "} or cells[0] == "column":
                    continue
                for name in _CODE.findall(cells[0]):
                    columns[name] = _plain(" | ".join(cells[1:]))
            elif line and not columns and not line.startswith(("-", "```")):
                paragraph.append(line)
            elif not line and paragraph and not columns:
                paragraph.append("\n")
        description = " ".join(paragraph).split("\n")[0].strip()
        docs[match["name"]] = TableDoc(match["name"], _plain(description), columns)
    return docs


def load_database_doc(path: Path = DATABASE_DOC) -> dict[str, TableDoc]:
    """The descriptions, or none when yingji runs without its repository's docs/."""
    try:
        return parse_database_doc(path.read_text("utf-8"))
    except OSError:
        return {}


# a measure is named as an export CSV column: section.row[.column]; single numbers have no column
MEASURE_SQL = (
    "section || '.' || row_key || CASE WHEN column_key = 'value' THEN '' ELSE '.' || column_key END"
)
# a report matches an agency parameter by any spelling it was seen under (agency_aliases)
AGENCY_MATCH = (
    "agency_id IN (SELECT id FROM agencies WHERE name LIKE '%' || :agency || '%' "
    "UNION SELECT agency_id FROM agency_aliases WHERE name LIKE '%' || :agency || '%')"
)
LATEST_SITES = (
    "SELECT * FROM run_sites WHERE id IN (SELECT MAX(id) FROM run_sites GROUP BY site_url)"
)
# per site (its latest run) and reporting year: what the database holds
COVERAGE_SQL = f"""
WITH sites AS ({LATEST_SITES}),
years(year) AS (SELECT DISTINCT year FROM reports),
found AS (
  SELECT du.site_name, r.year, COUNT(DISTINCT r.id) AS n
  FROM reports r
  JOIN report_versions v ON v.report_id = r.id
  JOIN report_sources rs ON rs.version_id = v.id
  JOIN document_urls du ON du.url = rs.url
  GROUP BY du.site_name, r.year
)
SELECT s.site_name AS site, s.region, y.year,
  CASE WHEN f.n IS NOT NULL THEN 'found'
       WHEN s.status = 'reports_found' THEN 'none found'
       ELSE replace(s.status, '_', ' ') END AS outcome,
  COALESCE(f.n, 0) AS reports, s.error AS note, s.site_url
FROM sites s CROSS JOIN years y
LEFT JOIN found f ON f.site_name = s.site_name AND f.year = y.year
ORDER BY s.region, s.site_name, y.year
"""

QUERIES: dict[str, dict[str, str]] = {
    "agency_over_years": {
        "title": "One bureau over the years",
        "description": "Every current report of one agency (any spelling, part of the name is "
        "enough), with the numbers a reader looks at first.",
        "sql": f"""SELECT cr.year, cr.agency, cr.status, cr.version, cr.report_id,
  (SELECT value FROM report_cells c WHERE c.version_id = cr.version_id
     AND section = 'active_disclosure' AND row_key = 'licensing') AS licensing,
  (SELECT value FROM report_cells c WHERE c.version_id = cr.version_id
     AND section = 'active_disclosure' AND row_key = 'penalty') AS penalty,
  (SELECT value FROM report_cells c WHERE c.version_id = cr.version_id
     AND section = 'applications' AND row_key = 'new' AND column_key = 'total') AS applications,
  cr.raw_sha256
FROM current_reports cr WHERE cr.{AGENCY_MATCH} ORDER BY cr.year""",
    },
    "city_in_year": {
        "title": "All bureaus of a city in a year",
        "description": "Every current report of one year whose region (or division) names the "
        "city, e.g. 洛阳 and 2023.",
        "sql": """SELECT agency, region, division_code, year, status, version, report_id, raw_sha256
FROM current_reports
WHERE year = CAST(:year AS INTEGER)
  AND (region LIKE '%' || :city || '%'
       OR division_code IN (SELECT code FROM divisions WHERE full_name LIKE '%' || :city || '%'))
ORDER BY region, agency""",
    },
    "failed_checks": {
        "title": "Reports whose consistency checks fail",
        "description": "Current reports with a check_failed warning (勾稽关系): the message "
        "gives both sides' numbers. The numbers are as published, never fixed.",
        "sql": """SELECT cr.agency, cr.year, json_extract(w.value, '$.where') AS place,
  json_extract(w.value, '$.message') AS message, cr.report_id, cr.raw_sha256
FROM current_reports cr
JOIN report_versions v ON v.id = cr.version_id, json_each(v.warnings) w
WHERE json_extract(w.value, '$.code') = 'check_failed'
ORDER BY cr.year, cr.agency""",
    },
    "sites_without_reports": {
        "title": "Sites that found nothing",
        "description": "Sites whose latest crawl stored no report: none found, blocked, "
        "unreachable, robots denied or failed to parse, with the reason.",
        "sql": f"""SELECT site_name, region, replace(status, '_', ' ') AS status, error, site_url,
  recorded_at, run_id
FROM ({LATEST_SITES}) WHERE status <> 'reports_found' ORDER BY status, region""",
    },
    "coverage": {
        "title": "Coverage: per site and year",
        "description": "found / none found / blocked / unreachable / failed, per site (its "
        "latest crawl) and reporting year. As a grid: /-/coverage.",
        "sql": COVERAGE_SQL.strip(),
    },
    "measure_over_years": {
        "title": "One measure over the years",
        "description": "One number of one agency per year, e.g. agency 孟津 and measure "
        "applications.new.total or active_disclosure.licensing (named like the export's CSV "
        "columns). As a chart: /-/chart.",
        "sql": f"""SELECT year, agency, value, report_id FROM current_report_cells
WHERE report_id IN (SELECT report_id FROM current_reports WHERE {AGENCY_MATCH})
  AND {MEASURE_SQL} = :measure
ORDER BY year""",
    },
    "report": {
        "title": "One report: versions, sources and raw documents",
        "description": "Every version of a report with the URLs it was found at and the raw "
        "document it was parsed from.",
        "sql": """SELECT v.version, v.is_current, a.name AS agency, r.year, v.status,
  rs.url AS source, v.raw_sha256, v.first_seen, v.last_seen, v.superseded_at
FROM report_versions v JOIN reports r ON r.id = v.report_id
JOIN agencies a ON a.id = r.agency_id
LEFT JOIN report_sources rs ON rs.version_id = v.id
WHERE r.id = CAST(:report_id AS INTEGER) ORDER BY v.version DESC, rs.id""",
    },
}

FACETS: dict[str, list[str]] = {
    "current_reports": ["year", "region", "status"],
    "current_report_cells": ["year", "region", "section"],
    "current_applications": ["year", "region", "row_key"],
    "report_versions": ["status", "is_current"],
    "documents": ["parse_status", "doc_type"],
    "run_sites": ["status", "run_id"],
    "crawl_runs": ["status"],
}

INDEX_HTML = """<p>The annual disclosure reports of emergency management bureaus, as yingji
stored them. Start with <a href="/-/coverage">coverage</a> (where data is missing), the
<a href="/-/chart">chart of one measure</a>, or the canned queries of the database.</p>"""


def build_metadata(database: str, docs: dict[str, TableDoc] | None = None) -> dict[str, Any]:
    """Datasette metadata for the database named ``database`` (its file stem)."""
    docs = load_database_doc() if docs is None else docs
    tables: dict[str, Any] = {}
    for name, doc in docs.items():
        tables[name] = {"description": doc.description, "columns": dict(doc.columns)}
    for name, facets in FACETS.items():
        tables.setdefault(name, {})["facets"] = facets
    tables.setdefault("current_reports", {})["sort"] = "year"
    return {
        "title": "yingji: disclosure reports of emergency management bureaus",
        "description_html": INDEX_HTML,
        "databases": {
            database: {
                "description": "Reports, their versions and cells, raw documents and crawl runs "
                "(docs/database.md). Read-only.",
                "tables": tables,
                # the SQL is one click away ("show"); the answer comes first
                "queries": {name: {**q, "hide_sql": True} for name, q in QUERIES.items()},
            }
        },
    }

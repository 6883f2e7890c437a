"""The Datasette plugin behind ``yingji serve``: coverage grid, chart, raw documents, links.

Why a plugin of our own: Datasette shows tables and query results; what it cannot know is that
a ``raw_sha256`` names a file in yingji's file store, that ``report_id`` in a view leads to the
report's versions and sources, or that "where is data missing" is a grid of sites by years. The
pages are plain server-side HTML (an SVG chart, no JavaScript), so they work offline.

Configured through the metadata's ``plugins.yingji``: ``database`` (the Datasette name of the
yingji database) and ``files`` (the raw-document store directory).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

from yingji.commands.browse_metadata import COVERAGE_SQL, MEASURE_SQL, QUERIES

NAME = "yingji"
VIEWS = {"current_reports", "current_report_cells", "current_applications"}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_MEASURE = "applications.new.total"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "text": "text/plain; charset=utf-8",
}


def _config(datasette: Any) -> dict[str, str]:
    return datasette.plugin_config(NAME) or {}


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """Raw documents and reports become links; rows of real tables keep Datasette's own links."""
    if database != _config(datasette).get("database") or table not in (None, *VIEWS):
        return None
    base = datasette.urls.database(database)
    if column == "raw_sha256" and isinstance(value, str) and _HEX64.match(value):
        return Markup(
            f'<a href="/-/raw/{value}">raw document</a> '
            f'(<a href="{base}/documents/{value}" title="{value}">{value[:10]}…</a>)'
        )
    if column == "report_id" and isinstance(value, int):
        return Markup(f'<a href="{base}/report?report_id={value}">report {value}</a>')
    return None


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/coverage$", coverage_page),
        (r"^/-/chart$", chart_page),
        (r"^/-/raw/(?P<sha256>[0-9a-f]{64})$", raw_document),
    ]


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    return [
        {"href": "/-/coverage", "label": "Coverage per site and year"},
        {"href": "/-/chart", "label": "Chart of one measure"},
    ]


def _db(datasette: Any) -> Any:
    return datasette.get_database(_config(datasette)["database"])


async def coverage_page(datasette: Any, request: Any) -> Response:
    """Sites down, reporting years across: found (n) / none found / blocked / … per cell."""
    rows = (await _db(datasette).execute(COVERAGE_SQL)).rows
    years = sorted({r["year"] for r in rows})
    sites: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for r in rows:
        site = sites.setdefault(
            r["site_url"], {"site": r["site"], "region": r["region"], "note": r["note"]}
        )
        site[r["year"]] = (r["outcome"], r["reports"])
    context = {
        "years": years,
        "sites": list(sites.values()),
        "database": _config(datasette)["database"],
        "query": QUERIES["coverage"],
    }
    html = await datasette.render_template("yingji_coverage.html", context, request=request)
    return Response.html(html)


async def chart_page(datasette: Any, request: Any) -> Response:
    """A bar chart (inline SVG) of one measure over the years for one agency."""
    db = _db(datasette)
    agencies = [
        r[0]
        for r in (
            await db.execute(
                "SELECT agency FROM current_reports GROUP BY agency ORDER BY COUNT(*) DESC, agency"
            )
        ).rows
    ]
    measures = [
        r[0]
        for r in (
            await db.execute(f"SELECT DISTINCT {MEASURE_SQL} AS m FROM report_cells ORDER BY m")
        ).rows
    ]
    asked = request.args.get("agency") or (agencies[0] if agencies else "")
    # any spelling the agency was seen under names it; the page shows the canonical name
    canonical = (
        await db.execute(
            "SELECT name FROM agencies WHERE name = :a UNION SELECT a.name FROM agencies a "
            "JOIN agency_aliases al ON al.agency_id = a.id WHERE al.name = :a LIMIT 1",
            {"a": asked},
        )
    ).rows
    agency = canonical[0][0] if canonical else asked
    measure = request.args.get("measure") or DEFAULT_MEASURE
    points = (
        await db.execute(
            f"SELECT year, value FROM current_report_cells WHERE agency = :agency "
            f"AND {MEASURE_SQL} = :measure ORDER BY year",
            {"agency": agency, "measure": measure},
        )
    ).rows
    query_url = datasette.urls.database(_config(datasette)["database"]) + (
        "/measure_over_years?" + urlencode({"agency": agency, "measure": measure})
    )
    context = {
        "agencies": agencies,
        "measures": measures,
        "agency": agency,
        "measure": measure,
        "chart": bar_chart([(r["year"], r["value"]) for r in points]),
        "points": points,
        "query_url": query_url,
    }
    html = await datasette.render_template("yingji_chart.html", context, request=request)
    return Response.html(html)


def bar_chart(
    points: list[tuple[int, float | None]], width: int = 640, height: int = 260
) -> Markup:
    """An SVG bar per year; a blank cell (NULL) is a gap labelled "blank", never a zero bar."""
    if not points:
        return Markup("<p>No value of this measure for this agency.</p>")
    top = max((float(v) for _, v in points if v is not None), default=0.0) or 1.0
    left, bottom, step = 40, 30, (width - 40) / len(points)
    parts = [
        f'<svg class="yingji-chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (year, value) in enumerate(points):
        x = left + i * step + step * 0.15
        w = step * 0.7
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{height - 10}" text-anchor="middle">{year}</text>'
        )
        if value is None:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{height - bottom - 4}" '
                'text-anchor="middle" fill="#888">blank</text>'
            )
            continue
        h = (height - bottom - 24) * float(value) / top
        y = height - bottom - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="#3b6ea8"><title>{year}: {value:g}</title></rect>'
        )
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{value:g}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


async def raw_document(datasette: Any, request: Any) -> Response:
    """The stored bytes of one raw document, named as the site named it.

    Served with ``Content-Security-Policy: sandbox``: an archived government page may carry
    scripts, which must not run on the origin of this database browser.
    """
    sha256 = request.url_vars["sha256"]
    rows = (
        await _db(datasette).execute(
            "SELECT path, doc_type, original_name, content_type FROM documents WHERE sha256 = ?",
            [sha256],
        )
    ).rows
    if not rows:
        return Response.text(f"no document {sha256} in this database", status=404)
    doc = rows[0]
    root = Path(_config(datasette)["files"]).resolve()
    path = (root / (doc["path"] or "")).resolve()
    if root not in path.parents or not path.is_file():
        return Response.text(f"document {sha256} is not in the file store {root}", status=404)
    name = doc["original_name"] or sha256
    headers = {
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}",
        "Content-Security-Policy": "sandbox",
        "X-Content-Type-Options": "nosniff",
    }
    content_type = CONTENT_TYPES.get(doc["doc_type"] or "", "application/octet-stream")
    return Response(path.read_bytes(), headers=headers, content_type=content_type)

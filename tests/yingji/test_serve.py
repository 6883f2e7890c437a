"""``yingji serve``: the database in Datasette, described by docs/database.md, read-only.

The metadata is checked against a freshly migrated database (so a new column without a
description fails here), the canned queries against the demo crawl's data, and the server over
real HTTP. The pages in a real browser: tests/system/test_serve_browser.py.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.yingji.served import YINGJI, clean_env, demo_database, get, serving
from yingji.commands.browse_metadata import QUERIES, build_metadata, parse_database_doc


def query(db: Path, name: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of canned query ``name`` run by SQLite itself, as Datasette runs it."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(QUERIES[name]["sql"], params)]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def server(demo_db: Path) -> Iterator[str]:
    with serving(demo_db) as base:
        yield base


def test_the_document_gives_each_heading_its_columns() -> None:
    doc = parse_database_doc(
        "### `things`\n\nOne row per thing.\n\n| column | meaning |\n| --- | --- |\n"
        "| `id` | key |\n| `first_seen`, `last_seen` | when it was seen (`UTC`) |\n\n## Next\n"
    )
    assert doc["things"].description == "One row per thing."
    assert doc["things"].columns == {
        "id": "key",
        "first_seen": "when it was seen (UTC)",
        "last_seen": "when it was seen (UTC)",
    }


def test_every_table_view_and_column_of_the_schema_is_described(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    proc = subprocess.run(
        [*YINGJI, "db", "upgrade", "--database", f"sqlite:///{db}"],
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    conn = sqlite3.connect(db)
    schema = {
        name: [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%'"
        )
    }
    conn.close()
    assert {"current_reports", "current_report_cells", "current_applications"} <= set(schema)
    tables = build_metadata("fresh")["databases"]["fresh"]["tables"]
    for name, columns in schema.items():
        assert tables.get(name, {}).get("description"), f"{name}: no description"
        missing = [c for c in columns if not tables[name].get("columns", {}).get(c)]
        assert not missing, f"{name}: columns without a description in docs/database.md: {missing}"


def test_one_bureau_over_the_years_by_any_part_of_its_name(demo_db: Path) -> None:
    rows = query(demo_db, "agency_over_years", agency="栾川")
    assert [(r["year"], r["agency"], r["licensing"], r["penalty"]) for r in rows] == [
        (2022, "栾川县应急管理局", 52, 124)
    ]
    assert query(demo_db, "agency_over_years", agency="不存在县") == []


def test_all_bureaus_of_a_city_in_a_year(demo_db: Path) -> None:
    agencies = {r["agency"] for r in query(demo_db, "city_in_year", city="洛阳", year="2023")}
    assert {"孟津区应急管理局", "新安县应急管理局"} <= agencies
    assert not any("平顶山" in a or "红旗区" in a for a in agencies)


def test_sites_that_found_nothing_name_their_reason(demo_db: Path) -> None:
    rows = query(demo_db, "sites_without_reports")
    status = {r["site_name"]: r["status"] for r in rows}
    assert status["汝阳县人民政府"] == "blocked"
    assert status["嵩县人民政府"] == "unreachable"
    assert status["洛宁县人民政府"] == "robots denied"
    assert "孟津区人民政府" not in status
    assert all(r["error"] for r in rows)


def test_coverage_has_a_cell_per_site_and_year(demo_db: Path) -> None:
    cells = {(r["site"], r["year"]): r["outcome"] for r in query(demo_db, "coverage")}
    assert cells[("栾川县人民政府", 2022)] == "found"
    assert cells[("栾川县人民政府", 2023)] == "none found"
    assert cells[("汝阳县人民政府", 2023)] == "blocked"
    # a city portal republishing a district's report covers that report too
    assert cells[("洛阳市人民政府", 2023)] == "found"
    sites = {s for s, _ in cells}
    years = {y for _, y in cells}
    assert len(cells) == len(sites) * len(years)


def test_a_measure_over_the_years(demo_db: Path) -> None:
    for measure, value in (("applications.new.total", 459), ("active_disclosure.licensing", 183)):
        rows = query(demo_db, "measure_over_years", agency="宜阳", measure=measure)
        assert [(r["year"], r["value"]) for r in rows] == [(2024, value)]


def test_reports_whose_checks_fail(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "checks.db"
    shutil.copy(demo_db, db)
    warning = {"code": "check_failed", "message": "new 5 + carried 1 != 7", "where": "三/total"}
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE report_versions SET warnings = ? WHERE id = "
            "(SELECT version_id FROM current_reports WHERE agency = '新安县应急管理局')",
            [json.dumps([{"code": "title_from_hint", "message": "", "where": ""}, warning])],
        )
    conn.close()
    rows = query(db, "failed_checks")
    assert [(r["agency"], r["place"], r["message"]) for r in rows] == [
        ("新安县应急管理局", "三/total", warning["message"])
    ]


def test_pages_describe_facet_and_link(server: str, demo_db: Path) -> None:
    name = demo_db.stem
    status, body, _ = get(f"{server}/{name}/current_reports")
    page = body.decode()
    assert status == 200
    assert "孟津区应急管理局" in page
    assert "reporting year (not the publication year)" in page  # a column description
    assert 'data-column="year"' in page and "facet-info" in page  # the year facet
    assert "/-/raw/" in page and f"/{name}/report?report_id=" in page
    status, body, _ = get(f"{server}/-/coverage")
    assert status == 200 and "found (1)" in body.decode() and "robots denied" in body.decode()
    status, body, _ = get(f"{server}/-/chart?agency={quote('宜阳县应急管理局')}")
    assert status == 200 and "<title>2024: 459</title>" in body.decode()


def test_raw_documents_are_served_as_stored(server: str, demo_db: Path) -> None:
    conn = sqlite3.connect(demo_db)
    (sha,) = conn.execute("SELECT sha256 FROM documents WHERE doc_type = 'pdf' LIMIT 1").fetchone()
    conn.close()
    status, body, headers = get(f"{server}/-/raw/{sha}")
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == sha
    assert headers["content-type"] == "application/pdf"
    assert headers["content-security-policy"] == "sandbox"
    assert get(f"{server}/-/raw/{'0' * 64}")[0] == 404


def test_the_database_cannot_be_written_through_the_browser(server: str, demo_db: Path) -> None:
    def count() -> int:
        conn = sqlite3.connect(demo_db)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0])
        finally:
            conn.close()

    before = count()
    for sql in ("DELETE FROM reports", "UPDATE reports SET year = 1900"):
        assert get(f"{server}/{demo_db.stem}.json?sql={quote(sql)}")[0] == 400
    assert count() == before > 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://yingji@127.0.0.1:1/yingji", "SQLite only"),
        ("sqlite:///{tmp}/nothing-here.db", "no such database"),
        ("sqlite:///{tmp}/notes.txt", "not a yingji database"),
    ],
)
def test_what_cannot_be_served_is_one_line_and_a_failure(
    tmp_path: Path, url: str, message: str
) -> None:
    (tmp_path / "notes.txt").write_text("not a database", "utf-8")
    proc = subprocess.run(
        [*YINGJI, "serve", "--database", url.format(tmp=tmp_path)],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "nothing-here.db").exists()

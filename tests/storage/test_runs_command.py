"""``yingji runs``: recent runs with the per-site table the crawl printed at its end."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Store
from storage.runtable import HEADERS
from tests.storage.helpers import kw, load_record
from yingji.cli import main

LONG_NOTE = (
    "unreachable: TCP connection timed out after 3 retries: 110: Connection timed out "
    "(while fetching the start page of the site, before any column was found) "
    "host www.very-long-subdomain.mengjin.luoyang.henan.gov.cn"
)


def test_runs_lists_recent_runs_with_their_sites(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(db_url) as store:
        pass
    assert main(["runs", "--database", db_url]) == 0
    assert capsys.readouterr().out == "no crawl runs recorded\n"
    with Store(db_url) as store:
        first = store.start_run(seeds_count=2)
        store.store_report(load_record(), **kw(run_id=first))
        store.record_site(
            first,
            site_url="http://www.luanchuan.gov.cn/",
            site_name="栾川县人民政府",
            region="河南省洛阳市栾川县",
            status="reports_found",
            reports_found=1,
            inserted=1,
        )
        store.record_site(first, site_url="http://blocked.example/", status="blocked", error="WAF")
        store.record_site(
            first, site_url="http://far.example/", status="unreachable", error=LONG_NOTE
        )
        store.record_site(first, site_url="http://bad.example/", status="parse_failed", failed=2)
        store.finish_run(first)
        second = store.start_run(shard="2/4")
    assert main(["runs", "--database", db_url]) == 0
    out = capsys.readouterr().out
    assert out.index(f"run {second} ") < out.index(f"run {first} ")  # newest first
    assert "shard 2/4" in out and "running" in out and "(no site recorded)" in out
    assert "insert 1  noop 0  new version 0  failed 0" in out
    header = next(line for line in out.splitlines() if line.strip().startswith("site "))
    assert header.split() == list(HEADERS)
    site_line = next(line for line in out.splitlines() if "栾川县人民政府" in line)
    assert site_line.split()[1:5] == ["reports", "found", "1", "1"]  # the crawl's status words
    assert "failed to parse" in out and "parse_failed" not in out
    assert any(line.rstrip().endswith(LONG_NOTE) for line in out.splitlines())  # never cut
    assert main(["runs", "--database", db_url, "--run", str(first)]) == 0
    assert f"run {second} " not in capsys.readouterr().out
    assert main(["runs", "--database", db_url, "--run", "999"]) == 2
    assert "no crawl run 999" in capsys.readouterr().err


def test_runs_of_a_database_that_does_not_exist_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.db"
    assert main(["runs", "--database", f"sqlite:///{missing}"]) == 2
    assert f"no database at {missing}" in capsys.readouterr().err
    assert not missing.exists()


def test_runs_shows_what_was_tried_at_a_site_with_none_found_and_what_was_refused(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    detail = {
        "pages": 7,
        "columns": 3,
        "column_urls": ["http://d/xxgk/", "http://d/xxgk/2023/", "http://d/xxgk/2024/"],
        "years_walked": [2023, 2024],
        "years_found": [],
        "fallbacks": {
            "sitemap": {"fetched": 0, "links": 0, "note": None},
            "search": {"fetched": 1, "links": 0, "note": None},
        },
        "refused": {"private address": 2, "off-site": 1},
    }
    with Store(db_url) as store:
        run = store.start_run(seeds_count=2)
        store.record_site(
            run, site_url="http://d/", site_name="丁区人民政府", status="none_found", detail=detail
        )
        store.record_site(run, site_url="http://old/", status="none_found")  # a row from before
        store.finish_run(run)
    assert main(["runs", "--database", db_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    tried = next(line for line in lines if "丁区人民政府" in line)
    assert tried.endswith(
        "none found  0        0       0     0    0       tried 3 columns (2 years: 2023, 2024),"
        " sitemap (none), search (0 links); refused 3: private address 2, off-site 1"
    )
    old = next(line for line in lines if "http://old/" in line)
    assert old.rstrip().endswith("none found  0        0       0     0    0")  # nothing to say


def test_runs_says_a_run_was_resumed_and_a_killed_run_is_interrupted(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from storage import runs

    began = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    with Store(db_url) as store:
        resumed = store.start_run(started_at=began, note="scrapy crawl yingji")
        store.write(lambda conn: runs.reopen(conn, resumed, began, began + timedelta(hours=1)))
        store.finish_run(resumed)
        killed = store.start_run(started_at=began + timedelta(hours=2))  # never resumed
    assert main(["runs", "--database", db_url]) == 0
    out = capsys.readouterr().out
    assert f"run {resumed} " in out and "finished, resumed 1× after a kill" in out
    assert "interrupted (no sign of life since 2026-03-02T10:00:00Z)" in out
    assert out.count("running") == 0
    with Store(db_url) as store:  # a crawl alive a moment ago is still running
        store.write(lambda conn: runs.alive(conn, killed, datetime.now(UTC)))
    assert main(["runs", "--database", db_url, "--run", str(killed)]) == 0
    assert "  running" in capsys.readouterr().out

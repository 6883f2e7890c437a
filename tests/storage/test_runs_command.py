"""``yingji runs``: recent runs with their per-site table."""

from __future__ import annotations

import pytest

from storage import Store
from tests.storage.helpers import kw, load_record
from yingji.cli import main


def test_runs_lists_recent_runs_with_their_sites(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
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
        store.record_site(
            first, site_url="http://blocked.example/", status="blocked", error="WAF page"
        )
        store.finish_run(first)
        second = store.start_run(shard="2/4")
    assert main(["runs", "--database", db_url]) == 0
    out = capsys.readouterr().out
    assert out.index(f"run {second} ") < out.index(f"run {first} ")  # newest first
    assert "shard 2/4" in out and "running" in out and "(no site recorded)" in out
    assert "insert 1  noop 0  new version 0  failed 0" in out
    site_line = next(line for line in out.splitlines() if "栾川县人民政府" in line)
    assert "reports_found" in site_line and "http://www.luanchuan.gov.cn/" in site_line
    assert "WAF page" in out
    assert main(["runs", "--database", db_url, "--run", str(first)]) == 0
    assert f"run {second} " not in capsys.readouterr().out
    assert main(["runs", "--database", db_url, "--run", "999"]) == 2
    assert "no crawl run 999" in capsys.readouterr().err

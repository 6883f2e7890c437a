"""Run regression checks (storage/health.py): silent sites and failure jumps are reported."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from storage import Store
from storage.health import (
    check_all_failed,
    check_run,
    check_sites,
    check_store_failed,
    failures_jumped,
)
from storage.queries import SiteResult
from tests.system.sitecrawl import run_crawl

URL = "http://127.0.0.1:1/"


def result(
    run_id: int, status: str, reports: int = 0, failed: int = 0, url: str = URL
) -> SiteResult:
    return SiteResult(
        run_id=run_id,
        site_name="孟津区人民政府",
        site_url=url,
        region="河南省洛阳市孟津区",
        status=status,
        reports_found=reports,
        inserted=0,
        noop=reports,
        new_versions=0,
        failed=failed,
        error=None,
    )


def test_failure_jump_is_above_three_and_above_twice_the_previous() -> None:
    assert not failures_jumped(3, 0)
    assert failures_jumped(4, 0)
    assert not failures_jumped(10, 5)
    assert failures_jumped(11, 5)


def test_a_site_that_had_reports_and_now_has_none_is_reported() -> None:
    alerts = check_sites([result(3, "none_found")], {URL: [result(2, "reports_found", 4)]})
    assert [a.kind for a in alerts] == ["went_silent"]
    assert "孟津区人民政府" in alerts[0].line() and "run 2" in alerts[0].message


def test_blocked_counts_as_silent_and_older_history_still_counts() -> None:
    history = {URL: [result(4, "blocked"), result(3, "reports_found", 2)]}
    assert [a.kind for a in check_sites([result(5, "blocked")], history)] == ["went_silent"]


def test_a_site_that_never_had_reports_or_still_has_them_is_quiet() -> None:
    assert check_sites([result(2, "none_found")], {URL: [result(1, "none_found")]}) == []
    assert (
        check_sites([result(2, "reports_found", 3)], {URL: [result(1, "reports_found", 4)]}) == []
    )
    assert check_sites([result(1, "none_found")], {}) == []  # a new site: nothing to compare


def test_failures_that_jump_at_a_site_are_reported() -> None:
    alerts = check_sites(
        [result(2, "reports_found", 1, failed=7)], {URL: [result(1, "reports_found", 1, failed=2)]}
    )
    assert [a.kind for a in alerts] == ["failures_jumped"]


def test_failures_that_jump_across_the_run_are_reported_once() -> None:
    urls = [f"http://127.0.0.{i}/" for i in range(2, 6)]
    now = [result(2, "reports_found", 1, failed=2, url=u) for u in urls]
    before = {u: [result(1, "reports_found", 1, failed=0, url=u)] for u in urls}
    alerts = check_sites(now, before)
    assert [a.kind for a in alerts] == ["failures_jumped"] and alerts[0].site_url is None


def test_check_run_reads_the_run_record_from_the_database(db_url: str) -> None:
    with Store(db_url) as store:
        first = store.start_run(seeds_count=2)
        store.record_site(first, site_url=URL, status="reports_found", reports_found=3, inserted=3)
        store.record_site(first, site_url=URL + "b", status="none_found")
        store.finish_run(first)
        second = store.start_run(seeds_count=2)
        store.record_site(second, site_url=URL, status="none_found")
        store.record_site(second, site_url=URL + "b", status="none_found")
        store.finish_run(second, status="interrupted")
        alerts = check_run(store, second)
        assert sorted(a.kind for a in alerts) == ["run_incomplete", "went_silent"]
        assert [a.site_url for a in alerts if a.kind == "went_silent"] == [URL]
        assert check_run(store, first) == []


def test_a_run_in_which_every_site_failed_is_unhealthy_without_history() -> None:
    urls = [f"http://127.0.0.{i}/" for i in range(2, 6)]
    statuses = ["unreachable", "blocked", "parse_failed", "store_failed"]
    now = [result(1, s, url=u) for s, u in zip(statuses, urls, strict=True)]
    alerts = check_all_failed(now)
    assert [a.kind for a in alerts] == ["all_failed"]
    line = alerts[0].line()
    assert line.startswith("HEALTH all_failed: every site of run 1 failed")
    assert "1 unreachable" in line and "1 failed to parse" in line and "1 blocked" in line
    assert [a.kind for a in check_sites(now, {})] == []  # the history rules see nothing


def test_a_site_whose_reports_could_not_be_stored_is_an_alert_of_its_own() -> None:
    failed = result(1, "store_failed", url="http://127.0.0.7/")
    now = [result(1, "reports_found", reports=2), failed]
    alerts = check_store_failed(now)
    assert [a.kind for a in alerts] == ["store_failed"]
    assert alerts[0].line().startswith("HEALTH store_failed: 孟津区人民政府")
    assert check_store_failed([result(1, "reports_found", reports=1)]) == []


@pytest.mark.parametrize("answered", ["reports_found", "none_found", "robots_denied"])
def test_one_site_that_answered_makes_the_run_not_all_failed(answered: str) -> None:
    now = [result(1, "unreachable"), result(1, answered, url="http://127.0.0.9/")]
    assert check_all_failed(now) == []
    assert check_all_failed([]) == []  # no site recorded: nothing to judge by this rule


def test_a_first_run_whose_sites_were_all_unreachable_is_unhealthy(db_url: str) -> None:
    with Store(db_url) as store:
        run = store.start_run(seeds_count=2)
        store.record_site(run, site_url=URL, status="unreachable", error="connection refused")
        store.record_site(run, site_url=URL + "b", status="blocked", error="captcha")
        store.finish_run(run)
        assert [a.kind for a in check_run(store, run)] == ["all_failed"]


def _refused_port() -> int:
    """A loopback port nobody listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_yingji_crawl_of_unreachable_sites_only_exits_3_with_a_health_line(
    tmp_path: Path,
) -> None:
    seeds = tmp_path / "seeds.csv"
    rows = [
        f"孟津区人民政府,河南省洛阳市孟津区,http://127.0.0.{i}:{_refused_port()}/" for i in (2, 3)
    ]
    seeds.write_text("name,region,url\n" + "\n".join(rows) + "\n", encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'yingji.db'}"
    done = run_crawl(seeds, database, tmp_path, settings={"RETRY_TIMES": "0"})
    assert done.returncode == 3, done.stdout[-2000:] + done.stderr[-2000:]
    assert "HEALTH all_failed: every site of run 1 failed (2 unreachable)" in done.stdout

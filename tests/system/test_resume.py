"""Resume after SIGKILL with the real spider and pipelines (crawler/resume.py end to end).

A real ``yingji crawl --jobdir`` of the bundled sites, slowed by a download delay, is killed
with SIGKILL once some but not all reports are stored, then started again with the same job
directory. Its database must equal that of an uninterrupted crawl of the same sites: every
report, version and cell, nothing lost and nothing twice. And it is one crawl in the run
record too: one run, finished, whose per-site statuses and report counts are those of the
uninterrupted crawl — a site done before the kill is not "none found" (crawler/runresume.py).
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from demo.server import Sites, serve_sites
from storage import Store
from storage.queries import RunInfo
from tests.system.sitecrawl import count, crawl_command, run_crawl, snapshot

SLOW = {"DOWNLOAD_DELAY": "0.25", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}


def _versions(database: str) -> int:
    try:
        return count(database, "report_versions")
    except OperationalError:  # the crawl has not created the schema yet
        return 0


def _runs(database: str) -> list[RunInfo]:
    with Store(database, create=False) as store:
        return store.recent_runs(limit=10)


def _sites(database: str) -> dict[str, tuple[str, int]]:
    """The status and reports found of every site of the database's one run."""
    with Store(database, create=False) as store:
        (run,) = store.recent_runs(limit=10)
        return {s.site_url: (s.status, s.reports_found) for s in store.run_sites(run.id)}


def _requests(sites: Sites) -> int:
    return sum(sites.requests(key) for key in sites.sites)


@pytest.mark.slow
def test_a_crawl_killed_midway_and_resumed_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    killed_db = f"sqlite:///{tmp_path / 'killed.db'}"
    whole_db = f"sqlite:///{tmp_path / 'whole.db'}"
    jobdir = tmp_path / "job"
    with serve_sites() as sites:
        seeds = sites.seeds_csv(tmp_path / "seeds.csv")
        expected = len(sites.expected_reports())

        log = (tmp_path / "killed.log").open("w")
        proc = subprocess.Popen(
            crawl_command(seeds, killed_db, jobdir=jobdir, settings=SLOW, health=False),
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while _versions(killed_db) < 2:
            assert proc.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline, "no report stored in time"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        at_kill = _versions(killed_db)
        assert 0 < at_kill < expected, "the kill must fall mid-crawl"

        requests_at_kill = _requests(sites)
        resumed = run_crawl(seeds, killed_db, tmp_path, jobdir=jobdir, health=False)
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        assert "Resuming from" in resumed.stderr
        logs = (tmp_path / "killed.log").read_text("utf-8") + resumed.stderr
        assert "Cannot journal" not in logs  # every request the spider makes can be kept
        assert "resume/reissued" in resumed.stderr  # the stats: requests were issued again
        assert "continuing run 1 of the interrupted crawl" in resumed.stderr
        restored = re.search(r"(\d+) notes of the interrupted crawl restored", resumed.stderr)
        assert restored and int(restored.group(1)) > 0  # what the killed process counted
        requests_resumed = _requests(sites) - requests_at_kill

        whole = run_crawl(seeds, whole_db, tmp_path, health=False)
        assert whole.returncode == 0, whole.stderr[-3000:]
        requests_whole = _requests(sites) - requests_at_kill - requests_resumed

    # one run for the killed and resumed crawl, finished, continued once
    runs = _runs(killed_db)
    assert [(r.id, r.status) for r in runs] == [(1, "finished")], runs
    assert runs[0].note is not None and runs[0].note.count("resumed ") == 1
    assert "yingji run 1 finished" in resumed.stdout
    # its sites as the uninterrupted crawl's: same statuses, same reports found
    assert _sites(killed_db) == _sites(whole_db), resumed.stdout[-3000:]
    assert any(status == "reports_found" for status, _ in _sites(killed_db).values())

    got, want = snapshot(killed_db), snapshot(whole_db)
    assert len(want["versions"]) >= expected - 1
    report = resumed.stdout[-3000:] + whole.stdout[-3000:]
    assert got["versions"] == want["versions"], report  # same reports, each once, same content
    assert got["cells"] == want["cells"]
    assert set(got["sources"]) == set(want["sources"])
    # the resumed crawl went on from where it stopped instead of starting over
    assert requests_resumed < requests_whole - 5

"""End-to-end: the real spider, all pipelines and a real database against the bundled sites.

Each crawl is ``python -m scrapy crawl yingji`` in a child process (Twisted's reactor cannot be
restarted), with the project's own settings; only the politeness delays are off, loopback needs
none. Next to the bundled sites (demo.server) runs one more site of the tests' own, whose
only report is a broken PDF: the crawl must record it as failed, with its reason, and go on.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from demo import SAMPLES
from demo.server import serve_sites
from storage import Store
from storage.export import iter_reports
from storage.identity import agency_identity

FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0.01",  # > 0: see DOWNLOAD_DELAY in crawler/settings.py
    "DOWNLOAD_TIMEOUT": "5",
    "RETRY_TIMES": "2",
    "YINGJI_MAX_PER_TEMPLATE": "10",
    "YINGJI_PROGRESS_INTERVAL": "0.5",
    "LOG_LEVEL": "INFO",
}

BROKEN_SITE = {
    "name": "延津县应急管理局",
    "region": "河南省新乡市延津县",
    "title": "延津县应急管理局2023年政府信息公开工作年度报告",
}
QUIET_SITE = {"name": "原阳县人民政府", "region": "河南省新乡市原阳县", "path": "quiet/"}
QUIET_PAGE = (
    "<html><body><h1>原阳县人民政府</h1><ul><li><a href='/quiet/about.html'>关于我们</a></li>"
    "<li><a href='/quiet/news.html'>原阳新闻</a></li></ul></body></html>"
)
BROKEN_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntruncated"


class _BrokenSite(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            body, ctype = b"User-agent: *\nDisallow:\n", "text/plain"
        elif self.path == "/":
            link = f'<li><a href="/files/nb2023.pdf">{BROKEN_SITE["title"]}</a></li>'
            body = (
                f"<html><body><h1>{BROKEN_SITE['name']}</h1><ul>{link}</ul></body></html>".encode()
            )
            ctype = "text/html; charset=utf-8"
        elif self.path.startswith("/quiet/"):  # a site without any report
            body, ctype = QUIET_PAGE.encode(), "text/html; charset=utf-8"
        elif self.path == "/files/nb2023.pdf":
            body, ctype = BROKEN_PDF, "application/pdf"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="session")
def broken_site() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _BrokenSite)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@dataclass
class Crawl:
    returncode: int
    stdout: str
    stderr: str


def write_seeds(sites: object, broken_url: str, path: Path) -> Path:
    sites.seeds_csv(path)  # type: ignore[attr-defined]
    with path.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([BROKEN_SITE["name"], BROKEN_SITE["region"], broken_url])
        writer.writerow([QUIET_SITE["name"], QUIET_SITE["region"], broken_url + QUIET_SITE["path"]])
    return path


def run_crawl(seeds: Path, db_url: str, files: Path, workdir: Path) -> Crawl:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "yingji", "-a", f"seeds={seeds}"]
    settings = {**FAST, "DATABASE_URL": db_url, "YINGJI_FILES_STORE": str(files)}
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    proc = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    return Crawl(proc.returncode, proc.stdout, proc.stderr)


EXACT = ("year", "template", "active_disclosure", "applications", "review_litigation")
SITE_CODES = {
    "reports found": {"reports_found"},
    "none found": {"none_found"},
    "blocked": {"blocked"},
    "unreachable": {"unreachable"},
    "robots denied": {"robots_denied", "blocked"},  # the database may fold it into blocked
    "failed to parse": {"parse_failed"},
}


def _sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{name}.json").read_text("utf-8"))


def _expected(sites: Any) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """(agency key, year) -> the manifest's entries for it (a republished report has two)."""
    regions = {s.url: s.spec["region"] for s in sites.sites.values()}
    out: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for rep in sites.expected_reports():
        key = agency_identity(rep["agency"], regions[rep["site_url"]]).key
        out.setdefault((key, rep["year"]), []).append(rep)
    return out


def _table_status(stdout: str, name: str) -> str:
    row = next(line for line in stdout.splitlines() if line.startswith(name + " "))
    return next(s for s in SITE_CODES if f"  {s}  " in row)


@pytest.mark.slow
def test_a_crawl_stores_every_report_once_exactly_and_a_recrawl_changes_nothing(
    db_url: str, tmp_path: Path, broken_site: str
) -> None:
    with serve_sites() as sites:
        seeds = write_seeds(sites, broken_site, tmp_path / "seeds.csv")
        first = run_crawl(seeds, db_url, tmp_path / "files", tmp_path)
        assert first.returncode == 0, first.stderr[-3000:]
        expected = _expected(sites)
        quiet = broken_site + QUIET_SITE["path"]
        statuses = {
            **sites.expected_status(),
            broken_site: "failed to parse",
            quiet: "none found",
        }
        names = {s.url: s.spec["name"] for s in sites.sites.values()} | {
            broken_site: BROKEN_SITE["name"],
            quiet: QUIET_SITE["name"],
        }

        with Store(db_url, upgrade=False) as store:
            reports = list(iter_reports(store))
            # every report of the manifest once, exact to the cell, and nothing else
            stored = {
                (agency_identity(r["agency"], r["region"]).key, r["year"]): r for r in reports
            }
            assert sorted(stored) == sorted(expected)
            assert len(reports) == len(expected)
            for key, entries in expected.items():
                report, sample = stored[key], _sample(entries[0]["sample"])
                assert {k: report[k] for k in EXACT} == {k: sample[k] for k in EXACT}, key
                assert report["status"] == "parsed" and report["version"] == 1
                for entry in entries:  # every page it was found on, and its attachments
                    assert entry["url"] in report["sources"]
                    assert set(entry["attachments"]) <= set(report["sources"])
            # the run record: one row per seed, with the status the site deserves
            [run] = store.recent_runs(limit=5)
            assert (run.status, run.inserted, run.new_versions) == ("finished", len(expected), 0)
            assert run.noop == sum(len(e) for e in expected.values()) - len(expected)
            by_url = {s.site_url: s for s in store.run_sites(run.id)}
            assert set(by_url) == set(statuses)
            for url, status in statuses.items():
                assert by_url[url].status in SITE_CODES[status], (url, by_url[url])
                assert _table_status(first.stdout, names[url]) == status
            # the broken file: failed with its reason, and the crawl went on around it
            [broken] = [d for d in store.iter_documents() if any(broken_site in u for u in d.urls)]
            assert broken.parse_status == "failed" and broken.parse_error
            assert by_url[broken_site].failed == 1 and by_url[broken_site].error
        progress = rf"progress: \d+ of {len(statuses)} sites done, \d+ reports found"
        assert re.search(progress, first.stderr)

        # the documents (attachments, documents listed directly) and what they cost
        docs = [
            (rep["site"], urlsplit(url).path)
            for reps in expected.values()
            for rep in reps
            for url in rep["attachments"] + ([rep["url"]] if rep["kind"] == "document" else [])
        ]
        assert docs
        sent = {d: sites.bytes_sent(*d) for d in docs}
        assert all(sent.values()), sent  # each was downloaded once, whole

        second = run_crawl(seeds, db_url, tmp_path / "files", tmp_path)
        assert second.returncode == 0, second.stderr[-3000:]
        # already in the store: revalidated (304), not downloaded again; except a document
        # without validators (Hanweb's downfile.jsp): without the HTTP cache no page vouches
        # for it (tests/system/test_recrawl_unchanged.py), so it is downloaded once more
        resent = {d: sites.bytes_sent(*d) for d in docs}
        assert resent == {d: n * (2 if "downfile.jsp" in d[1] else 1) for d, n in sent.items()}
        with Store(db_url, upgrade=False) as store:
            again = store.recent_runs(limit=1)[0]
            assert again.id != run.id
            assert (again.inserted, again.new_versions) == (0, 0)
            assert again.noop == sum(len(e) for e in expected.values())
            assert [r["version"] for r in iter_reports(store, all_versions=True)] == [1] * len(
                expected
            )

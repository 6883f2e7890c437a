"""Resume after SIGKILL (crawler/resume.py): the journal, then real killed crawls.

The crawl tests run a real Scrapy process (``scrapy runspider tests/system/tree_spider.py``)
against a real, deliberately slow HTTP server on 127.0.0.1, kill it with SIGKILL while pages
are in flight, start it again with the same JOBDIR and compare what was stored with the full
tree.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.resume import (
    JOURNAL_NAME,
    RequestJournal,
    done_record,
    journal_unfinished,
    parse_journal,
    scheduled_record,
)

HERE = Path(__file__).parent
LISTS, LEAVES = 6, 8  # 1 index + 6 lists + 48 leaves


def test_journal_keeps_requests_scheduled_but_not_done() -> None:
    data = (
        scheduled_record("aa", b"req-a")
        + scheduled_record("bb", b"req-b")
        + done_record("aa")
        + scheduled_record("cc", b"req-c")
    )
    state = parse_journal(data)
    assert state.done == {"aa"}
    assert state.pending == {"bb": b"req-b", "cc": b"req-c"}
    assert not state.finished


def test_journal_ignores_a_torn_last_line_and_garbage() -> None:
    data = scheduled_record("aa", b"x") + b"S\tbb\t!!notbase64\n" + b"D\taa"  # torn: no newline
    state = parse_journal(data)
    assert state.done == set()
    assert state.pending == {"aa": b"x"}


def test_opening_a_journal_compacts_it_and_a_finished_crawl_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_NAME
    path.write_bytes(scheduled_record("aa", b"x" * 1000) + done_record("aa") + b"S\tzz")
    journal = RequestJournal(path)
    state = journal.open()
    assert state.done == {"aa"} and state.pending == {}
    assert path.read_bytes() == done_record("aa")  # payload of done request and torn line gone
    journal.scheduled("bb", b"y")
    journal.finish()
    journal.close()
    assert parse_journal(path.read_bytes()).finished
    again = RequestJournal(path)
    assert again.open().done == set()
    again.close()
    assert path.read_bytes() == b""


def test_a_job_directory_tells_whether_its_crawl_is_unfinished(tmp_path: Path) -> None:
    assert not journal_unfinished(tmp_path)  # no journal: nothing to resume
    path = tmp_path / JOURNAL_NAME
    path.write_bytes(b"")
    assert not journal_unfinished(tmp_path)
    path.write_bytes(scheduled_record("aa", b"x" * 500) + done_record("aa"))
    assert journal_unfinished(tmp_path)
    path.write_bytes(path.read_bytes() + b"F\n")
    assert not journal_unfinished(tmp_path)


# --- real crawls, killed ------------------------------------------------------------------------
class _SlowTree(BaseHTTPRequestHandler):
    delay = 0.08

    def do_GET(self) -> None:
        time.sleep(self.delay)
        parts = [p for p in self.path.split("/") if p]
        if not parts:
            links = [f"/l{i}" for i in range(LISTS)]
        elif len(parts) == 1:
            links = [f"/{parts[0]}/p{j}" for j in range(LEAVES)]
        else:
            links = []
        body = "<html><head><title>{}</title></head><body>{}</body></html>".format(
            self.path, "".join(f'<a href="{h}">{h}</a>' for h in links)
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a killed crawler leaves broken pipes behind: expected here


@pytest.fixture
def tree_site() -> Iterator[str]:
    server = _QuietServer(("127.0.0.1", 0), _SlowTree)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


ALL_LEAVES = {f"/l{i}/p{j}" for i in range(LISTS) for j in range(LEAVES)}


def _crawl(root: str, db: Path, jobdir: Path, cwd: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    settings = {
        "JOBDIR": str(jobdir),
        "ADDONS": '{"crawler.addons.ResumeJournal": 100}',
        "CONCURRENT_REQUESTS": "6",
        "ROBOTSTXT_OBEY": "False",
        "TELNETCONSOLE_ENABLED": "False",
        "LOG_LEVEL": "INFO",
    }
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(HERE / "tree_spider.py")]
    cmd += ["-a", f"root={root}", "-a", f"db={db}"]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    log = (cwd / "crawl.log").open("ab")
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)


def _stored(db: Path) -> Counter[str]:
    if not db.exists():
        return Counter()
    with sqlite3.connect(db) as conn:
        try:
            rows = conn.execute("SELECT title FROM items").fetchall()
        except sqlite3.OperationalError:  # table not created yet
            return Counter()
    return Counter(title for (title,) in rows)


def _kill_when(proc: subprocess.Popen[bytes], db: Path, at_least: int) -> int:
    deadline = time.monotonic() + 30
    while len(_stored(db)) < at_least:
        assert proc.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return len(_stored(db))


@pytest.mark.slow
def test_a_crawl_killed_twice_and_resumed_stores_every_page(tree_site: str, tmp_path: Path) -> None:
    db, jobdir = tmp_path / "items.db", tmp_path / "job"
    first = _kill_when(_crawl(tree_site, db, jobdir, tmp_path), db, at_least=5)
    second = _kill_when(_crawl(tree_site, db, jobdir, tmp_path), db, at_least=first + 12)
    assert 0 < first < second < len(ALL_LEAVES), "the kills must fall mid-crawl"
    assert _crawl(tree_site, db, jobdir, tmp_path).wait(timeout=60) == 0
    stored = _stored(db)
    assert set(stored) == ALL_LEAVES  # nothing lost
    # a page is processed again only if it was in flight at a kill (6 requests at a time)
    assert sum(stored.values()) - len(ALL_LEAVES) <= 2 * 6
    assert parse_journal((jobdir / JOURNAL_NAME).read_bytes()).finished

"""A database that fails mid-crawl: stores wait out a restart; past the window, the crawl says
so — a ``store failed`` site, an ERROR line, a non-zero exit — and keeps the items, so that the
resumed crawl (same ``JOBDIR``) stores them without fetching their pages again.

Each test runs its own throw-away PostgreSQL cluster (initdb / pg_ctl on a free port), because
it stops and starts the server; the suite's shared server is never touched.
"""

from __future__ import annotations

import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from demo.server import serve_sites
from storage.identity import agency_identity

BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BIN is None or not (BIN / "pg_ctl").exists(), reason="no PostgreSQL"),
]
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0.2",  # slow enough that the server stops while reports are coming in
    "DOWNLOAD_TIMEOUT": "5",
    "RETRY_TIMES": "1",
    "YINGJI_PROGRESS_INTERVAL": "1",
    "YINGJI_PARSE_WORKERS": "2",
    "YINGJI_PARSE_POOL": "thread",
}


@dataclass
class Cluster:
    """A PostgreSQL server of the test's own, to stop and start at will."""

    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://yingji@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        cmd = [str(BIN / "pg_ctl"), "-D", str(self.data), "-w", *args]
        subprocess.run(_as_postgres(cmd), check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        opts = f"-h 127.0.0.1 -p {self.port} -k {self.data} -c fsync=off"
        self._ctl("-l", str(self.data / "server.log"), "-o", opts, "start")

    def stop(self) -> None:
        self._ctl("-m", "immediate", "stop")  # as a crash or a failover drops connections


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: the cluster is the ``postgres`` user's then."""
    if os.geteuid() != 0:
        return cmd
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    # not tmp_path: the server runs as ``postgres``, which cannot enter root's pytest folders
    data = Path(tempfile.mkdtemp(prefix="yingji-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    initdb = [str(BIN / "initdb"), "-D", str(data), "-U", "yingji", "--auth=trust", "-E", "UTF8"]
    subprocess.run(_as_postgres(initdb), check=True, capture_output=True, timeout=120)
    pg = Cluster(data, _free_port())
    pg.start()
    try:
        yield pg
    finally:
        subprocess.run(
            _as_postgres([str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(data, ignore_errors=True)


def _crawl(seeds: Path, db: str, workdir: Path, **settings: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "yingji", "-a", f"seeds={seeds}"]
    merged = {**FAST, "DATABASE_URL": db, "YINGJI_FILES_STORE": str(workdir / "files"), **settings}
    for name, value in merged.items():
        cmd += ["-s", f"{name}={value}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    return subprocess.Popen(
        cmd, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _reports(db: str) -> int:
    """Reports stored so far (0 while the schema is not there yet or the server is down)."""
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM reports")).scalar_one()
    except Exception:
        return 0
    finally:
        engine.dispose()


def _wait_for_first_report(db: str, crawl: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while _reports(db) == 0:
        assert crawl.poll() is None, "the crawl ended before storing anything"
        assert time.monotonic() < deadline, "no report stored in 90 s"
        time.sleep(0.1)


def _expected(sites: object) -> set[tuple[str, int]]:
    regions = {s.url: s.spec["region"] for s in sites.sites.values()}  # type: ignore[attr-defined]
    return {
        (agency_identity(r["agency"], regions[r["site_url"]]).key, r["year"])
        for r in sites.expected_reports()  # type: ignore[attr-defined]
    }


def _stored(db: str) -> set[tuple[str, int]]:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT a.name, r.year, v.region FROM reports r JOIN agencies a "
                    "ON a.id = r.agency_id JOIN report_versions v ON v.report_id = r.id "
                    "AND v.is_current"
                )
            ).all()
    finally:
        engine.dispose()
    return {(agency_identity(name, region).key, year) for name, year, region in rows}


def test_a_database_restart_mid_crawl_loses_no_report(cluster: Cluster, tmp_path: Path) -> None:
    with serve_sites() as sites:
        seeds = sites.seeds_csv(tmp_path / "seeds.csv")
        crawl = _crawl(seeds, cluster.url, tmp_path)  # the default window: a minute
        _wait_for_first_report(cluster.url, crawl)
        before = _reports(cluster.url)
        cluster.stop()
        assert _reports(cluster.url) == 0  # down indeed
        assert before < len(_expected(sites))  # while reports were still to come
        time.sleep(8)  # a restart's worth of refused connections
        cluster.start()
        out, err = crawl.communicate(timeout=240)
        assert crawl.returncode == 0, err[-4000:]
        assert _stored(cluster.url) == _expected(sites)
    assert "store failed" not in out and "could not be stored" not in err


def test_a_database_down_past_the_window_fails_the_crawl_and_a_resume_stores_the_rest(
    cluster: Cluster, tmp_path: Path
) -> None:
    jobdir = tmp_path / "job"
    with serve_sites() as sites:
        seeds = sites.seeds_csv(tmp_path / "seeds.csv")
        crawl = _crawl(
            seeds, cluster.url, tmp_path, JOBDIR=str(jobdir), YINGJI_STORE_RETRY_SECONDS="2"
        )
        _wait_for_first_report(cluster.url, crawl)
        cluster.stop()
        out, err = crawl.communicate(timeout=240)
        # said, not hidden: a non-zero exit, an ERROR line, the sites labelled as such
        assert crawl.returncode == 1, err[-4000:]
        assert "ERROR: " in err and "reports could not be stored" in err
        assert "store failed" in out and "failed to parse" not in out
        kept = []
        raw = (jobdir / "unstored.pickle").read_bytes()
        while raw:
            size = int.from_bytes(raw[:8], "big")
            kept.append(pickle.loads(raw[8 : 8 + size]))
            raw = raw[8 + size :]
        assert kept and all(item.documents for item in kept)
        pages = {(k.site_url, k.url) for k in kept}
        by_url = {s.url: s.key for s in sites.sites.values()}
        from urllib.parse import urlsplit

        sent = {p: sites.bytes_sent(by_url[p[0]], urlsplit(p[1]).path) for p in pages}

        cluster.start()
        resumed = _crawl(seeds, cluster.url, tmp_path, JOBDIR=str(jobdir))
        out, err = resumed.communicate(timeout=240)
        assert resumed.returncode == 0, err[-4000:]
        assert f"storing {len(kept)} items kept by the interrupted run" in err
        assert not (jobdir / "unstored.pickle").exists()
        assert _stored(cluster.url) == _expected(sites)
        # the kept items' pages were not fetched again
        assert {p: sites.bytes_sent(by_url[p[0]], urlsplit(p[1]).path) for p in pages} == sent

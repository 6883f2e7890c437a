"""``yingji demo`` from a fresh directory: serve, crawl, store, show — no network — into a
database of its own, never the user's."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from demo.server import load_manifest
from storage import Store
from yingji.cli import main

YINGJI = [sys.executable, "-c", "import sys; from yingji.cli import main; sys.exit(main())"]


@pytest.mark.slow
def test_demo_crawls_the_bundled_sites_into_a_database_of_its_own(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
    # the user's configured database and file store: the demo must leave them alone
    env["YINGJI_DATABASE_URL"] = f"sqlite:///{tmp_path / 'mine.db'}"
    env["YINGJI_FILES_STORE"] = str(tmp_path / "my-files")
    proc = subprocess.Popen(
        [*YINGJI, "demo", "--keep-serving"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if "stay up until Ctrl-C" in line:
                break
        else:
            pytest.fail("the demo ended early:\n" + "\n".join(lines) + proc.stderr.read()[-3000:])  # type: ignore[union-attr]
        # the sites are still served: the first address listed answers
        url = next(x.split()[0] for x in proc.stdout if x.strip().startswith("http://"))
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-3000:]
    text = "\n".join(lines)

    # the per-site table: every seed site with the status its manifest entry promises
    manifest = load_manifest()["sites"]
    for site in (s for s in manifest if s.get("seed", True)):
        row = next(x for x in lines if x.startswith(site["name"] + " "))
        assert site["status"] in row, row

    # the reports found: one line per report, with its agency and year
    expected = {(r["year"], r["sample"]) for s in manifest for r in s.get("reports", [])}
    assert f"reports in {tmp_path / 'yingji-demo.db'}: {len(expected)}" in text
    assert not (tmp_path / "mine.db").exists() and not (tmp_path / "my-files").exists()
    assert not (tmp_path / "yingji.db").exists()
    db = sqlite3.connect(tmp_path / "yingji-demo.db")
    years = sorted(y for (y,) in db.execute("SELECT year FROM current_reports"))
    assert years == sorted(y for y, _ in expected)
    assert all(
        json.loads(rec)["applications"]
        for (rec,) in db.execute("SELECT record FROM report_versions")
    )
    assert (tmp_path / "files").is_dir()  # raw documents next to the database
    db.close()


def test_demo_refuses_a_database_that_holds_crawls_of_real_sites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    with Store(url) as store:
        run = store.start_run(seeds_count=1)
        store.record_site(run, site_url="http://www.mengjin.gov.cn/", status="none_found")
        store.finish_run(run)
    assert main(["demo", "--database", url]) == 2
    captured = capsys.readouterr()
    assert "serving" not in captured.out  # refused before anything was served
    assert captured.err.startswith("yingji: ") and captured.err.count("\n") == 1
    assert "holds crawls of real sites (http://www.mengjin.gov.cn/)" in captured.err
    with Store(url) as store:
        assert len(store.recent_runs()) == 1  # nothing added


def test_demo_takes_a_database_of_loopback_sites_only() -> None:
    from yingji.commands.demo import is_loopback

    assert is_loopback("http://127.0.0.7:41234/") and is_loopback("http://[::1]:8080/x")
    assert is_loopback("http://localhost:8000/")
    assert not is_loopback("http://www.mengjin.gov.cn/") and not is_loopback("http://10.0.0.1/")

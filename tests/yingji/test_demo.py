"""``yingji demo`` from a fresh directory: serve, crawl, store, show — no network."""

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

YINGJI = [sys.executable, "-c", "import sys; from yingji.cli import main; sys.exit(main())"]


@pytest.mark.slow
def test_demo_crawls_the_bundled_sites_into_the_working_directory(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
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
    assert f"reports in {tmp_path / 'yingji.db'}: {len(expected)}" in text
    db = sqlite3.connect(tmp_path / "yingji.db")
    years = sorted(y for (y,) in db.execute("SELECT year FROM current_reports"))
    assert years == sorted(y for y, _ in expected)
    assert all(
        json.loads(rec)["applications"]
        for (rec,) in db.execute("SELECT record FROM report_versions")
    )
    assert (tmp_path / "files").is_dir()  # raw documents next to the database
    db.close()

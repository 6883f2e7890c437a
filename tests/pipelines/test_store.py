"""The store pipeline: it stores through the crawl's one Store, opened before any request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_a_crawl_into_an_unreachable_database_stops_at_once_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    bad = "postgresql://nobody@127.0.0.1:1/nothing"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "yingji", "-s", f"DATABASE_URL={bad}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    [line] = [x for x in proc.stderr.splitlines() if "error:" in x]
    assert line.startswith("scrapy crawl: error: cannot open the database")
    assert "Traceback" not in proc.stderr

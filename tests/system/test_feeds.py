"""Scrapy's own feeds: ``scrapy crawl yingji -O reports.jsonl`` / ``-O reports.csv`` write the
records ``yingji export`` writes — one per stored report, nothing of the pipeline's internals —
and the crawl's stats carry yingji's counts.

A feed record is the report as the crawl stored it at that moment; ``yingji export`` reads the
database after the crawl. They are the same object (storage/export.py builds both); only what
later items added to the same report — more source URLs, a later ``last_seen`` — can differ.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from demo.server import serve_sites

FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0.01",
    "DOWNLOAD_TIMEOUT": "5",
    "RETRY_TIMES": "2",
    "YINGJI_MAX_PER_TEMPLATE": "10",
    "YINGJI_PROGRESS_INTERVAL": "0.5",
    "YINGJI_PARSE_WORKERS": "2",
}
GROWS = ("sources", "last_seen")  # what a later item may add to a report already stored


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    return env


def crawl(seeds: Path, db: str, workdir: Path, *feed: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "yingji", "-a", f"seeds={seeds}", *feed]
    settings = {**FAST, "DATABASE_URL": db, "YINGJI_FILES_STORE": str(workdir / "files")}
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    return subprocess.run(cmd, cwd=workdir, env=_env(), capture_output=True, text=True, timeout=300)


def export(db: str, workdir: Path, fmt: str) -> str:
    cmd = [sys.executable, "-m", "yingji.cli", "export", "--database", db, "--format", fmt]
    proc = subprocess.run(cmd, cwd=workdir, env=_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def stats(stderr: str) -> dict[str, Any]:
    """The stats Scrapy dumps at the close of the crawl (a Python dict in the log)."""
    dump = stderr.split("Dumping Scrapy stats:", 1)[1]
    text = dump[dump.index("{") : dump.index("}") + 1]
    text = re.sub(r"datetime\.datetime\([^)]*\)", "None", text)
    return ast.literal_eval(text)


def _key(record: dict[str, Any]) -> tuple[Any, ...]:
    return (record["agency"], record["year"], record["version"])


def _same_report(feed: dict[str, Any], exported: dict[str, Any]) -> None:
    """``feed`` is ``exported`` as it was when stored: equal but for what later items added."""
    assert {k: v for k, v in feed.items() if k not in GROWS} == {
        k: v for k, v in exported.items() if k not in GROWS
    }, _key(feed)
    assert feed["sources"] and set(feed["sources"]) <= set(exported["sources"])
    assert feed["last_seen"] <= exported["last_seen"]


@pytest.mark.slow
def test_a_jsonl_feed_holds_the_export_record_of_every_stored_report(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'yingji.db'}"
    with serve_sites() as sites:
        seeds = sites.seeds_csv(tmp_path / "seeds.csv")
        run = crawl(seeds, db, tmp_path, "-O", "reports.jsonl")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "is not JSON serializable" not in run.stderr
    feed = [json.loads(line) for line in (tmp_path / "reports.jsonl").read_text().splitlines()]
    exported = {_key(r): r for r in map(json.loads, export(db, tmp_path, "jsonl").splitlines())}

    # one record per stored report: the insert of each, and a noop for each republication
    counts = stats(run.stderr)
    stored = counts.get("yingji/inserted", 0) + counts.get("yingji/noop", 0)
    assert len(feed) == stored + counts.get("yingji/new_version", 0)
    assert counts["yingji/inserted"] == len(exported) > 1
    seed_count = len(seeds.read_text("utf-8").splitlines()) - 1
    assert sum(v for k, v in counts.items() if k.startswith("yingji/sites/")) == seed_count
    assert counts["yingji/sites/reports_found"] >= 1
    assert {_key(r) for r in feed} == set(exported)
    for record in feed:
        _same_report(record, exported[_key(record)])
        assert set(record) == set(exported[_key(record)])  # the documented keys, nothing more


@pytest.mark.slow
def test_a_csv_feed_is_the_csv_export(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'yingji.db'}"
    with serve_sites() as sites:
        seeds = sites.seeds_csv(tmp_path / "seeds.csv")
        run = crawl(seeds, db, tmp_path, "-O", "reports.csv")
    assert run.returncode == 0, run.stderr[-3000:]
    text = (tmp_path / "reports.csv").read_text("utf-8")
    assert "<html" not in text.lower()
    feed = list(csv.DictReader(io.StringIO(text)))
    exported = {_key(r): r for r in csv.DictReader(io.StringIO(export(db, tmp_path, "csv")))}
    assert feed and {_key(r) for r in feed} == set(exported)
    for row in feed:
        want = exported[_key(row)]
        # the cell columns of a report are those of the export (the header spans every record)
        assert {k: v for k, v in row.items() if v and k not in GROWS} == {
            k: v for k, v in want.items() if v and k not in GROWS
        }
        assert set(row["sources"].split()) <= set(want["sources"].split())


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_feed_that_cannot_be_written_fails_the_crawl(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'yingji.db'}"
    with serve_sites() as sites:
        seeds = sites.seeds_csv(tmp_path / "seeds.csv")
        run = crawl(seeds, db, tmp_path, "-O", "/dev/full:jsonl")  # every write: no space left
    assert run.returncode == 1, run.stderr[-3000:]
    assert "ERROR: the feed could not be written in full" in run.stderr
    assert stats(run.stderr)["yingji/inserted"] >= 1  # the reports themselves were stored

"""Helpers of the end-to-end tests: run ``yingji crawl`` on the bundled sites, read the result.

Crawls run as child processes (``python -m yingji.cli crawl``) against demo.server's
sites on 127.0.0.x, with the politeness delays off so that a crawl of all sites takes seconds.
:func:`snapshot` is what "the same database" means in these tests: every report version (its
agency, year, version number, content hash, status, current flag and source URLs) and every
table cell, without timestamps or ids.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from storage.db import normalise_url

FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
    "RETRY_TIMES": "2",
    "DOWNLOAD_TIMEOUT": "30",  # generous: a loaded CI machine must not turn into lost reports
    "YINGJI_PROGRESS_INTERVAL": "1",
}


def crawl_command(
    seeds: Path,
    database: str,
    *,
    jobdir: Path | None = None,
    shard: str | None = None,
    settings: dict[str, str] | None = None,
    health: bool = True,
) -> list[str]:
    cmd = [sys.executable, "-m", "yingji.cli", "crawl", "--seeds", str(seeds)]
    if not health:
        cmd.append("--no-health")
    cmd += ["--database", database]
    if jobdir is not None:
        cmd += ["--jobdir", str(jobdir)]
    if shard is not None:
        cmd += ["--shard", shard]
    for name, value in {**FAST, **(settings or {})}.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def run_crawl(
    seeds: Path, database: str, workdir: Path, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        crawl_command(seeds, database, **kwargs),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )


VERSIONS_SQL = """
SELECT a.name, r.year, v.version, v.content_hash, v.status, v.is_current, v.id
FROM report_versions v JOIN reports r ON r.id = v.report_id JOIN agencies a ON a.id = r.agency_id
"""
SOURCES_SQL = "SELECT version_id, url FROM report_sources"
CELLS_SQL = "SELECT version_id, section, row_key, column_key, value FROM report_cells"


def snapshot(database: str) -> dict[str, Any]:
    """Reports, versions, sources and cells, keyed by (agency, year, version): comparable."""
    engine = create_engine(normalise_url(database))
    try:
        with engine.connect() as conn:
            versions = conn.execute(text(VERSIONS_SQL)).all()
            sources = conn.execute(text(SOURCES_SQL)).all()
            cells = conn.execute(text(CELLS_SQL)).all()
    finally:
        engine.dispose()
    key = {row[6]: (row[0], row[1], row[2]) for row in versions}
    return {
        "versions": sorted(tuple(row[:6]) for row in versions),
        "sources": sorted((key[vid], url) for vid, url in sources),
        "cells": sorted((key[vid], *rest) for vid, *rest in cells),
    }


def count(database: str, table: str) -> int:
    engine = create_engine(normalise_url(database))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def bytes_sent(sites: Any, *, decoys: bool = False) -> int:
    """Bytes the served sites (a ``demo.server.Sites``) sent so far; without the decoy
    archives unless ``decoys`` (cut off after what fits in the socket buffers, they would
    flatter a first crawl)."""
    total = 0
    for site in sites.sites.values():
        skip = set() if decoys else set(site.spec.get("decoys", []))
        total += sum(n for path, n in site.bytes_sent.items() if path not in skip)
    return total

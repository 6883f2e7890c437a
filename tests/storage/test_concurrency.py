"""Processes storing the same report at the same moment end with one report, no duplicate version.

Real processes (``spawn``), real databases; a barrier releases them together, first to open a
FRESH database (so that they also race to migrate it), then for each round of stores. PostgreSQL
is the production case (sharded crawls meet there); SQLite is covered as well.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import Agency, Report, ReportCell, ReportVersion
from storage import Store
from tests.storage.helpers import changed, load_record
from tests.storage.workers import store_rounds

WORKERS = 2
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _importable_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spawned children import the worker as ``tests.storage.workers``: give them the root."""
    monkeypatch.syspath_prepend(str(ROOT))


def run_workers(url: str, rounds: list) -> list[tuple]:  # type: ignore[type-arg]
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=store_rounds, args=(url, i, barrier, rounds, out))
        for i in range(WORKERS)
    ]
    for p in procs:
        p.start()
    results: list[tuple] = []  # type: ignore[type-arg]
    deadline = time.monotonic() + 90
    try:
        while len(results) < WORKERS * len(rounds):
            try:
                results.append(out.get(timeout=0.2))
            except queue.Empty:
                dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
                assert not dead, f"a worker died with exit code {dead}"
                assert time.monotonic() < deadline, f"workers hung; results so far: {results}"
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    errors = [r for r in results if r[0] == "error"]
    assert not errors, errors
    return results


def counts(url: str) -> dict[str, int]:
    with Store(url) as store, store.engine.connect() as conn:
        return {
            m.__tablename__: int(conn.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (Agency, Report, ReportVersion, ReportCell)
        }


def test_same_report_at_the_same_moment_is_stored_once(db_url: str) -> None:
    record = load_record()
    spelled = dict(record, agency="洛阳市栾川县应急管理局")  # the same agency, another spelling
    # each process has its own document of the report (the district's PDF, the city's page), as
    # when two shards meet: nothing but the report itself is shared between them
    rounds = [
        # both insert at once, under two spellings of a new agency: one insert, one noop
        [
            (record, {"source_url": "http://a/1", "raw_sha256": "1" * 64}),
            (spelled, {"source_url": "http://ly/1", "raw_sha256": "2" * 64}),
        ],
        # both noop at once
        [
            (record, {"source_url": "http://a/2", "raw_sha256": "1" * 64}),
            (record, {"source_url": "http://ly/2", "raw_sha256": "2" * 64}),
        ],
        # one new version, one noop
        [
            (changed(record), {"source_url": "http://a/3", "raw_sha256": "3" * 64}),
            (changed(record), {"source_url": "http://ly/3", "raw_sha256": "4" * 64}),
        ],
    ]
    results = run_workers(db_url, rounds)
    by_round = [sorted(r[1] for r in results if r[0] == n) for n in range(len(rounds))]
    assert by_round == [["insert", "noop"], ["noop", "noop"], ["new_version", "noop"]]
    assert len({r[2] for r in results}) == 1  # one report id everywhere
    assert counts(db_url) == {
        "agencies": 1,
        "reports": 1,
        "report_versions": 2,
        "report_cells": 400,
    }
    with Store(db_url) as store, store.engine.connect() as conn:
        current = (
            conn.execute(select(ReportVersion.version).where(ReportVersion.is_current))
            .scalars()
            .all()
        )
    assert current == [2]

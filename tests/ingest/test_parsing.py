"""The parse pool's limits: a document over its memory or time costs that document alone.

Real worker processes, real LibreOffice: the jobs of :mod:`tests.ingest.jobs` grow, allocate
or hang as a hostile document would make a parser do, and the pool must record the document
as ``too_large`` / ``timed_out`` with the reason, kill what it started, and give the next
document a fresh worker.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from pathlib import Path

import psutil
import pytest

from demo import SAMPLES
from ingest.parsing import ParsePool, parse_stored
from ingest.reparse import REPARSE_WARM
from ingest.workerguard import MB, MemoryLimits
from storage.files import FileStore
from tests.ingest import jobs


def test_a_worker_loads_its_warm_modules_at_start_and_freezes_them_out_of_the_collector() -> None:
    # a re-parse worker loads the store's planning code (and the division table) before its
    # first job; a crawl's parse worker does not
    pools = {
        "reparse": ParsePool("process", 1, 60, MemoryLimits(), warm=REPARSE_WARM),
        "crawl": ParsePool("process", 1, 60, MemoryLimits()),  # the default warm-up
    }
    states = {}
    for name, pool in pools.items():
        try:
            states[name] = pool.run(jobs.warm_state).result
        finally:
            pool.close()
    assert states["reparse"] is not None and states["crawl"] is not None
    assert states["reparse"]["planning_loaded"] and not states["crawl"]["planning_loaded"]
    # the parser's modules and the planning code: many objects, all frozen
    assert states["crawl"]["frozen"] > 10_000
    assert states["reparse"]["frozen"] > states["crawl"]["frozen"]


def test_a_worker_runs_under_the_address_space_limit_and_parses_a_real_pdf(
    tmp_path: Path,
) -> None:
    pool = ParsePool("process", 1, 60, MemoryLimits(rss_mb=1024, vm_mb=2048))
    try:
        worker = pool.run(jobs.whoami).result
        sha = FileStore(str(tmp_path)).put((SAMPLES / "seed000.pdf").read_bytes()).sha256
        parsed = pool.run(parse_stored, str(tmp_path), sha, "seed000.pdf", None)
    finally:
        pool.close()
    assert worker is not None and worker["max_vm"] == 2048 * MB
    assert parsed.code is None and parsed.result is not None
    assert parsed.result["status"] == "parsed"


def test_a_worker_over_its_resident_limit_is_killed_and_the_next_document_gets_a_fresh_one() -> (
    None
):
    pool = ParsePool("process", 1, 60, MemoryLimits(rss_mb=200, vm_mb=0))
    try:
        first = pool.run(jobs.whoami).result
        start = time.monotonic()
        over = pool.run(jobs.grow, 600)
        took = time.monotonic() - start
        after = pool.run(jobs.whoami).result
    finally:
        pool.close()
    assert over.code == "too_large"
    assert over.error is not None
    assert "above the 200 MB limit (YINGJI_PARSE_MEMORY_MB)" in over.error
    assert took < 20  # stopped while growing, not after its 30 s hold
    assert first is not None and after is not None and first["pid"] != after["pid"]
    assert not psutil.pid_exists(first["pid"]) or psutil.Process(first["pid"]).status() == "zombie"


def test_an_allocation_over_the_address_space_limit_is_too_large_not_a_crash() -> None:
    pool = ParsePool("process", 1, 60, MemoryLimits(rss_mb=0, vm_mb=1024))
    try:
        refused = pool.run(jobs.allocate, 2048)
        fine = pool.run(jobs.allocate, 64)
    finally:
        pool.close()
    assert refused.code == "too_large"
    assert refused.error is not None and "1024 MB address-space limit" in refused.error
    assert fine.result == {"allocated": 64 * MB}


def test_only_the_document_of_the_killed_worker_fails_the_others_are_parsed() -> None:
    pool = ParsePool("process", 2, 60, MemoryLimits(rss_mb=200, vm_mb=0))
    try:
        out = pool.map(jobs.grow, [(600,), (20, 3)])
    finally:
        pool.close()
    assert out[0].code == "too_large"
    assert out[1].result == {"held": 20}  # the bystander was retried in the new pool


def _ours(tmp: Path) -> list[psutil.Process]:
    """Living processes whose command line names a folder under ``tmp`` (our LibreOffice)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if str(tmp) in cmd and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(proc)
    return found


@pytest.mark.libreoffice
def test_a_parse_past_its_time_limit_leaves_no_libreoffice_and_no_profile_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))  # the worker's converters make their folders here
    seen: dict[int, list[str]] = {}
    stop = threading.Event()

    def spy() -> None:
        while not stop.wait(0.2):
            for proc in _ours(tmp):
                with contextlib.suppress(psutil.Error):
                    seen.setdefault(proc.pid, proc.cmdline())

    threading.Thread(target=spy, daemon=True).start()
    pool = ParsePool("process", 1, 15, MemoryLimits())
    try:
        out = pool.run(jobs.convert_forever, str(SAMPLES / "seed000.doc"))
    finally:
        stop.set()
        pool.close()
    assert out.code == "timed_out"
    assert out.error is not None and "parse took longer than 15 s" in out.error
    offices = [cmd for cmd in seen.values() if any("soffice" in a for a in cmd)]
    assert offices, "LibreOffice never ran: the test proved nothing"
    assert _ours(tmp) == []
    assert [p.name for p in tmp.iterdir() if p.name.startswith("yingji-lo-")] == []
    pipes = [a.split("name=")[1].split(";")[0] for c in offices for a in c if "pipe,name=" in a]
    assert pipes
    for pipe in pipes:
        assert not Path(f"/tmp/OSL_PIPE_{os.getuid()}_{pipe}").exists()


def test_threads_have_the_time_limit_but_no_memory_limit() -> None:
    pool = ParsePool("thread", 1, 60, MemoryLimits(rss_mb=1, vm_mb=1))
    try:
        assert pool.run(jobs.allocate, 64).result == {"allocated": 64 * MB}
    finally:
        pool.close()

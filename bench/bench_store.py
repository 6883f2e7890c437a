"""The store on PostgreSQL with concurrent writers: reports stored per second, none lost or doubled.

Run by hand from the repository root (not part of the test suite)::

    export YINGJI_TEST_POSTGRES_URL=postgresql+psycopg://yingji@127.0.0.1:54329/yingji_test
    python bench/bench_store.py                        # 4 processes x 500 reports
    python bench/bench_store.py --processes 8 --reports 250 --shared 50

It creates a throw-away database on the server of ``YINGJI_TEST_POSTGRES_URL`` (dropped at
the end), migrates it, and starts ``--processes`` writer processes at once. Each stores
``--reports`` items of its own and ``--shared`` items that every process stores too (the same
report found on several sites at the same moment: concurrent writers of one report), through
the crawl's own path: ``ingest.choice.choose`` over a real parse of a sample, then
``ingest.storing.store_parsed`` with its own Store, one transaction per item, as the store
pipeline does. Agencies are real counties (the adcode table), years 2019-2024. Afterwards it
counts: every report once, exactly one version each, every source URL kept; any difference
is printed and the exit status is 1. It prints the CPU per report of the writers and of their
server backends (from /proc, when the server is on this machine) and the load average: on a
shared machine those say more than the wall-clock rate.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLES = ROOT / "demo" / "samples"
YEARS = range(2019, 2025)


@dataclass(frozen=True)
class Job:
    """What one writer stores: (agency, region, year, sample, url) per item."""

    items: list[tuple[str, str, int, str, str]]


def plan(processes: int, own: int, shared: int) -> list[Job]:
    """Distinct (agency, year) per item, the shared ones in every job under its own URL."""
    from storage.identity import division_table

    table = division_table()
    places = []
    for d in sorted(table.by_code.values(), key=lambda d: d.code):
        if d.level != "county" or d.name == "市辖区":
            continue
        parents = [table.by_code.get(d.code[:2] + "0000"), table.by_code.get(d.code[:4] + "00")]
        places.append((d.name, "".join(p.name for p in parents if p) + d.name))
    samples = sorted(p.name.split(".")[0] for p in SAMPLES.glob("*.body.html"))
    keys = [(place, year) for year in YEARS for place in places]
    needed = processes * own + shared
    if needed > len(keys):
        raise SystemExit(f"at most {len(keys)} distinct reports; asked for {needed}")

    def item(k: int, site: str) -> tuple[str, str, int, str, str]:
        (county, region), year = keys[k]
        url = f"http://{site}.example.gov.cn/yjglj/ndbg/{year}/{k}.html"
        return county + "应急管理局", region, year, samples[k % len(samples)], url

    jobs = []
    for p in range(processes):
        mine = [item(p * own + i, f"site{p}") for i in range(own)]
        common = [item(processes * own + i, f"site{p}") for i in range(shared)]
        # the shared ones spread through the job, so writers meet on them all the time
        step = max(1, len(mine) // max(1, len(common)))
        items = []
        for i, it in enumerate(mine):
            items.append(it)
            if i % step == 0 and common:
                items.append(common.pop(0))
        jobs.append(Job(items + common))
    return jobs


def parsed_samples() -> dict[str, dict[str, Any]]:
    """Each sample body parsed once: the parse result a writer reuses for its reports."""
    from yingji_parser import parse_document

    out = {}
    for path in sorted(SAMPLES.glob("*.body.html")):
        out[path.name.split(".")[0]] = parse_document(path.read_bytes()).to_dict()
    return out


def backend_cpu(pid: int) -> float | None:
    """CPU seconds of a server backend, when the server runs on this machine (else None)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_pid(store: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.connection.driver_connection.info.backend_pid)


def writer(url: str, job: Job, start: Any, results: Any) -> None:
    from ingest.choice import choose
    from ingest.storing import store_parsed
    from ingest.types import Found, ParseAttempt, StoredDocument
    from storage import Store

    samples = parsed_samples()
    outcomes: dict[str, int] = {}
    with Store(url, upgrade=False) as store:
        pid = backend_pid(store)  # the one pooled connection every item reuses
        start.wait()
        server0, began, cpu0 = backend_cpu(pid), time.perf_counter(), time.process_time()
        for agency, region, year, sample, page in job.items:
            result = samples[sample]
            record = {**result["record"], "agency": agency, "year": year}
            sha = hashlib.sha256(f"{agency}{year}{page}".encode()).hexdigest()
            doc = StoredDocument("article", page, None, sha256=sha, size=1000)
            title = f"{agency}{year}年政府信息公开工作年度报告"
            choice = choose(page, [(doc, ParseAttempt({**result, "record": record}))], title)
            found = Found(region, "bench", title, None)
            for outcome in store_parsed(store, choice, [doc], found):
                action = str(outcome.action)
                outcomes[action] = outcomes.get(action, 0) + 1
        took, cpu = time.perf_counter() - began, time.process_time() - cpu0
        server1 = backend_cpu(pid) if backend_pid(store) == pid else None
    server = server1 - server0 if server0 is not None and server1 is not None else None
    results.put((len(job.items), took, outcomes, cpu, server))


def server_url(url: str, database: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{database}"


def admin(url: str, sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def count(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    queries = {
        "reports": "SELECT count(*) FROM reports",
        "distinct agency-years": "SELECT count(DISTINCT (agency_id, year)) FROM reports",
        "versions": "SELECT count(*) FROM report_versions",
        "current versions": "SELECT count(*) FROM current_reports",
        "sources": "SELECT count(DISTINCT url) FROM report_sources",
    }
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {k: int(conn.execute(text(q)).scalar_one()) for k, q in queries.items()}
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--reports", type=int, default=500, help="own reports per process")
    parser.add_argument("--shared", type=int, default=50, help="reports every process stores")
    parser.add_argument("--url", default=os.environ.get("YINGJI_TEST_POSTGRES_URL"))
    args = parser.parse_args(argv)
    if not args.url:
        print("set YINGJI_TEST_POSTGRES_URL (or --url) to a PostgreSQL server", file=sys.stderr)
        return 2
    from storage import Store

    name = f"yingji_bench_{uuid.uuid4().hex[:8]}"
    admin(args.url, f'CREATE DATABASE "{name}"')
    url = server_url(args.url, name)
    try:
        with Store(url):  # migrated once, before the writers start
            pass
        jobs = plan(args.processes, args.reports, args.shared)
        ctx = mp.get_context("spawn")
        start, results = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=writer, args=(url, job, start, results)) for job in jobs]
        for p in procs:
            p.start()
        time.sleep(3)  # every writer imported, parsed its samples and connected
        load_before = os.getloadavg()[0]
        began = time.perf_counter()
        start.set()
        done = [results.get(timeout=600) for _ in procs]
        wall = time.perf_counter() - began
        for p in procs:
            p.join()
        counts = count(url)
    finally:
        admin(args.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    stored = sum(len(j.items) for j in jobs)
    outcomes: dict[str, int] = {}
    for _, _, o, _, _ in done:
        for k, v in o.items():
            outcomes[k] = outcomes.get(k, 0) + v
    expected_reports = args.processes * args.reports + args.shared
    expected = {
        "reports": expected_reports,
        "distinct agency-years": expected_reports,
        "versions": expected_reports,
        "current versions": expected_reports,
        "sources": stored,
    }
    print(f"yingji store benchmark - PostgreSQL, {args.processes} writer processes")
    print(f"items stored: {stored} in {wall:.2f} s = {stored / wall:.0f} reports/s (target >= 200)")
    rates = ", ".join(f"{n / t:.0f}/s" for n, t, *_ in done)
    print(f"per writer: {rates}")
    client = sum(c for *_, c, _ in done) / stored
    servers = [s for *_, s in done if s is not None]
    server = f"{1000 * sum(servers) / stored:.2f} ms" if len(servers) == len(done) else "n/a"
    print(f"CPU per report: client {1000 * client:.2f} ms, server {server} (backends)")
    print(f"load average: {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    ok = outcomes.get("insert", 0) == expected_reports and not outcomes.get("failed")
    for key, want in expected.items():
        got = counts[key]
        ok = ok and got == want
        print(f"  {key:<22} {got:>6}  expected {want:>6}  {'ok' if got == want else 'WRONG'}")
    print("none lost or duplicated" if ok else "LOST OR DUPLICATED: see above")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

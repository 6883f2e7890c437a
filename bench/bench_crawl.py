"""Crawl throughput and memory on a farm of N generated sites, next to ``scrapy bench``.

Run by hand from the repository root (not part of the test suite)::

    python bench/bench_crawl.py --sites 60 --sites 600     # the figures of the README
    python bench/bench_crawl.py --sites 26 --no-scrapy-bench
    python bench/bench_crawl.py --sites 60 --profile prof/ # cProfile of the crawl process
    python bench/bench_crawl.py --sites 60 --recrawl --no-scrapy-bench  # an unchanged recrawl
    python bench/bench_crawl.py --sites 60 --sites 600 --memtrace mem/  # tracemalloc snapshots

It serves a farm of N clones of the bundled sites (``demo/farm.py``) in this process, crawls
it with ``scrapy crawl yingji`` in a child process with the project's settings and politeness
off (``yingji demo``'s settings: no AutoThrottle, a 10 ms delay that keeps one request at a
time per site) into a throw-away SQLite database (or ``--database``), and prints requests/s,
reports/s and the peak RSS of the crawl's process tree (the crawl and its parse workers,
sampled from /proc every 50 ms; the farm's own memory is not counted). ``scrapy bench`` runs
as a child of the same process, so both see the same machine; its figure is pages/s, Scrapy's
own upper bound for a spider that only follows links. Every report the farm holds must end up
in the database: the bench prints how many did and exits 1 when any is missing.

``--recrawl`` crawls the farm twice with the revalidating HTTP cache on (``YINGJI_INCREMENTAL``,
as ``yingji crawl`` runs), the sites unchanged in between, and prints the bytes the second crawl
received next to the first's, as the farm counts what it sent (without the decoy archives, cut
off after their first buffers). Not Scrapy's ``downloader/response_bytes``: that stat is taken
after the cache middleware and counts a page answered from the cache after its 304 in full.

``--memtrace DIR`` runs each crawl with tracemalloc on (``bench/memtrace.py``: snapshots at the
crawl process's RSS peak, at ``spider_idle`` and at the spider's close, in ``DIR/crawl-N/``),
to be compared with ``python bench/memtrace.py DIR/crawl-60/idle.snap DIR/crawl-600/idle.snap``;
tracing slows the crawl, so its rates are not the benchmark's. Every run prints the tree at
its RSS peak, process by process (the crawl, its parse workers, converters), and the CPU time
of the crawl and its children per request.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo.farm import rounds_from_adcodes, serve_farm, template_places  # noqa: E402
from demo.manifest import load_manifest  # noqa: E402
from demo.sites import Sites  # noqa: E402
from storage.identity import division_table  # noqa: E402
from yingji.commands.demo import DEMO_SETTINGS  # noqa: E402

STAT = re.compile(r"'(?P<key>[\w/]+)': (?P<value>[\d.]+)")


def tree_processes(pid: int) -> dict[int, tuple[str, int]]:
    """``pid`` and all its descendants: pid -> (command, resident bytes), from /proc.

    A child still running its parent's command line is a fork that has not reached its
    ``exec`` yet (``subprocess`` and multiprocessing's ``spawn`` start a parse worker or a
    converter so, with ``vfork``): it shares the parent's memory, and counting its RSS would
    count the parent twice for a moment. Such a child is left out.
    """
    out: dict[int, tuple[str, int]] = {}
    todo: list[tuple[int, bytes]] = [(pid, b"")]
    while todo:
        p, parent_cmdline = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            raw = Path(f"/proc/{p}/cmdline").read_bytes()
            if raw == parent_cmdline:
                continue
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [(int(c), raw) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        m = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        name = " ".join(a.decode(errors="replace") for a in raw.split(b"\0")[:4] if a)
        out[p] = (name[:80], int(m.group(1)) * 1024 if m else 0)
    return out


@dataclass
class Run:
    """One child process: its stats from the log, its wall time and peak tree RSS."""

    stats: dict[str, float]
    wall: float
    peak_rss: int
    code: int
    peak_main: int = 0  # the process alone, without its parse workers and converters
    #: the tree at its peak: pid -> (command, resident bytes)
    at_peak: dict[int, tuple[str, int]] = field(default_factory=dict)
    peak_at: float = 0.0  # seconds after the start
    #: (seconds, the process's RSS, its children's) every 0.5 s, for --keep's rss.csv
    timeline: list[tuple[float, int, int]] = field(default_factory=list)
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for


def run_measured(cmd: list[str], log: Path, env: dict[str, str], cwd: Path = ROOT) -> Run:
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
    peak = main = 0
    at_peak: dict[int, tuple[str, int]] = {}
    peak_at = 0.0
    timeline: list[tuple[float, int, int]] = []
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, main, at_peak, peak_at
        while not stop.is_set():
            tree = tree_processes(proc.pid)
            total = sum(rss for _, rss in tree.values())
            own = tree.get(proc.pid, ("", 0))[1]
            at = time.monotonic() - started
            if total > peak:
                peak, at_peak, peak_at = total, tree, at
            main = max(main, own)
            if not timeline or at - timeline[-1][0] >= 0.5:
                timeline.append((at, own, total - own))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    stop.set()
    sampler.join()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    dump = text.rsplit("Dumping Scrapy stats:", 1)[-1]
    stats = {m["key"]: float(m["value"]) for m in STAT.finditer(dump)}
    return Run(stats, wall, peak, code, main, at_peak, peak_at, timeline, cpu)


def scrapy_bench(tmp: Path, env: dict[str, str]) -> Run:
    log = tmp / "scrapy-bench.log"
    cmd = [sys.executable, "-m", "scrapy", "bench", "-s", f"LOG_FILE={log}"]
    # outside the project (no scrapy.cfg, no project settings): Scrapy's own defaults, as
    # `scrapy bench` is meant to run; the project's address guard would refuse its 127.0.0.1
    bench_env = {k: v for k, v in env.items() if k not in ("SCRAPY_SETTINGS_MODULE", "PYTHONPATH")}
    return run_measured(cmd, log, bench_env, cwd=tmp)


def stored_reports(database: Path) -> set[tuple[str, int]]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT agency, agency_as_written, year FROM current_reports")
        # the store names an agency by its division's name; the farm by what its pages say
        return {(str(name), int(y)) for a, w, y in rows for name in (a, w)}


def sent_bytes(farm: Sites) -> int:
    """What the farm's sites sent, without their decoy archives."""
    total = 0
    for site in farm.sites.values():
        decoys = set(site.spec.get("decoys", []))
        total += sum(n for path, n in site.bytes_sent.items() if path not in decoys)
    return total


def crawl_farm(
    n: int,
    tmp: Path,
    env: dict[str, str],
    profile: Path | None,
    spy: Path | None,
    recrawl: bool = False,
    memtrace: Path | None = None,
    extra: tuple[str, ...] = (),
) -> dict[str, object]:
    templates = load_manifest()["sites"]
    rounds = -(-n // len(templates))
    rows = [(d.code, d.name) for d in division_table().by_code.values()]
    renamings = rounds_from_adcodes(rows, template_places(templates), rounds)
    run_dir = tmp / f"farm{n}"
    run_dir.mkdir()
    database = run_dir / "yingji.db"
    log = run_dir / "crawl.log"
    with serve_farm(n, renamings) as farm:
        seeds = farm.seeds_csv(run_dir / "seeds.csv")
        cmd = []
        if spy is not None:  # sampled from outside, every 50 ms, without pausing the crawl
            spy.mkdir(parents=True, exist_ok=True)
            out = spy / f"crawl-{n}.txt"
            cmd += ["py-spy", "record", "--nonblocking", "--subprocesses", "-r", "20"]
            cmd += ["-f", "raw", "-o", str(out), "--"]
        cmd += [sys.executable]
        if profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
            cmd += ["-m", "cProfile", "-o", str(profile / f"crawl-{n}.prof")]
        cmd += ["-m", "scrapy", "crawl", "yingji", "-a", f"seeds={seeds}"]
        for setting in (f"DATABASE_URL=sqlite:///{database}", *DEMO_SETTINGS, *extra):
            cmd += ["-s", setting]
        if recrawl:
            cmd += ["-s", "YINGJI_INCREMENTAL=True", "-s", f"HTTPCACHE_DIR={run_dir / 'cache'}"]
        if memtrace is not None:  # the project's settings plus the tracer (bench/memtrace.py)
            out = (memtrace / f"crawl-{n}").resolve()
            env = dict(env, SCRAPY_SETTINGS_MODULE="bench.memtrace_settings")
            env["YINGJI_BENCH_MEMTRACE"] = str(out)
        run = run_measured([*cmd, "-s", f"LOG_FILE={log}"], log, env)
        with (run_dir / "rss.csv").open("w") as fh:  # kept with --keep
            fh.write("seconds,crawl_mb,children_mb\n")
            fh.writelines(f"{t:.1f},{a / 2**20:.1f},{b / 2**20:.1f}\n" for t, a, b in run.timeline)
        first_sent = sent_bytes(farm)
        again = None
        if recrawl:
            log2 = run_dir / "recrawl.log"
            again = run_measured([*cmd, "-s", f"LOG_FILE={log2}"], log2, env)
        recrawl_sent = sent_bytes(farm) - first_sent
        expected = farm.expected_reports()
    stored = stored_reports(database) if database.exists() else set()
    missing = [
        (r["agency"], r["year"])
        for r in expected
        if not any((name, int(r["year"])) in stored for name in r["names"])
    ]
    return {
        "sites": n,
        "run": run,
        "again": again,
        "sent": (first_sent, recrawl_sent),
        "expected": len(expected),
        "found": len(expected) - len(missing),
        "missing": missing[:5],
    }


def per_second(run: Run, key: str) -> float:
    elapsed = run.stats.get("elapsed_time_seconds") or run.wall
    return run.stats.get(key, 0.0) / elapsed


def peak_tree(run: Run) -> str:
    """The tree at its RSS peak, the crawl first, then its children by command."""
    parts = []
    for pid, (name, rss) in sorted(run.at_peak.items()):
        found = re.search(r"scrapy|spawn_main|forkserver|resource_tracker|soffice|unoserver", name)
        what = found.group(0) if found else name.split(" ", 1)[0].rsplit("/", 1)[-1]
        parts.append(f"{pid} {what} {rss / 2**20:.0f} MB")
    return ", ".join(parts)


def recrawl_line(r: dict[str, object], again: Run) -> str:
    """The unchanged recrawl against the first crawl: bytes the farm sent, what was reused."""
    sent = r["sent"]
    assert isinstance(sent, tuple)
    first, second = int(sent[0]), int(sent[1])
    return (
        f"farm of {r['sites']}, unchanged recrawl: received {second} of the first crawl's"
        f" {first} bytes ({second / first if first else 0:.2%}, target < 5%);"
        f" {again.stats.get('httpcache/revalidate', 0):.0f} pages revalidated,"
        f" {again.stats.get('yingji/documents/reused', 0):.0f} documents reused,"
        f" {again.stats.get('yingji/documents/not_modified', 0):.0f} revalidated,"
        f" {again.stats.get('yingji/documents/downloaded', 0):.0f} downloaded;"
        f" {again.stats.get('yingji/noop', 0):.0f} noops,"
        f" {again.stats.get('yingji/new_version', 0):.0f} new versions"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, action="append", help="farm size (repeatable)")
    parser.add_argument("--no-scrapy-bench", action="store_true", help="skip `scrapy bench`")
    parser.add_argument("--keep", action="store_true", help="keep the logs and databases")
    parser.add_argument("--profile", type=Path, help="write cProfile output of each crawl here")
    parser.add_argument("--py-spy", type=Path, help="write py-spy samples of each crawl here")
    parser.add_argument(
        "--recrawl", action="store_true", help="crawl each farm again, unchanged, with the cache"
    )
    parser.add_argument(
        "--memtrace", type=Path, help="write tracemalloc snapshots of each crawl here"
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a setting, as -s"
    )
    args = parser.parse_args(argv)
    sizes = [n for n in args.sites or [60] if n > 0]  # --sites 0: scrapy bench only
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings")
    env.pop("YINGJI_DATABASE_URL", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    ok = True
    with contextlib.ExitStack() as stack:
        if args.keep:
            tmp = Path(tempfile.mkdtemp(prefix="yingji-bench-"))
            print(f"logs and databases kept in {tmp}")
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="yingji-bench-")))
        bench = None if args.no_scrapy_bench else scrapy_bench(tmp, env)
        results = [
            crawl_farm(
                n, tmp, env, args.profile, args.py_spy, args.recrawl, args.memtrace, (*args.set,)
            )
            for n in sizes
        ]
    print(f"yingji crawl benchmark - Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    header = (
        f"{'run':<24} {'requests':>8} {'req/s':>7} {'reports':>7} {'rep/s':>6}"
        f" {'elapsed s':>9} {'peak RSS MB':>11}  reports stored"
    )
    print(header)
    print("-" * len(header))
    if bench is not None:
        print(
            f"{'scrapy bench':<24} {bench.stats.get('response_received_count', 0):>8.0f}"
            f" {per_second(bench, 'response_received_count'):>7.1f} {'-':>7} {'-':>6}"
            f" {bench.stats.get('elapsed_time_seconds', bench.wall):>9.1f}"
            f" {bench.peak_rss / 2**20:>11.0f}  -"
        )
    for r in results:
        run = r["run"]
        assert isinstance(run, Run)
        reports = run.stats.get("item_scraped_count", 0)
        print(
            f"{'farm of ' + str(r['sites']) + ' sites':<24}"
            f" {run.stats.get('downloader/request_count', 0):>8.0f}"
            f" {per_second(run, 'downloader/request_count'):>7.1f} {reports:>7.0f}"
            f" {per_second(run, 'item_scraped_count'):>6.1f}"
            f" {run.stats.get('elapsed_time_seconds', run.wall):>9.1f}"
            f" {run.peak_rss / 2**20:>11.0f}  {r['found']}/{r['expected']}"
        )
        if run.code != 0 or r["found"] != r["expected"]:
            ok = False
            print(f"  exit {run.code}; missing e.g. {r['missing']}")
    print()
    for r in results:
        run = r["run"]
        assert isinstance(run, Run)
        requests = run.stats.get("downloader/request_count", 0)
        print(
            f"farm of {r['sites']}, the tree at its peak ({run.peak_at:.0f} s of {run.wall:.0f}):"
            f" {peak_tree(run)}; CPU {run.cpu:.1f} s"
            f" ({1000 * run.cpu / requests if requests else 0:.1f} ms a request)"
        )
    if bench is not None and bench.stats.get("response_received_count", 0) < 10:
        ok = False
        print(f"scrapy bench crawled almost nothing (exit {bench.code}): see its log with --keep")
    if bench is not None:
        base = per_second(bench, "response_received_count")
        for r in results:
            run = r["run"]
            assert isinstance(run, Run)
            ratio = per_second(run, "response_received_count") / base if base else 0.0
            print(f"farm of {r['sites']}: {ratio:.2f}x scrapy bench pages/s (target >= 0.8x)")
    for r in results:
        if isinstance(again := r["again"], Run):
            ok = ok and again.code == 0 and again.stats.get("yingji/new_version", 0) == 0
            print(recrawl_line(r, again))
    if len(results) >= 2:
        small, large = results[0]["run"], results[-1]["run"]
        assert isinstance(small, Run) and isinstance(large, Run)
        growth = large.peak_rss / small.peak_rss - 1 if small.peak_rss else 0.0
        main = large.peak_main / small.peak_main - 1 if small.peak_main else 0.0
        print(
            f"peak RSS {results[-1]['sites']} vs {results[0]['sites']} sites:"
            f" {growth:+.0%} (target within 10%); the crawl process alone"
            f" {small.peak_main / 2**20:.0f} -> {large.peak_main / 2**20:.0f} MB ({main:+.0%})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Where the crawl process's memory goes: tracemalloc snapshots of a benchmark crawl.

Used only by ``bench/bench_crawl.py --memtrace DIR``, never by the project's settings: the
bench runs the crawl with ``SCRAPY_SETTINGS_MODULE=bench.memtrace_settings`` (the project's
settings plus the :class:`MemTrace` extension below) and ``YINGJI_BENCH_MEMTRACE=DIR``.

Why measured and not guessed: the peak RSS of a farm of 600 sites was 18 % above that of 60,
and the candidates (Scrapy's downloader slots, Twisted's connection pool, robots.txt parsers,
the spider's per-site state, the run record) are all "a few kB per site"; only figures of
the running crawl say which one grows (bench/README.md, "What grows").

The extension starts tracemalloc when the crawler is built (``YINGJI_BENCH_MEMTRACE_FRAMES``
frames, default 12; tracing makes the crawl several times slower) and samples every second
its RSS, the requests waiting in the scheduler, the downloader's slots and requests, the items
in the pipelines and the responses being processed (``timeline`` in ``memtrace.json``). It
writes ``peak.snap`` whenever the RSS reached a new high (at most every ``_PEAK_EVERY``
seconds, so a rising crawl is not slowed by dumps), ``idle.snap`` when the engine runs out of
work (``spider_idle``: the state at the end of the crawl, before its close frees the
downloader's slots and connections) and ``close.snap`` when the spider closes. At idle and
close ``memtrace.json`` also gets :func:`heap_figures`: where the RSS is (Python's object
allocator, glibc's heap, live objects by type). With ``YINGJI_BENCH_MEMTRACE_FRAMES=0`` there
is no tracemalloc, only the timeline and the heap figures, at the crawl's own speed.

Compare two runs from the command line::

    python bench/memtrace.py DIR/crawl-60/idle.snap DIR/crawl-600/idle.snap   # by traceback
    python bench/memtrace.py DIR/crawl-60/idle.snap DIR/crawl-600/idle.snap --by filename
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import re
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

ENV_DIR = "YINGJI_BENCH_MEMTRACE"
ENV_FRAMES = "YINGJI_BENCH_MEMTRACE_FRAMES"
_PEAK_EVERY = 10.0  # seconds between two peak snapshots at most


def rss_bytes(pid: int | str = "self") -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    m = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(m.group(1)) * 1024 if m else 0


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def heap_figures() -> dict[str, Any]:
    """Where the RSS is, without tracemalloc: the kernel's split (anonymous, file), Python's
    object allocator (pymalloc arenas), glibc's heap (``mallinfo2``: in use, free inside the
    heap, mmapped), the threads, and the live objects by type (gc)."""
    status = Path("/proc/self/status").read_text()
    out: dict[str, Any] = {
        key: int(m.group(1)) * 1024
        for key in ("VmRSS", "RssAnon", "RssFile", "VmHWM")
        if (m := re.search(rf"^{key}:\s+(\d+) kB", status, re.MULTILINE))
    }
    out["threads"] = threading.active_count()
    with tempfile.TemporaryFile() as f:  # _debugmallocstats writes to the C stderr
        saved = os.dup(2)
        try:
            os.dup2(f.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        f.seek(0)
        text = f.read().decode(errors="replace")
    for key, label in (
        ("pymalloc_arenas", r"arenas allocated current"),
        ("pymalloc_used", r"bytes in allocated blocks"),
        ("pymalloc_free", r"bytes in available blocks"),
    ):
        if m := re.search(rf"{label}\s+=\s+([\d,]+)", text):
            out[key] = int(m.group(1).replace(",", ""))
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
        out["malloc_in_use"] = info.uordblks
        out["malloc_free"] = info.fordblks
        out["malloc_mmapped"] = info.hblkhd
    counts = Counter(type(o).__qualname__ for o in gc.get_objects())
    out["objects"] = dict(counts.most_common(60))
    return out


class MemTrace:
    """A Scrapy extension: tracemalloc snapshots at the RSS peak and at the spider's close."""

    def __init__(self, out: Path, frames: int) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self.tracing = frames > 0  # 0: the heap figures only, at full speed
        if self.tracing and not tracemalloc.is_tracing():
            tracemalloc.start(frames)
        self.peak_rss = 0
        self.last_dump = self.last_idle = 0.0
        self.figures: dict[str, Any] = {}
        self.loop: Any = None
        self.crawler: Any = None
        #: every second: (seconds, RSS, requests in the scheduler, downloader slots, requests
        #: in the downloader, items in the pipelines, responses in the scraper)
        self.timeline: list[tuple[float, ...]] = []
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> MemTrace:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        out = os.environ.get(ENV_DIR)
        if not out:
            raise NotConfigured(f"{ENV_DIR} is not set")
        ext = cls(Path(out), int(os.environ.get(ENV_FRAMES, "12")))
        ext.crawler = crawler
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Any) -> None:
        from twisted.internet import task

        self.loop = task.LoopingCall(self.sample)
        self.loop.start(1.0, now=False)

    def sample(self) -> None:
        rss = rss_bytes()
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        queued = len(slot.scheduler) if slot is not None and slot.scheduler is not None else 0
        downloader = engine.downloader
        at = round(time.monotonic() - self.started, 1)
        scraper = engine.scraper.slot
        self.timeline.append(
            (
                at,
                rss,
                queued,
                len(downloader.slots),
                len(downloader.active),
                scraper.itemproc_size if scraper else 0,
                len(scraper.active) if scraper else 0,
            )
        )
        if rss <= self.peak_rss:
            return
        self.peak_rss = rss
        now = time.monotonic()
        if now - self.last_dump >= _PEAK_EVERY:
            self.last_dump = now
            self.dump("peak", rss)

    def idle(self, spider: Any) -> None:
        """The crawl's work is done (or paused for a fallback): what it still holds, before
        the close frees the downloader's slots and connections."""
        now = time.monotonic()
        if now - self.last_idle >= _PEAK_EVERY:
            self.last_idle = now
            self.dump("idle", rss_bytes())

    def dump(self, name: str, rss: int) -> None:
        self.figures[name] = {"rss": rss, "at": time.time()}
        if self.tracing:
            traced, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.take_snapshot().dump(str(self.out / f"{name}.snap"))
            self.figures[name].update(traced=traced, traced_peak=traced_peak)
        if name != "peak":
            self.figures[name]["heap"] = heap_figures()
        (self.out / "memtrace.json").write_text(json.dumps(self.figures, indent=1))

    def closed(self, spider: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.dump("close", rss_bytes())
        self.figures["close"]["peak_rss_seen"] = self.peak_rss
        self.figures["timeline"] = self.timeline
        (self.out / "memtrace.json").write_text(json.dumps(self.figures, indent=1))


def _filtered(snap: tracemalloc.Snapshot) -> tracemalloc.Snapshot:
    return snap.filter_traces(
        [
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
        ]
    )


def compare(small: Path, large: Path, by: str, limit: int, frames: int) -> None:
    """Print what ``large`` holds more of than ``small``, biggest first."""
    a = _filtered(tracemalloc.Snapshot.load(str(small)))
    b = _filtered(tracemalloc.Snapshot.load(str(large)))
    total_a = sum(s.size for s in a.statistics("filename"))
    total_b = sum(s.size for s in b.statistics("filename"))
    print(f"traced: {total_a / 2**20:.1f} MB -> {total_b / 2**20:.1f} MB")
    for stat in b.compare_to(a, by)[:limit]:
        print(
            f"{stat.size_diff / 1024:+10.0f} kB {stat.count_diff:+8d} blocks"
            f"  (now {stat.size / 1024:.0f} kB)"
        )
        for line in stat.traceback.format(limit=frames, most_recent_first=True):
            print("    " + line.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="diff two tracemalloc snapshots")
    parser.add_argument("small", type=Path)
    parser.add_argument("large", type=Path)
    parser.add_argument("--by", default="traceback", choices=["traceback", "lineno", "filename"])
    parser.add_argument("--limit", type=int, default=25)
    parser.add_argument("--frames", type=int, default=8, help="frames printed per traceback")
    args = parser.parse_args(argv)
    compare(args.small, args.large, args.by, args.limit, args.frames)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

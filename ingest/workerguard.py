"""Parse worker processes under a memory limit, watched from outside, killed with their tree.

Why two limits: ``RLIMIT_AS`` (set in each worker as it starts) is the hard stop, a failed
allocation that Python raises as ``MemoryError`` (and the parse maps to ``too_large``); but
address space is not memory (ONNX Runtime maps 1.5 GB to OCR a scan in 0.7 GB), so it must sit
well above what a parse really uses. The watchdog is the real bound: a thread in the *parent*
reads each worker's resident size every 0.1 s, and a worker over ``YINGJI_PARSE_MEMORY_MB`` is
killed. It is watched from outside because a worker deep in C code may hold its GIL for seconds
and could not watch itself.

Which document was it? ProcessPoolExecutor never says which worker runs which job, so every
job leaves a mark (its worker's pid, in a folder of the pool) while it runs; a job whose future
fails because its pool broke is the culprit when its mark names the worker the watchdog killed,
and an innocent bystander (retried by the pool's policy) otherwise.

Environment (optional): ``YINGJI_PARSE_MEMORY_MB`` (resident limit, default 1024, 0 = not
watched) and ``YINGJI_PARSE_MAX_VM_MB`` (address space, default 3072, 0 = none; raise it on
machines with many cores, where ONNX Runtime and malloc reserve more per thread). Thread pools
(``YINGJI_PARSE_POOL=thread``) share the crawl's own process and cannot be limited.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import gc
import importlib
import multiprocessing
import os
import resource
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from ingest.types import ParseAttempt
from yingji_parser.convert import reap

MB = 1024 * 1024


def _env_mb(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of megabytes") from None


#: resident megabytes of a parse worker unless ``YINGJI_PARSE_MEMORY_MB`` says (OCR of a scan
#: peaks at ~0.7 GB)
DEFAULT_RSS_MB = 1024.0
#: address space of a parse worker unless ``YINGJI_PARSE_MAX_VM_MB`` says (OCR maps ~1.6 GB)
DEFAULT_VM_MB = 3072.0


@dataclass(frozen=True, slots=True)
class MemoryLimits:
    """What one parse worker may use; 0 switches a limit off."""

    rss_mb: float = DEFAULT_RSS_MB
    vm_mb: float = DEFAULT_VM_MB
    #: seconds between two looks at the workers' resident sizes
    poll: float = 0.1

    @classmethod
    def from_env(cls) -> MemoryLimits:
        return cls(
            rss_mb=_env_mb("YINGJI_PARSE_MEMORY_MB", DEFAULT_RSS_MB),
            vm_mb=_env_mb("YINGJI_PARSE_MAX_VM_MB", DEFAULT_VM_MB),
        )


class OverMemory(Exception):
    """The job's worker was killed by the watchdog: over its resident-memory limit."""

    def __init__(self, used: int, limit_mb: float) -> None:
        super().__init__(
            f"the parse used over {used / MB:.0f} MB of memory, above the {limit_mb:g} MB limit "
            "(YINGJI_PARSE_MEMORY_MB); its worker was stopped"
        )


def init_worker(max_vm: int, warm: tuple[str, ...] = ()) -> None:
    """Worker initializer: the address-space limit (soft only, so that a converter this worker
    starts may still set its own, and a hostile document has no code to raise it), then the
    warm-up: each ``warm`` entry, ``"module"`` or ``"module:function"``, imported (and called),
    and everything start-up made frozen out of the cyclic collector's passes.

    Why: a worker lives for thousands of jobs, and what it imports (the parser, and for a
    re-parse SQLAlchemy, the models and the division table) lives as long. Left to the
    collector, every full pass walked those objects again: 10-15 % of a re-parse worker's CPU.
    """
    if max_vm > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = max_vm if hard == resource.RLIM_INFINITY else min(max_vm, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    for entry in warm:
        module, _, function = entry.partition(":")
        loaded = importlib.import_module(module)
        if function:
            getattr(loaded, function)()
    gc.freeze()


def run_marked(marks: str, job: str, fn: Callable[..., ParseAttempt], *args: Any) -> ParseAttempt:
    """``fn(*args)`` in a worker, with this worker's pid left under ``marks/job`` meanwhile.

    A ``MemoryError`` (the address-space limit refused an allocation) is the document's cost,
    not a crash: ``too_large``.
    """
    mark = Path(marks) / job
    with contextlib.suppress(OSError):
        mark.write_text(str(os.getpid()))
    try:
        return fn(*args)
    except MemoryError:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        limit = f"its {soft / MB:.0f} MB" if soft != resource.RLIM_INFINITY else "the"
        return ParseAttempt.failed(
            f"the parse ran out of memory under {limit} address-space limit "
            "(YINGJI_PARSE_MAX_VM_MB)",
            "too_large",
        )
    finally:
        mark.unlink(missing_ok=True)


def kill_tree(pid: int) -> None:
    """Kill process ``pid`` and everything below it (its converters, their LibreOffice)."""
    try:
        top = psutil.Process(pid)
        below = top.children(recursive=True)
    except psutil.Error:
        return
    with contextlib.suppress(psutil.Error):
        top.kill()  # first: a worker still alive would start a new converter for the retry
    reap(below)


class GuardedExecutor(cf.Executor):
    """A spawn ProcessPoolExecutor whose workers run under :class:`MemoryLimits`, warmed up
    with ``warm`` (see :func:`init_worker`)."""

    def __init__(self, workers: int, limits: MemoryLimits, warm: tuple[str, ...] = ()) -> None:
        self.limits = limits
        self.marks = tempfile.mkdtemp(prefix="yingji-parse-")
        # spawn: a fork of a process running a reactor and its threads is not safe
        self.inner = cf.ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(int(limits.vm_mb * MB), warm),
        )
        self.killed: dict[int, int] = {}  # worker pid -> resident bytes when it was killed
        self._stop = threading.Event()
        if limits.rss_mb > 0:
            threading.Thread(target=self._watch, name="yingji-parse-watchdog", daemon=True).start()

    def pids(self) -> list[int]:
        return list(getattr(self.inner, "_processes", None) or {})

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        """``fn(*args)`` in a worker; its future fails with :class:`OverMemory` when the
        watchdog killed the worker running it."""
        job = uuid.uuid4().hex
        inner = self.inner.submit(run_marked, self.marks, job, fn, *args, **kwargs)
        outer: cf.Future[Any] = cf.Future()

        def settle(done: cf.Future[Any]) -> None:
            if done.cancelled():
                outer.cancel()
                return
            exc = done.exception()
            if exc is None:
                outer.set_result(done.result())
                return
            if isinstance(exc, cf.process.BrokenProcessPool):
                exc = self._culprit(job) or exc
            outer.set_exception(exc)

        inner.add_done_callback(settle)
        return outer

    def _culprit(self, job: str) -> OverMemory | None:
        mark = Path(self.marks) / job
        try:
            pid = int(mark.read_text())
        except (OSError, ValueError):
            return None
        mark.unlink(missing_ok=True)
        used = self.killed.get(pid)
        return OverMemory(used, self.limits.rss_mb) if used is not None else None

    def _watch(self) -> None:
        limit = self.limits.rss_mb * MB
        while not self._stop.wait(self.limits.poll):
            for pid in self.pids():
                try:
                    used = psutil.Process(pid).memory_info().rss
                except psutil.Error:
                    continue
                if used > limit and pid not in self.killed:
                    self.killed[pid] = used  # before the kill: the futures fail right after
                    kill_tree(pid)

    def kill(self) -> None:
        """Kill every worker with its converters, and drop the pool without waiting."""
        for pid in self.pids():
            kill_tree(pid)
        self.shutdown(wait=False, cancel_futures=True)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._stop.set()
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)
        shutil.rmtree(self.marks, ignore_errors=True)

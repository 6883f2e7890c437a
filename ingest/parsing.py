"""Parsing stored documents, and the one pool policy every parse runs under.

Why a process pool by default: parsing a PDF is CPU-bound Python; in a thread it would still
hold the GIL and slow the crawl, in a worker process it cannot. The pool is bounded
(``YINGJI_PARSE_WORKERS``), each parse has a time limit (``YINGJI_PARSE_TIMEOUT`` seconds)
and each worker a memory limit (:mod:`ingest.workerguard`: ``YINGJI_PARSE_MEMORY_MB``
resident, ``YINGJI_PARSE_MAX_VM_MB`` address space); a document over either is recorded as
failed (``timed_out`` / ``too_large``) and the pool replaced, its workers killed together with
any LibreOffice they were converting with, so the next document starts in a fresh worker.
``YINGJI_PARSE_POOL=thread`` switches to threads where processes are unwelcome; threads share
the crawl's process, so they have the time limit (the parse is abandoned, not stopped) but no
memory limit.

The policy here is plain ``concurrent.futures``: :meth:`ParsePool.run` blocks (for callers
without a reactor); the parse pipeline awaits the same executor from the reactor thread and
hands what went wrong to :meth:`ParsePool.failure`, so both decide alike.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar

from ingest.types import ParseAttempt
from ingest.workerguard import GuardedExecutor, MemoryLimits, OverMemory
from storage.files import FileStore
from yingji_parser import ParseError, parse_document

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: seconds a parse may take unless ``YINGJI_PARSE_TIMEOUT`` says otherwise; a parse past it
#: fails alone and its worker is replaced
DEFAULT_TIMEOUT = 120.0
#: what a parse worker loads as it starts, before its start-up is frozen out of the collector
#: (ingest.workerguard.init_worker): this module and, through it, the parser
PARSE_WARM = ("ingest.parsing", "yingji_parser.api")


def default_workers() -> int:
    """Parse workers unless ``YINGJI_PARSE_WORKERS``/``--workers`` say: the CPUs, at most 4."""
    return min(4, os.cpu_count() or 1)


def parse_stored(
    root: str, sha256: str, filename: str | None, content_type: str | None
) -> ParseAttempt:
    """Parse the stored document ``sha256`` under the file store ``root``.

    Returns the ParseAttempt: the ``ParseResult.to_dict()``, or the reason and its code.
    Module-level and given only plain values, so a process pool can run it: the bytes are read
    in the worker rather than pickled across.
    """
    try:
        data = FileStore(root).read(sha256)
    except OSError as exc:
        return ParseAttempt.failed(str(exc), "missing_file")
    try:
        result = parse_document(data, filename=filename, content_type=content_type)
    except ParseError as exc:
        return ParseAttempt.failed(str(exc) or exc.code, exc.code)
    except MemoryError:  # the worker's address-space limit: the document's cost, not a bug
        return ParseAttempt.failed("the parse ran out of memory", "too_large")
    except Exception as exc:  # a parser bug must cost one document, never the crawl
        return ParseAttempt.failed(f"parser crashed: {type(exc).__name__}: {exc}", "parser_crash")
    return ParseAttempt(result.to_dict())


class ParsePool:
    """A bounded pool of parse workers with a time limit per parse and a memory limit per
    worker (``memory``: from the environment unless given; processes only), each worker
    loading ``warm`` as it starts (``"module"`` or ``"module:function"``: the jobs' code)."""

    def __init__(
        self,
        kind: str,
        workers: int,
        timeout: float,
        memory: MemoryLimits | None = None,
        warm: tuple[str, ...] = PARSE_WARM,
    ) -> None:
        self.kind = kind
        self.workers = max(1, workers)
        self.timeout = timeout
        self.memory = memory or MemoryLimits.from_env()
        self.warm = warm
        self._executor: cf.Executor | None = None

    def executor(self) -> cf.Executor:
        """The live executor, made on first use and after a failure replaced it."""
        if self._executor is None:
            self._executor = self._make()
        return self._executor

    def _make(self) -> cf.Executor:
        if self.kind == "thread":
            return cf.ThreadPoolExecutor(self.workers, thread_name_prefix="yingji-parse")
        return GuardedExecutor(self.workers, self.memory, self.warm)

    def failure(
        self, exc: BaseException, executor: cf.Executor, attempt: int
    ) -> ParseAttempt | None:
        """The answer for a parse job that raised ``exc`` on its ``attempt`` (1 or 2), or None
        to try once more: a parse past its time or memory limit fails, a worker that died
        under another job is retried once in a new pool, anything else fails with its reason
        (never lose the item)."""
        if isinstance(exc, OverMemory):
            self._discard(executor)
            return ParseAttempt.failed(str(exc), "too_large")
        if isinstance(exc, TimeoutError):
            self._discard(executor)
            return ParseAttempt.failed(
                f"parse took longer than {self.timeout:g} s (YINGJI_PARSE_TIMEOUT); "
                "its worker was stopped",
                "timed_out",
            )
        if isinstance(exc, cf.process.BrokenProcessPool | cf.CancelledError):
            self._discard(executor)
            if attempt == 2:
                vm = f" (it runs under a {self.memory.vm_mb:g} MB address-space limit)"
                return ParseAttempt.failed(
                    "the parse worker died" + (vm if self.memory.vm_mb > 0 else ""),
                    "worker_died",
                )
            return None
        logger.error("parse job failed", exc_info=exc)
        return ParseAttempt.failed(f"parse failed: {type(exc).__name__}: {exc}", "pool")

    def run(self, fn: Callable[..., T], *args: Any) -> T | ParseAttempt:
        """``fn(*args)`` in the pool, waited for in this thread: its answer, or the failed
        ParseAttempt that says why there is none (a job that is not a parse tells the two
        apart: ``yingji reparse`` plans each group's store in the pool)."""
        for attempt in (1, 2):
            executor = self.executor()
            try:
                return executor.submit(fn, *args).result(timeout=self.timeout)
            except Exception as exc:
                out = self.failure(exc, executor, attempt)
                if out is not None:
                    return out
        raise AssertionError("unreachable")

    def map(
        self, fn: Callable[..., ParseAttempt], calls: list[tuple[Any, ...]]
    ) -> list[ParseAttempt]:
        """``fn(*args)`` for every ``args`` of ``calls``, in order. At most one job per worker
        is in flight, so the time limit measures each parse, never its wait in the queue."""
        with cf.ThreadPoolExecutor(self.workers, thread_name_prefix="yingji-parse-wait") as waits:
            return list(waits.map(lambda args: self.run(fn, *args), calls))

    def _discard(self, executor: cf.Executor) -> None:
        """Replace a pool whose worker hangs or died: its workers are killed now, with the
        converters (LibreOffice) they started and their folders."""
        if self._executor is executor:
            self._executor = None
        if isinstance(executor, GuardedExecutor):
            executor.kill()
        else:  # threads cannot be stopped: the hung parse is abandoned
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

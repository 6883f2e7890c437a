"""A small per-process pool of warm converters, started lazily, replaced when they fail.

Parse workers are processes that convert one document at a time, so the default is one
converter per process (``YINGJI_CONVERTERS``). A converter that timed out, went over its memory
limit or died is killed and the next document gets a fresh one; a converter that died *during*
a conversion without our doing (killed from outside, a crash) gets the document once more on a
fresh converter. Converters and their profile folders go away with :meth:`ConverterPool.close`,
at interpreter exit (``atexit``), and, when the process is killed, by themselves (they watch
their parent). A forked child never uses its parent's converters.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from yingji_parser.convert.converter import Converter, ConverterDied
from yingji_parser.convert.settings import ConverterSettings
from yingji_parser.errors import ConversionFailed, ParseError


class ConverterPool:
    """Up to ``settings.size`` converters shared by the threads of one process."""

    def __init__(self, settings: ConverterSettings | None = None) -> None:
        self.settings = settings or ConverterSettings.from_env()
        self._idle: list[Converter] = []
        self._busy: set[Converter] = set()
        self._starting = 0
        self._cond = threading.Condition()
        self._closed = False
        self._pid = os.getpid()

    def __enter__(self) -> ConverterPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def convert(
        self, data: bytes, suffix: str, convert_to: str, filter_name: str, timeout: float
    ) -> bytes:
        """Convert ``data`` (a file ending in ``suffix``) on the first free converter.

        ``convert_to`` is the output's extension, ``filter_name`` LibreOffice's export filter
        ("MS Word 2007 XML"), ``timeout`` the seconds the conversion itself may take (the start
        of a converter has its own limit). See the module doc for what failures do.
        """
        for attempt in (1, 2):
            with self._converter() as conv:
                try:
                    return conv.convert(data, suffix, convert_to, filter_name, timeout)
                except ConverterDied as exc:
                    if attempt == 2:
                        raise ConversionFailed(
                            f"LibreOffice stopped twice while converting the document ({exc}; "
                            f"its memory limit is {self.settings.max_vm_mb:g} MB of address "
                            "space)"
                        ) from exc
        raise AssertionError("unreachable")

    @contextmanager
    def _converter(self) -> Iterator[Converter]:
        conv = self._acquire()
        healthy = False
        try:
            yield conv
            healthy = True
        except ParseError as exc:
            healthy = type(exc) is ConversionFailed and conv.alive  # it read, the file did not
            raise
        finally:
            self._release(conv, healthy and conv.jobs < self.settings.max_jobs)

    def _acquire(self) -> Converter:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("the converter pool is closed")
                while self._idle:
                    conv = self._idle.pop()
                    if conv.alive:
                        self._busy.add(conv)
                        return conv
                    conv.kill()
                if len(self._busy) + self._starting < self.settings.size:
                    break
                self._cond.wait()
            self._starting += 1  # holds its place while it starts, without holding the lock
        try:
            conv = Converter(self.settings)
        finally:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
        with self._cond:
            self._busy.add(conv)
        return conv

    def _release(self, conv: Converter, keep: bool) -> None:
        with self._cond:
            self._busy.discard(conv)
            if keep and not self._closed:
                self._idle.append(conv)
            self._cond.notify()
        if not keep:
            conv.kill()
        elif self._closed:
            conv.close()

    def warm(self) -> None:
        """Start one converter now rather than on the first document."""
        with self._converter():
            pass

    def close(self) -> None:
        """Stop every converter of this process (never those of the process it was forked from)."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = list(self._busy)
            self._cond.notify_all()
        if os.getpid() != self._pid:
            return
        for conv in idle:
            conv.close()
        for conv in busy:
            conv.kill()

    def office_pids(self) -> list[int]:
        """LibreOffice process groups of the idle converters (for tests and diagnostics)."""
        with self._cond:
            return [c.office_pid for c in self._idle if c.office_pid is not None]


_shared: ConverterPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> ConverterPool:
    """This process's pool, configured from the environment, closed at exit."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared._pid != os.getpid() or _shared._closed:
            _shared = ConverterPool()
        return _shared


def close_shared_pool() -> None:
    global _shared
    with _shared_lock:
        pool, _shared = _shared, None
    if pool is not None:
        pool.close()


def _forget_after_fork() -> None:
    global _shared, _shared_lock
    _shared = None  # the parent's converters stay the parent's
    _shared_lock = threading.Lock()


atexit.register(close_shared_pool)
os.register_at_fork(after_in_child=_forget_after_fork)

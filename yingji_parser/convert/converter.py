"""One long-running converter: a warm LibreOffice behind ``office_worker.py``, with its limits.

The converter runs in its own session (so the caller's process group signals never reach it
and a kill of its group takes LibreOffice along), under ``RLIMIT_AS`` (inherited by LibreOffice),
in a private temp directory holding its profile and the documents in flight. While a
conversion runs, the caller watches the deadline and the converter's resident memory (psutil);
an overrun kills the converter and the document gets ``timed_out`` or ``too_large``. A converter
that dies is reported as such; the pool replaces it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psutil

from yingji_parser.convert.reap import ROOT_PREFIX
from yingji_parser.convert.settings import ConverterSettings, find_soffice, find_uno_python
from yingji_parser.errors import ConversionFailed, ConverterMissing, TimedOut, TooLarge

WORKER = Path(__file__).with_name("office_worker.py")
MB = 1024 * 1024


class ConverterDied(ConversionFailed):
    """The converter process ended while converting (killed from outside, or crashed)."""


def _unoserver_path() -> str | None:
    """The directory holding the ``unoserver`` package, for the converter's interpreter."""
    spec = importlib.util.find_spec("unoserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    return str(Path(next(iter(spec.submodule_search_locations))).parent)


def _limit_memory(max_vm: int) -> None:
    """preexec_fn: the address-space limit, inherited by LibreOffice and everything it forks."""
    resource.setrlimit(resource.RLIMIT_AS, (max_vm, max_vm))


class Converter:
    """A started converter; :meth:`convert` one document at a time, :meth:`close` when done."""

    def __init__(self, settings: ConverterSettings) -> None:
        self.settings = settings
        soffice = settings.soffice or find_soffice()
        python = settings.uno_python or find_uno_python(soffice)
        self.root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))
        self.jobs = 0
        self.office_pid: int | None = None
        self._buffer = b""
        self._procs: list[psutil.Process] = []
        args = [python, str(WORKER), str(self.root), soffice, f"yingji-{uuid.uuid4().hex}"]
        if (path := _unoserver_path()) is not None:
            args.append(path)
        max_vm = int(settings.max_vm_mb * MB)
        try:
            self.proc = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=self.root,
                start_new_session=True,
                preexec_fn=lambda: _limit_memory(max_vm),
            )
        except OSError as exc:
            shutil.rmtree(self.root, ignore_errors=True)
            raise ConverterMissing(f"the converter could not be started ({exc})") from exc
        try:
            ready = self._receive(time.monotonic() + settings.start_timeout, "start")
        except BaseException:
            self.kill()
            raise
        if "error" in ready:
            self.kill()
            raise ConversionFailed(
                f"{ready['error']} (converters run under a {settings.max_vm_mb:g} MB "
                "address-space limit, YINGJI_CONVERTER_MAX_VM_MB)"
            )

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def convert(
        self, data: bytes, suffix: str, convert_to: str, filter_name: str, timeout: float
    ) -> bytes:
        """Convert ``data`` (a file ending in ``suffix``) to a ``convert_to`` file by a filter."""
        self.jobs += 1
        src = self.root / f"in-{self.jobs}{suffix}"
        out = self.root / f"out-{self.jobs}.{convert_to}"
        src.write_bytes(data)
        try:
            request = {"in": str(src), "out": str(out), "filter": filter_name}
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write((json.dumps(request) + "\n").encode())
                self.proc.stdin.flush()
            except OSError as exc:
                self.kill()
                raise ConverterDied("the converter had stopped before the conversion") from exc
            reply = self._receive(time.monotonic() + timeout, "convert", timeout)
            if "died" in reply:
                self.kill()
                raise ConverterDied(str(reply["died"]))
            if "error" in reply:
                reason = str(reply["error"]).replace(f"{src} ", "")  # no temp paths in reasons
                raise ConversionFailed(f"LibreOffice could not read the document ({reason})")
            return out.read_bytes()
        finally:
            src.unlink(missing_ok=True)
            out.unlink(missing_ok=True)

    def rss(self) -> int:
        """Resident bytes of the converter: its driver, LibreOffice and whatever that forked.

        The process tree is looked up once and kept (a scan of /proc every poll would cost
        more CPU than the conversion); it is looked up again when one of its processes ends.
        """
        total = 0
        for proc in self._tree():
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                self._procs = []
        return total

    def _tree(self) -> list[psutil.Process]:
        if not self._procs or len(self._procs) < 3:  # the driver, oosplash, soffice.bin
            try:
                top = psutil.Process(self.proc.pid)
                self._procs = [top, *top.children(recursive=True)]
            except psutil.Error:
                self._procs = []
        return self._procs

    def _receive(
        self, deadline: float, what: str, timeout: float | None = None
    ) -> dict[str, object]:
        """The next reply line, watching the deadline and the memory limit meanwhile."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        limit = self.settings.max_rss_mb * MB
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                if what == "start":
                    raise ConversionFailed(
                        f"LibreOffice did not start within {self.settings.start_timeout:g} s"
                    )
                raise TimedOut(
                    f"LibreOffice timed out: no result within {timeout:g} s; it was stopped"
                )
            readable, _, _ = select.select([fd], [], [], min(left, self.settings.poll_interval))
            if what == "convert" and (used := self.rss()) > limit:
                self.kill()
                raise TooLarge(
                    f"converting the document took LibreOffice over {used / MB:.0f} MB, above "
                    f"the {self.settings.max_rss_mb:g} MB limit; it was stopped"
                )
            if readable:
                chunk = os.read(fd, 65536)
                if not chunk:
                    self.kill()
                    raise ConverterDied(f"the converter stopped during the {what}")
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        message: dict[str, object] = json.loads(line)
        if "office_pid" in message:  # LibreOffice is spawned: from now on it can be killed
            self.office_pid = int(str(message["office_pid"]))
            return self._receive(deadline, what, timeout)
        return message

    def close(self) -> None:
        """Ask the converter to quit (it closes LibreOffice), then kill what is left."""
        if self.alive and self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        self.kill()

    def kill(self) -> None:
        """Kill the converter and LibreOffice's group, remove the private directory.

        A killed LibreOffice leaves its named-pipe sockets in /tmp; they are found before the
        kill (the sockets its processes hold) and removed after it.
        """
        pipes = self._office_pipes()
        for pgid in (self.proc.pid, self.office_pid):
            if pgid is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        shutil.rmtree(self.root, ignore_errors=True)
        for path in pipes:
            Path(path).unlink(missing_ok=True)

    def _office_pipes(self) -> list[str]:
        self._procs = []
        found = []
        for proc in self._tree():
            with contextlib.suppress(psutil.Error):
                for conn in proc.net_connections(kind="unix"):
                    if isinstance(conn.laddr, str) and "/OSL_PIPE_" in conn.laddr:
                        found.append(conn.laddr)
        return found

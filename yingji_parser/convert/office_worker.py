"""One warm LibreOffice, driven over UNO: run by LibreOffice's Python, never imported by yingji.

This file is started as a script (``python office_worker.py ROOT SOFFICE PIPE [PATH]``) by
:mod:`yingji_parser.convert.converter` with the interpreter that has LibreOffice's ``uno``
module (Debian's ``python3`` with ``python3-uno``, or ``program/python`` of LibreOffice's own
builds), which is usually not the interpreter yingji runs in. So it imports only the standard
library, ``uno`` and ``unoserver`` (whose directory comes as the optional PATH argument).

It starts ``soffice`` with a private profile under ROOT, listening on a named pipe (no TCP
port to collide with another converter's), and then answers one JSON line per request on
stdin with one JSON line on stdout: ``{"in": path, "out": path, "filter": name}`` ->
``{"ok": true}`` or ``{"error": text}``. The documents themselves travel as files in ROOT.

It never outlives the process that started it: end of stdin, or a change of parent (the
parse worker was killed), kills LibreOffice's process group and removes ROOT.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

START_TIMEOUT = 120.0


def _office_command(soffice: str, root: Path, pipe: str) -> list[str]:
    return [
        soffice,
        f"-env:UserInstallation={(root / 'profile').as_uri()}",
        "--headless",
        "--invisible",
        "--nocrashreport",
        "--nodefault",
        "--nologo",
        "--nofirststartwizard",
        "--norestore",
        "--nolockcheck",
        f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
    ]


class Office:
    """LibreOffice in its own process group, and the UNO converter connected to it."""

    def __init__(self, soffice: str, root: Path, pipe: str) -> None:
        self.root = root
        self.pipe = pipe
        # LibreOffice's own temp files (lu*.tmp) go inside ROOT too: a killed office leaves them
        tmp = root / "tmp"
        tmp.mkdir(exist_ok=True)
        env = dict(os.environ, HOME=str(root), TMPDIR=str(tmp), SAL_USE_VCLPLUGIN="svp")
        self.proc = subprocess.Popen(
            _office_command(soffice, root, pipe),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=root,
            env=env,
            start_new_session=True,  # one group: oosplash and the soffice.bin it forks
        )
        self.converter = None

    def connect(self) -> None:
        self.converter = self._connect()

    def _connect(self):
        from unoserver import converter as unoconverter  # needs uno, hence imported here

        class PipeConverter(unoconverter.UnoConverter):
            """unoserver's converter, connected by a named pipe instead of a TCP port."""

            def __init__(self, pipe: str) -> None:
                import uno

                self.local_context = uno.getComponentContext()
                resolver = self.local_context.ServiceManager.createInstanceWithContext(
                    "com.sun.star.bridge.UnoUrlResolver", self.local_context
                )
                self.context = resolver.resolve(
                    f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
                )
                self.service = self.context.ServiceManager
                self.desktop = self.service.createInstanceWithContext(
                    "com.sun.star.frame.Desktop", self.context
                )
                self.filter_service = self.service.createInstanceWithContext(
                    "com.sun.star.document.FilterFactory", self.context
                )
                self.type_service = self.service.createInstanceWithContext(
                    "com.sun.star.document.TypeDetection", self.context
                )
                self.temp_dir = None
                self._export_filters = None
                self._import_filters = None

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"LibreOffice exited with code {self.proc.returncode}")
            try:
                return PipeConverter(self.pipe)
            except Exception:  # NoConnectException until soffice listens
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def convert(self, src: str, out: str, filter_name: str) -> None:
        assert self.converter is not None, "connect() first"
        self.converter.convert(inpath=src, outpath=out, filtername=filter_name, update_index=False)

    def died(self) -> bool:
        """Whether LibreOffice is gone (a failed call may be the bridge losing a killed office)."""
        try:
            self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return False
        return True

    def kill(self, graceful: bool = True) -> None:
        """Ask LibreOffice to quit (if idle), then kill its group and remove the pipes it leaves."""
        try:
            pipes = _bound_pipes(_group_members(self.proc.pid))
        except Exception:  # a process that vanished mid-scan: the kill matters more
            pipes = []
        if graceful and self.converter is not None and self.proc.poll() is None:
            # A hung office never answers: ask from a thread, give it 3 s, then kill.
            desktop = self.converter.desktop
            threading.Thread(target=_quietly, args=(desktop.terminate,), daemon=True).start()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=3)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for path in pipes:
            Path(path).unlink(missing_ok=True)


def _quietly(call) -> None:
    with contextlib.suppress(Exception):  # a dead bridge raises; the kill follows anyway
        call()


def _group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


def _bound_pipes(pids: list[int]) -> list[str]:
    """LibreOffice's named-pipe sockets (``/tmp/OSL_PIPE_*``) held by these processes.

    A killed office leaves them in /tmp: the single-instance pipe of its profile, and ours.
    """
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found: list[str] = []
    try:
        lines = Path("/proc/net/unix").read_text().splitlines()[1:]
    except OSError:
        return found
    for line in lines:
        parts = line.split()
        if len(parts) >= 8 and parts[6] in inodes and "/OSL_PIPE_" in parts[7]:
            found.append(parts[7])
    return found


def _pipe_file(pipe: str) -> Path:
    """Where LibreOffice's runtime puts a named pipe's socket (left behind by a killed office)."""
    return Path("/tmp") / f"OSL_PIPE_{os.getuid()}_{pipe}"


def _cleanup(office: Office | None, root: Path, pipe: str, graceful: bool = True) -> None:
    if office is not None:
        office.kill(graceful)
    _pipe_file(pipe).unlink(missing_ok=True)
    shutil.rmtree(root, ignore_errors=True)


def _watch_parent(parent: int, on_orphaned) -> None:
    """Polled, not PR_SET_PDEATHSIG: that fires when the *thread* that started us ends."""
    while os.getppid() == parent:
        time.sleep(0.2)
    on_orphaned()


def _reply(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _serve(soffice: str, root: Path, pipe: str, started: list[Office]) -> bool:
    """Start LibreOffice and answer requests until stdin ends; False if LibreOffice failed."""
    office = Office(soffice, root, pipe)
    started.append(office)
    _reply({"office_pid": office.proc.pid})  # first, so a start that hangs can be killed
    try:
        office.connect()
    except Exception as exc:
        _reply({"error": f"LibreOffice did not start: {exc}"})
        return False
    _reply({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        try:
            office.convert(request["in"], request["out"], request["filter"])
        except Exception as exc:
            if office.died():
                _reply({"died": f"LibreOffice ended with code {office.proc.returncode}"})
                return False
            _reply({"error": str(exc).strip() or type(exc).__name__})
        else:
            _reply({"ok": True})
    return True


def main(argv: list[str]) -> int:
    root, soffice, pipe = Path(argv[0]), argv[1], argv[2]
    if len(argv) > 3:
        sys.path.append(argv[3])  # unoserver, after the interpreter's own packages
    started: list[Office] = []
    lock = threading.Lock()

    def cleanup(graceful: bool) -> None:
        lock.acquire(timeout=5)  # one cleanup at a time, but never stuck behind the other
        _cleanup(started[0] if started else None, root, pipe, graceful)

    def orphaned() -> None:
        cleanup(graceful=False)  # LibreOffice may be busy converting: no polite request
        os._exit(1)

    threading.Thread(target=_watch_parent, args=(os.getppid(), orphaned), daemon=True).start()
    done = False
    try:
        done = _serve(soffice, root, pipe, started)
    finally:  # whatever ended the loop (a broken pipe to a dead parent too), LibreOffice goes
        cleanup(graceful=done)
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

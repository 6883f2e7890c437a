"""Killing converters from outside the process that owns them, and removing what they leave.

A parse worker that overruns its time or memory limit is killed by the process that started
it, in the middle of whatever it was doing, often a conversion. Its converters would notice
the lost parent and clean up by themselves (``office_worker.py`` polls for it), but "no process
outlives its job" should not wait on a poll inside a process that may itself be stuck, so the
killer takes the worker's process tree *before* the kill (once the worker is dead its children
are re-parented and no longer found) and hands the rest to :func:`reap`: every process killed
with its group, every converter's private folder (profile, documents in flight) removed, and
LibreOffice's named-pipe sockets in /tmp unlinked.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from collections.abc import Iterable
from pathlib import Path

import psutil

#: What :class:`~yingji_parser.convert.converter.Converter` names its private folder.
ROOT_PREFIX = "yingji-lo-"
_WORKER_SCRIPT = "office_worker.py"


def _converter_root(cmdline: list[str]) -> Path | None:
    """The private folder of a converter driver (``python office_worker.py ROOT ...``)."""
    for i, arg in enumerate(cmdline[:-1]):
        if arg.endswith(_WORKER_SCRIPT):
            root = Path(cmdline[i + 1])
            return root if root.name.startswith(ROOT_PREFIX) else None
    return None


def _pipes(procs: list[psutil.Process]) -> list[str]:
    """LibreOffice's named-pipe sockets (``/tmp/OSL_PIPE_*``) these processes hold."""
    found = []
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            for conn in proc.net_connections(kind="unix"):
                if isinstance(conn.laddr, str) and "/OSL_PIPE_" in conn.laddr:
                    found.append(conn.laddr)
    return found


def reap(processes: Iterable[psutil.Process]) -> int:
    """Kill ``processes`` (a dead worker's descendants) and remove their converters' folders.

    A process that leads its own group (a converter driver, LibreOffice's ``oosplash``) is
    killed with its whole group, so a ``soffice.bin`` forked after the tree was taken goes too;
    a group led by a process outside ``processes`` (the caller's own) is never signalled.
    Returns how many processes were killed.
    """
    procs = list(processes)
    pids = {p.pid for p in procs}
    roots: list[Path] = []
    groups: set[int] = set()
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            root = _converter_root(proc.cmdline())
            if root is not None:
                roots.append(root)
        with contextlib.suppress(OSError):
            pgid = os.getpgid(proc.pid)
            if pgid in pids:
                groups.add(pgid)
    pipes = _pipes(procs)
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    killed = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()
            killed += 1
    psutil.wait_procs(procs, timeout=5)
    for root in roots:
        shutil.rmtree(root, ignore_errors=True)
    for pipe in pipes:
        Path(pipe).unlink(missing_ok=True)
    return killed

"""Parse jobs run in the pool's worker processes by the limit tests (importable by ``spawn``).

Each stands for what a hostile document makes a parser do: grow, allocate at once, hang in a
conversion. They return :class:`ParseAttempt` like the real job, so the pool treats them alike.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import time

from ingest.types import ParseAttempt


def whoami() -> ParseAttempt:
    """The worker's pid and its address-space limit (soft), as a result."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return ParseAttempt({"pid": os.getpid(), "max_vm": soft})


def warm_state() -> ParseAttempt:
    """What the worker's start-up left: the objects frozen out of the collector, and whether
    the store's planning code was loaded before any job asked for it."""
    return ParseAttempt(
        {"frozen": gc.get_freeze_count(), "planning_loaded": "ingest.reparse" in sys.modules}
    )


def grow(mb: int, hold: float = 30) -> ParseAttempt:
    """Touch ``mb`` megabytes a megabyte at a time (resident, not only reserved), slowly
    enough for the watchdog to see it grow, then hold them ``hold`` seconds."""
    held = []
    for _ in range(mb):
        held.append(b"\1" * (1 << 20))
        time.sleep(0.002)
    time.sleep(hold)
    return ParseAttempt({"held": len(held)})


def allocate(mb: int) -> ParseAttempt:
    """One allocation of ``mb`` megabytes: over the address-space limit it fails at once."""
    block = bytearray(mb << 20)
    return ParseAttempt({"allocated": len(block)})


def convert_forever(path: str) -> ParseAttempt:
    """Convert a legacy document over and over with the worker's warm LibreOffice: a parse
    that never ends, and whose converter is busy whenever the time limit fires."""
    from pathlib import Path

    from yingji_parser.formats.legacy import convert_to_docx

    data = Path(path).read_bytes()
    while True:
        convert_to_docx(data)

"""What a converter pool may use, from parameters or the environment, and where LibreOffice is.

Environment variables (each one optional):

- ``YINGJI_SOFFICE``: the ``soffice`` binary, when it is not on PATH.
- ``YINGJI_UNO_PYTHON``: a Python that can ``import uno`` (default: LibreOffice's own
  ``program/python``, else the system ``python3`` with Debian's ``python3-uno``).
- ``YINGJI_CONVERTERS``: converters per process (default 1: a parse worker converts one
  document at a time, so one warm LibreOffice per worker).
- ``YINGJI_CONVERTER_MAX_RSS_MB``: resident memory of one converter (LibreOffice and its
  driver) above which a conversion is stopped as ``too_large`` (default 600).
- ``YINGJI_CONVERTER_MAX_VM_MB``: ``RLIMIT_AS`` of every converter process, the hard stop for
  growth faster than the RSS watchdog polls (default 2048; LibreOffice maps ~500 MB idle).
- ``YINGJI_CONVERTER_MAX_JOBS``: conversions before a converter is replaced by a fresh one,
  so slow leaks never add up (default 200).
- ``YINGJI_CONVERTER_START_TIMEOUT``: seconds LibreOffice may take to start (default 120).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from yingji_parser.errors import ConverterMissing

SOFFICE_ENV = "YINGJI_SOFFICE"
UNO_PYTHON_ENV = "YINGJI_UNO_PYTHON"

MISSING_MESSAGE = (
    "LibreOffice is needed for .doc/.wps files: run scripts/install-system-deps.sh "
    "(or set YINGJI_SOFFICE to the soffice binary)"
)
NO_UNO_MESSAGE = (
    "LibreOffice's Python bridge (uno) is needed to convert .doc/.wps files: run "
    "scripts/install-system-deps.sh (Debian's python3-uno), or set YINGJI_UNO_PYTHON to a "
    "Python that can import uno"
)


def find_soffice() -> str:
    """Path of the LibreOffice binary, or :class:`ConverterMissing` saying how to get it."""
    explicit = os.environ.get(SOFFICE_ENV)
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise ConverterMissing(f"{SOFFICE_ENV}={explicit} is not an executable; " + MISSING_MESSAGE)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConverterMissing(MISSING_MESSAGE)


@functools.cache
def _can_import_uno(python: str) -> bool:
    try:
        probe = subprocess.run(
            [python, "-c", "import uno"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def find_uno_python(soffice: str) -> str:
    """A Python interpreter with LibreOffice's ``uno`` module, checked once per process."""
    explicit = os.environ.get(UNO_PYTHON_ENV)
    if explicit:
        if _can_import_uno(explicit):
            return explicit
        raise ConverterMissing(f"{UNO_PYTHON_ENV}={explicit} cannot import uno; " + NO_UNO_MESSAGE)
    bundled = Path(os.path.realpath(soffice)).with_name("python")
    candidates = [str(bundled), "/usr/bin/python3", shutil.which("python3"), sys.executable]
    for python in dict.fromkeys(c for c in candidates if c):
        if Path(python).is_file() and _can_import_uno(python):
            return python
    raise ConverterMissing(NO_UNO_MESSAGE)


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None


@dataclass(frozen=True)
class ConverterSettings:
    """Limits of the converters of one pool; :meth:`from_env` reads the variables above."""

    size: int = 1
    max_rss_mb: float = 600.0
    max_vm_mb: float = 2048.0
    max_jobs: int = 200
    start_timeout: float = 120.0
    #: Seconds between two looks at a converter's memory while it converts.
    poll_interval: float = 0.1
    soffice: str | None = field(default=None)
    uno_python: str | None = field(default=None)

    @classmethod
    def from_env(cls) -> ConverterSettings:
        return cls(
            size=max(1, int(_env_number("YINGJI_CONVERTERS", cls.size))),
            max_rss_mb=_env_number("YINGJI_CONVERTER_MAX_RSS_MB", cls.max_rss_mb),
            max_vm_mb=_env_number("YINGJI_CONVERTER_MAX_VM_MB", cls.max_vm_mb),
            max_jobs=max(1, int(_env_number("YINGJI_CONVERTER_MAX_JOBS", cls.max_jobs))),
            start_timeout=_env_number("YINGJI_CONVERTER_START_TIMEOUT", cls.start_timeout),
        )

"""Document conversion through warm LibreOffice processes (legacy Word and WPS to DOCX).

Starting LibreOffice costs seconds of CPU; converting a report with a running one costs a
fraction of a second. So each process keeps a small pool of long-running converters
(:class:`ConverterPool`; :func:`shared_pool` is the process's own, configured by the
environment variables listed in :mod:`yingji_parser.convert.settings`), each a LibreOffice
with a private profile, driven over UNO by ``unoserver``'s converter. Every conversion is
bounded in time (:class:`~yingji_parser.errors.TimedOut`) and memory
(:class:`~yingji_parser.errors.TooLarge`), and no converter outlives its process:
:func:`reap` kills those of a parse worker killed from outside, with their folders.
"""

from __future__ import annotations

from yingji_parser.convert.pool import ConverterPool, close_shared_pool, shared_pool
from yingji_parser.convert.reap import reap
from yingji_parser.convert.settings import (
    MISSING_MESSAGE,
    SOFFICE_ENV,
    ConverterSettings,
    find_soffice,
)

__all__ = [
    "MISSING_MESSAGE",
    "SOFFICE_ENV",
    "ConverterPool",
    "ConverterSettings",
    "close_shared_pool",
    "find_soffice",
    "reap",
    "shared_pool",
]

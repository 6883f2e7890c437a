"""RTF is measured before LibreOffice sees it: floods, deep nesting and garbage are refused.

Made here, each in the shape that hurt: millions of paragraphs, groups nested thousands deep,
control words no writer emits, braces that close what never opened. A real RTF (fonts, a
picture in hex, binary data holding braces) passes, and a refused one never starts the
converter: LibreOffice is replaced by a stand-in that leaves a mark when started.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from yingji_parser.api import read
from yingji_parser.errors import CorruptDocument, TooLarge
from yingji_parser.formats import legacy
from yingji_parser.formats.legacy_rtf import MAX_RTF_DEPTH, check_rtf

REAL = (
    b"{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\n"
    b"{\\*\\generator Msftedit 5.41.21.2510;}\\viewkind4\\uc1\\pard\\lang2052\\f0\\fs24 "
    b"\\'b1\\'a8\\'b8\\'e6\\par\n"
    b"{\\pict\\pngblip\\picw10\\pich10 89504e470d0a1a0a}\\par\n"
    b"{\\object\\objemb{\\*\\objdata \\bin6 {}}{}}}\\par\n"
    b"\\trowd\\cellx1000\\cellx2000 \\intbl 1\\cell 2\\cell\\row\n}"
)


def test_a_real_rtf_passes() -> None:
    check_rtf(REAL)
    check_rtf(b"\r\n  " + REAL)  # leading white space, as some exporters write


def test_binary_data_is_skipped_braces_and_all() -> None:
    check_rtf(b"{\\rtf1 {\\bin4 }}}}}\\par}")  # four closing braces that are data


def test_a_flood_of_paragraphs_is_refused_in_well_under_a_second() -> None:
    flood = b"{\\rtf1 " + b"\\par x" * 2_000_000 + b"}"
    start = time.monotonic()
    with pytest.raises(TooLarge, match=r"over 300,000 paragraphs and table cells"):
        check_rtf(flood)
    assert time.monotonic() - start < 3


def test_table_cells_count_like_paragraphs() -> None:
    with pytest.raises(TooLarge, match="paragraphs and table cells"):
        check_rtf(b"{\\rtf1 \\trowd" + b"\\intbl x\\cell" * 300_001 + b"\\row}")


def test_groups_nested_past_the_bound_are_refused() -> None:
    check_rtf(b"{\\rtf1 " + b"{" * (MAX_RTF_DEPTH - 1) + b"}" * (MAX_RTF_DEPTH - 1) + b"}")
    with pytest.raises(TooLarge, match=f"nests groups over {MAX_RTF_DEPTH} deep"):
        check_rtf(b"{\\rtf1 " + b"{" * MAX_RTF_DEPTH + b"}" * MAX_RTF_DEPTH + b"}")


def test_an_rtf_over_the_size_bound_is_refused_unread() -> None:
    with pytest.raises(TooLarge, match="over the 24 MB limit"):
        check_rtf(b"{\\rtf1 " + b"x" * (25 << 20) + b"}")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"{\\rtf1 \\" + b"a" * 40 + b" x}", "malformed control word"),
        (b"{\\rtf1 \\fs12345678901 x}", "malformed control word"),
        (b"{\\rtf1 x}}}\\par{", "closes a group it never opened"),
        (b"{\\xrtf1 x}", "does not start like RTF"),
    ],
)
def test_garbage_is_refused_with_what_is_wrong(data: bytes, words: str) -> None:
    with pytest.raises(CorruptDocument, match=words):
        check_rtf(data)


def test_a_hostile_rtf_never_starts_libreoffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mark = tmp_path / "libreoffice-was-started"
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\ntouch {mark}\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setenv(legacy.SOFFICE_ENV, str(script))
    with pytest.raises(TooLarge, match="paragraphs and table cells"):
        read(b"{\\rtf1 " + b"\\par x" * 400_000 + b"}", "report.rtf")
    assert not mark.exists()

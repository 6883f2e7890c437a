"""Hostile files made in the tests: entity bombs, external entities, lying ZIPs, huge sheets;
and how ``yingji parse`` must refuse one."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.replace("&lol1;", "&lol;")
        for i in range(2, 10)
    )
    + "]>\n"
)


def xxe(path: str) -> str:
    return f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{path}">]>\n'


def zipped(parts: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet(cells: int, dimension: str = "A1") -> str:
    row = "".join(f'<c r="A{i}"><v>1</v></c>' for i in range(cells))
    return (
        f'<worksheet xmlns="{SHEET_NS}"><dimension ref="{dimension}"/>'
        f'<sheetData><row r="1">{row}</row></sheetData></worksheet>'
    )


def odt(content: str, **extra: bytes | str) -> bytes:
    return zipped(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": content,
            "META-INF/manifest.xml": "<manifest/>",
            **extra,
        }
    )


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size of ``name`` in its local and central headers."""
    raw = bytearray(data)
    encoded = name.encode()
    local = raw.find(b"PK\x03\x04")
    while local != -1:
        if raw[local + 30 : local + 30 + len(encoded)] == encoded:
            raw[local + 22 : local + 26] = size.to_bytes(4, "little")
        local = raw.find(b"PK\x03\x04", local + 4)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        if raw[central + 46 : central + 46 + len(encoded)] == encoded:
            raw[central + 24 : central + 28] = size.to_bytes(4, "little")
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)


def parse_refusal(path: Path, timeout: float = 120) -> str:
    """The one stderr line of ``yingji parse PATH`` refusing the file: a failing exit, nothing
    on stdout, exactly one line, naming the file."""
    proc = subprocess.run(
        [sys.executable, "-m", "yingji.cli", "parse", str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"yingji parse: {path}: "), lines
    return lines[0]

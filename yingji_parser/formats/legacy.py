"""DOC (Word 97), WPS (Kingsoft / Works), RTF and ODT: LibreOffice headless to DOCX, then .docx.

No Python library reads Word 97 tables with their merges reliably; LibreOffice does, and its
DOCX output goes through the same reader as native DOCX so both give the same grid.

Each conversion gets its own LibreOffice profile (``-env:UserInstallation``) in a fresh temp
directory: two conversions sharing a profile block each other or fail, and crawls convert in
parallel. A conversion runs in its own process group with a time limit; on timeout the whole
group is killed (soffice forks ``soffice.bin``) and the document is refused with a reason.
Temp directories are removed whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from yingji_parser.errors import ConversionFailed, ConverterMissing
from yingji_parser.formats import docx
from yingji_parser.formats.hints import ReadHints
from yingji_parser.grid import DocType, Document
from yingji_parser.limits import check_before_conversion

#: Seconds one conversion may take before it is killed.
DEFAULT_TIMEOUT = 60.0
#: Environment variable naming the LibreOffice binary when it is not on PATH.
SOFFICE_ENV = "YINGJI_SOFFICE"

MISSING_MESSAGE = (
    "LibreOffice is needed for .doc/.wps files: run scripts/install-system-deps.sh "
    "(or set YINGJI_SOFFICE to the soffice binary)"
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


def _suffix(data: bytes, doc_type: DocType) -> str:
    """File extension for the input so LibreOffice picks the right import filter quickly."""
    head = data[:64].lstrip()
    if head.startswith(b"{\\rtf"):
        return ".rtf"
    if head.startswith(b"PK"):
        return ".odt"
    if head.startswith(b"<"):
        return ".xml"
    return ".wps" if doc_type == "wps" else ".doc"


def convert_to_docx(
    data: bytes, doc_type: DocType = "doc", timeout: float = DEFAULT_TIMEOUT
) -> bytes:
    """Convert a legacy word-processing document to DOCX bytes with LibreOffice headless."""
    soffice = find_soffice()
    with tempfile.TemporaryDirectory(prefix="yingji-lo-") as tmp:
        work = Path(tmp)
        src = work / f"input{_suffix(data, doc_type)}"
        src.write_bytes(data)
        out_dir = work / "out"
        out_dir.mkdir()
        cmd = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out_dir),
            str(src),
        ]
        env = dict(os.environ, HOME=tmp, SAL_USE_VCLPLUGIN="svp")
        try:
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                cwd=tmp,
                env=env,
                start_new_session=True,  # its own process group, so a timeout kills soffice.bin too
            )
        except OSError as exc:
            raise ConverterMissing(
                f"LibreOffice could not be started ({exc}); " + MISSING_MESSAGE
            ) from exc
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            _kill_group(proc)
            raise ConversionFailed(
                f"LibreOffice did not convert the document within {timeout:g} s; it was stopped"
            ) from exc
        finally:
            _kill_group(proc)  # a leftover soffice.bin would keep the profile busy
        produced = list(out_dir.glob("*.docx"))
        if not produced:
            detail = err.decode("utf-8", "replace").strip().splitlines()
            reason = detail[-1] if detail else f"exit code {proc.returncode}"
            raise ConversionFailed(f"LibreOffice could not read the document ({reason})")
        return produced[0].read_bytes()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


DOC = ReadHints("doc")


def read(data: bytes, hints: ReadHints = DOC, timeout: float = DEFAULT_TIMEOUT) -> Document:
    """Read a DOC/WPS (or RTF/ODT sniffed as ``doc``) into the grid via DOCX."""
    check_before_conversion(data)  # ODT bombs, XML entities: refused before LibreOffice
    converted = convert_to_docx(data, hints.doc_type, timeout=timeout)
    doc = docx.read(converted, hints)
    return doc

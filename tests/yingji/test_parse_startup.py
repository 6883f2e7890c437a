"""``yingji parse`` starts fast: a PDF batch loads the PDF reader and the mapping, and no module
that only another format, the network or the package's metadata needs (start-up is most of a
small batch's time, see the README's benchmarks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "demo" / "samples"
#: what a PDF never needs: the XML guard's SAX stack (urllib.request, http.client, ssl), the
#: ZIP/OLE2 sniffers' zipfile, lxml and olefile, importlib.metadata (--version only), the
#: database; nor pypdfium2's helper classes (with logging): the reader uses its raw bindings
NOT_FOR_A_PDF = (
    "urllib.request",
    "http.client",
    "ssl",
    "defusedxml",
    "zipfile",
    "lxml",
    "olefile",
    "pypdfium2",
    "logging",
    "importlib.metadata",
    "sqlalchemy",
    "scrapy",
)


def _loaded_after(*args: str) -> tuple[int, list[str], str]:
    code = (
        "import json, sys\n"
        "from yingji.cli import main\n"
        f"code = main({list(args)!r})\n"
        f"print(json.dumps([code, [m for m in {NOT_FOR_A_PDF!r} if m in sys.modules]]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    *records, last = out.stdout.strip().splitlines()
    code_, loaded = json.loads(last)
    return code_, loaded, "\n".join(records)


def test_parsing_pdfs_loads_nothing_only_other_formats_need() -> None:
    pdfs = [str(SAMPLES / "seed000.pdf"), str(SAMPLES / "synth0.pdf")]
    code, loaded, records = _loaded_after("parse", *pdfs)
    assert code == 0 and loaded == []
    assert [json.loads(line)["doc_type"] for line in records.splitlines()] == ["pdf", "pdf"]


def test_a_docx_loads_its_xml_stack_on_first_use() -> None:
    code, loaded, records = _loaded_after("parse", str(SAMPLES / "seed000.docx"))
    assert code == 0 and json.loads(records)["doc_type"] == "docx"
    assert "lxml" in loaded and "zipfile" in loaded

"""`yingji parse FILE [FILE…]`: print the record of each document as JSON.

One file → one pretty-printed JSON object; several → one compact object per line (JSON Lines),
so the output of a batch can be piped into other tools. Each object is the record with the
parse's ``status`` and ``doc_type`` added. A file that cannot be read or parsed (unsupported,
encrypted, corrupt, too large) gets one line on stderr naming the file and the reason; the
other files are still parsed and the exit code is 1 at the end.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from yingji.cli import examples
from yingji_parser import ParseError, parse_document


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser(
        "parse",
        help="parse report documents (HTML, DOCX, DOC, WPS, PDF, XLS/XLSX, text) into JSON",
        description="Print the record of each report document as JSON (JSON Lines for several).",
        **examples("yingji parse report.pdf", "yingji parse *.docx > records.jsonl"),
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="document(s) to parse")
    p.set_defaults(func=run)


def parse_file(path: Path) -> dict[str, Any]:
    """The printed object for one file; raises OSError or ParseError with a readable reason."""
    result = parse_document(path.read_bytes(), filename=path.name)
    return {**result.record, "status": result.status, "doc_type": result.doc_type}


def run(args: argparse.Namespace) -> int:
    # What start-up builds (the parser's modules, the label catalogue) lives as long as the
    # process: kept out of the cyclic collector's passes, which then only see the documents'.
    importlib.import_module("yingji_parser.api")
    gc.freeze()
    failed = 0
    single = len(args.files) == 1
    for name in args.files:
        path = Path(name)
        try:
            obj = parse_file(path)
        except OSError as exc:
            print(f"yingji parse: {name}: cannot read: {exc.strerror or exc}", file=sys.stderr)
            failed += 1
            continue
        except ParseError as exc:
            print(f"yingji parse: {name}: {exc.code}: {exc}", file=sys.stderr)
            failed += 1
            continue
        if single:
            print(json.dumps(obj, ensure_ascii=False, indent=2))
        else:
            print(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        sys.stdout.flush()
    return 1 if failed else 0

"""``yingji reparse`` brings stored 2019-format records to the shape of parser 0.2.0.

Parser 0.1.0 stored section 二 of the 2019 trial format with ``licensing`` an object
(``previous_items`` / ``change`` / ``decisions``) where the 2021 format has a number; 0.2.0
gives ``licensing`` the number of decisions in both and the items under ``licensing_items``.
A database filled by 0.1.0 keeps its raw documents, so a re-parse — no network — turns each
such record into a new version of the new shape, and keeps the old version as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import text

from storage import Store
from storage.files import FileStore
from yingji_parser import PARSER_VERSION, parse_document

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "parser" / "format_2019.txt"
OLD_PARSER = "0.1.0"
URL = "http://ys.example/xxgk/2019nb.txt"

# Section 二 of format_2019.txt as parser 0.1.0 stored it.
OLD_SHAPE = {
    "rules": {"new_made": 1, "new_published": 1, "total_published": 5},
    "normative_documents": {"new_made": 3, "new_published": 3, "total_published": 21},
    "licensing": {"previous_items": 12, "change": -2, "decisions": 340},
    "other_services": {"previous_items": 4, "change": 0, "decisions": 17},
    "penalty": {"previous_items": 86, "change": 3, "decisions": 152},
    "coercion": {"previous_items": 9, "change": 0, "decisions": 6},
    "fees": {"previous_items": 2, "change": 0},
    "procurement": {"items": 7, "amount": 96171.6},
}


def _store_as_the_old_parser_did(db_url: str, root: Path) -> None:
    data = FIXTURE.read_bytes()
    stored = FileStore(root).put(data)
    record = parse_document(data, filename="2019nb.txt").record
    record["active_disclosure"] = OLD_SHAPE
    record["parser_version"] = OLD_PARSER
    with Store(db_url) as store:
        store.add_document(
            stored.sha256, doc_type="text", size=stored.size, path=stored.path,
            original_name="2019nb.txt", url=URL, region="河南省洛阳市偃师区", site_name="偃师",
            title=record["title"],
        )  # fmt: skip
        store.set_document_status(stored.sha256, "parsed", parser_version=OLD_PARSER)
        outcome = store.store_report(
            record, region="河南省洛阳市偃师区", source_url=URL, raw_sha256=stored.sha256,
            raw_type="text", status="parsed", warnings=[], parser_version=OLD_PARSER,
        )  # fmt: skip
        assert outcome.action == "insert"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _versions(db_url: str) -> list[dict[str, Any]]:
    with Store(db_url) as store, store.engine.connect() as conn:
        sql = (
            "SELECT version, is_current, parser_version, record FROM report_versions "
            "ORDER BY version"
        )
        return [
            {"version": v, "current": bool(c), "parser": p, "record": _json(r)}
            for v, c, p, r in conn.execute(text(sql))
        ]


def _cells(db_url: str, row_key: str) -> list[tuple[str, float | None]]:
    with Store(db_url) as store, store.engine.connect() as conn:
        sql = (
            "SELECT column_key, value FROM current_report_cells "
            "WHERE section = 'active_disclosure' AND row_key = :row ORDER BY column_key"
        )
        rows = conn.execute(text(sql), {"row": row_key})
        return [(k, None if v is None else float(v)) for k, v in rows]


def _reparse(db_url: str, root: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YINGJI_FILES_STORE": str(root)}
    command = [sys.executable, "-m", "yingji.cli", "reparse", "--older-than-parser",
               "--database", db_url, "--workers", "1"]  # fmt: skip
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_reparse_turns_a_stored_2019_record_into_the_new_shape_as_a_new_version(
    db_url: str, tmp_path: Path
) -> None:
    root = tmp_path / "files"
    _store_as_the_old_parser_did(db_url, root)
    assert _cells(db_url, "licensing") == [("change", -2.0), ("decisions", 340.0),
                                           ("previous_items", 12.0)]  # fmt: skip

    out = _reparse(db_url, root, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == (
        "re-parsed 1 documents: insert 0, noop 0, new_version 1, failed 0, no report 0 "
        f"(parser {PARSER_VERSION})"
    )

    old, new = _versions(db_url)
    assert (old["version"], old["current"], old["parser"]) == (1, False, OLD_PARSER)
    assert old["record"]["active_disclosure"] == OLD_SHAPE  # kept as it was stored
    assert (new["version"], new["current"], new["parser"]) == (2, True, PARSER_VERSION)
    two = new["record"]["active_disclosure"]
    assert two["licensing"] == 340 and two["licensing_items"] == {"previous": 12, "change": -2}
    assert two["penalty"] == 152 and two["coercion"] == 6 and two["other_services"] == 17
    assert two["fees"] is None and two["fees_items"] == {"previous": 2, "change": 0}
    assert two["procurement"] == {"items": 7, "amount": 96171.6}
    assert new["record"]["applications"] == old["record"]["applications"]

    # one key, one cell: 行政许可 decisions are the `value` of `licensing`, as in 2021 reports
    assert _cells(db_url, "licensing") == [("value", 340.0)]
    assert _cells(db_url, "licensing_items") == [("change", -2.0), ("previous", 12.0)]

    again = _reparse(db_url, root, tmp_path)  # nothing left that an older parser read
    assert again.stdout.startswith("re-parsed 0 documents"), again.stdout
    assert len(_versions(db_url)) == 2

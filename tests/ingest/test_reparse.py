"""``yingji reparse``: stored documents through the current parser, no network, same store step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from demo import SAMPLES
from ingest.choice import choose
from ingest.parsing import parse_stored
from ingest.reparse import reparse
from ingest.storing import store_parsed
from ingest.types import Found, ParseAttempt, StoredDocument
from storage import Store
from storage.files import FileStore
from yingji.cli import main
from yingji_parser import PARSER_VERSION

MENGJIN, HONGQI = "河南省洛阳市孟津区", "河南省新乡市红旗区"


def ingest(
    store: Store, root: Path, docs: list[tuple[str, bytes, str]], region: str, title: str
) -> str:
    """Store documents as a crawl does: file store, parse, choose, store step. ``docs`` are
    (url, bytes, kind) with the article first; returns the outcome."""
    fs = FileStore(root)
    pairs = []
    for url, data, kind in docs:
        stored = fs.put(data)
        doc = StoredDocument(kind, url, url.rsplit("/", 1)[-1], sha256=stored.sha256,
                             path=stored.path, size=stored.size)  # fmt: skip
        pairs.append((doc, parse_stored(str(root), stored.sha256, doc.name, None)))
    parsed = choose(docs[0][0], pairs)
    found = Found(region, "site", title)
    return store_parsed(store, parsed, [d for d, _ in pairs], found)[0].action


def _page(title: str, body: str) -> bytes:
    head = f"<html><head><title>{title}</title></head>"
    return f"{head}<body><h1>{title}</h1>{body}</body></html>".encode()


@pytest.fixture
def crawled(db_url: str, tmp_path: Path) -> tuple[str, Path]:
    """A database as a crawl leaves it: two reports (one in an article and its DOCX), a page
    that only points at a broken attachment."""
    root = tmp_path / "files"
    t0 = "孟津区应急管理局2023年政府信息公开工作年度报告"
    t2 = "区应急管理局2023年政府信息公开工作年度报告"
    t9 = "红旗区应急管理局2022年政府信息公开工作年度报告"
    pdf = (SAMPLES / "seed002.pdf").read_bytes()
    with Store(db_url) as store:
        body0 = (SAMPLES / "seed000.body.html").read_text("utf-8")
        assert ingest(store, root, [
            ("http://mj/a/t1.html", _page(t0, body0), "article"),
            ("http://mj/a/r.docx", (SAMPLES / "seed000.docx").read_bytes(), "attachment"),
        ], MENGJIN, t0) == "insert"  # fmt: skip
        assert (
            ingest(store, root, [("http://hq/f/nb.pdf", pdf, "document")], HONGQI, t2) == "insert"
        )
        assert ingest(store, root, [
            ("http://hq/a/t9.html", _page(t9, "<p>详见附件</p>"), "article"),
            ("http://hq/f/bad.pdf", b"%PDF-1.4\nnot really", "attachment"),
        ], HONGQI, t9) == "failed"  # fmt: skip
    return db_url, root


def _versions(store: Store) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        sql = (
            "SELECT agency_name, version, is_current FROM report_versions "
            "ORDER BY agency_name, version"
        )
        return [tuple(r) for r in conn.execute(text(sql))]


def test_an_unchanged_parser_finds_nothing_new(crawled: tuple[str, Path]) -> None:
    db_url, root = crawled
    with Store(db_url) as store:
        before = _versions(store)
        counts = reparse(store, str(root))
        assert (counts.insert, counts.noop, counts.new_version) == (0, 2, 0)
        # the broken attachment fails again, with its reason; the pointer page is no report
        assert (counts.failed, counts.no_report) == (1, 1)
        assert "bad.pdf" in counts.errors[0]
        assert counts.documents == 5
        assert _versions(store) == before


def test_a_record_an_older_parser_got_wrong_gets_one_new_version(
    db_url: str, tmp_path: Path
) -> None:
    root = tmp_path / "files"
    t0 = "孟津区应急管理局2023年政府信息公开工作年度报告"
    with Store(db_url) as store:
        docx = (SAMPLES / "seed000.docx").read_bytes()
        ingest(store, root, [("http://mj/f/r.docx", docx, "document")], MENGJIN, t0)
        # as if an older parser had read one cell of the PDF wrong
        pdf = FileStore(root).put((SAMPLES / "seed002.pdf").read_bytes()).sha256
        old = parse_stored(str(root), pdf, "nb.pdf", None).result
        assert old is not None
        old["record"]["active_disclosure"]["licensing"] += 1
        old["parser_version"] = "0.0.1"
        doc = StoredDocument("document", "http://hq/f/nb.pdf", "nb.pdf", sha256=pdf)
        parsed = choose("http://hq/f/nb.pdf", [(doc, ParseAttempt(old))])
        assert store_parsed(store, parsed, [doc], Found(HONGQI))[0].action == "insert"

        counts = reparse(store, str(root), older_than_parser=True)
        assert counts.documents == 1  # only the document an older parser read
        assert (counts.new_version, counts.noop, counts.insert) == (1, 0, 0)
        assert _versions(store) == [
            ("孟津区应急管理局", 1, True),
            ("红旗区应急管理局", 1, False),
            ("红旗区应急管理局", 2, True),
        ]
        with store.engine.connect() as conn:
            sql = "SELECT record FROM report_versions WHERE is_current AND version = 2"
            current = conn.execute(text(sql)).scalar_one()
        current = json.loads(current) if isinstance(current, str) else current
        expected = json.loads((SAMPLES / "seed002.json").read_text("utf-8"))
        assert current["active_disclosure"] == expected["active_disclosure"]
        assert reparse(store, str(root), older_than_parser=True).documents == 0


def test_one_agency_and_year_only(crawled: tuple[str, Path]) -> None:
    db_url, root = crawled
    with Store(db_url) as store:
        counts = reparse(store, str(root), agency="孟津区应急管理局", year=2023)
        assert counts.noop == 1 and counts.documents == 1
        assert reparse(store, str(root), year=2019).documents == 0


def test_the_command_prints_the_counts(
    crawled: tuple[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url, root = crawled
    monkeypatch.setenv("YINGJI_FILES_STORE", str(root))
    assert main(["reparse", "--database", db_url, "--workers", "2"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == (
        "re-parsed 5 documents: insert 0, noop 2, new_version 0, failed 1, no report 1 "
        f"(parser {PARSER_VERSION})"
    )
    assert "bad.pdf" in err


def test_a_missing_file_store_is_one_clear_line(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YINGJI_FILES_STORE", str(tmp_path / "nowhere"))
    Store(db_url).close()  # a database that exists: reparse refuses to create one
    assert main(["reparse", "--database", db_url]) == 2
    assert "YINGJI_FILES_STORE" in capsys.readouterr().err


def test_yingji_reparse_runs_without_scrapy_or_twisted(
    crawled: tuple[str, Path], tmp_path: Path
) -> None:
    # the command goes through ingest/ and storage/ only: not one module of the crawl stack
    # is imported, so a re-parse runs where Scrapy is not wanted (or not installed)
    db_url, root = crawled
    script = (
        "import json, sys\n"
        "from yingji.cli import main\n"
        "code = main(['reparse', '--database', sys.argv[1], '--workers', '1'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted'))\n"
        "print(json.dumps({'code': code, 'loaded': loaded}))\n"
    )
    env = {**os.environ, "YINGJI_FILES_STORE": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", script, db_url],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("re-parsed 5 documents: insert 0, noop 2, new_version 0,")
    result = json.loads(lines[-1])
    assert result == {"code": 0, "loaded": []}

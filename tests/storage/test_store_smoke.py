"""The store's three answers on a realistic record, on every database."""

from __future__ import annotations

import json
from pathlib import Path

from yingji.store import Store

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"


def test_insert_then_noop_then_new_version(db_url: str) -> None:
    record = json.loads((SAMPLES / "synth0.json").read_text(encoding="utf-8"))
    kw = dict(
        region="河南省洛阳市栾川县",
        raw_type="pdf",
        status="parsed",
        warnings=[],
        parser_version="t",
    )
    with Store(db_url) as store:
        first = store.store_report(record, source_url="http://a/1", raw_sha256="a" * 64, **kw)
        again = store.store_report(record, source_url="http://a/2", raw_sha256="a" * 64, **kw)
        record["active_disclosure"]["licensing"] += 1
        changed = store.store_report(record, source_url="http://a/3", raw_sha256="b" * 64, **kw)
    assert (first.action, again.action, changed.action) == ("insert", "noop", "new_version")
    assert first.report_id == again.report_id == changed.report_id
    assert (first.version, changed.version) == (1, 2)

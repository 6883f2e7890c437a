"""Read models: which documents ``yingji reparse --agency NAME`` means, however NAME is spelt."""

from __future__ import annotations

import pytest

from storage import Store, queries
from tests.storage.helpers import kw, load_record

MENGJIN = "河南省洛阳市孟津区"


@pytest.mark.parametrize(
    "spelling",
    [
        "孟津区应急管理局",
        "洛阳市孟津区应急管理局",
        "河南省洛阳市孟津区应急管理局",
        "孟津县安全生产监督管理局",  # the predecessor, before 孟津县 became 孟津区
        "孟津县安监局",
        " 孟津区 应急管理局 ",  # spaces as a title may have them
    ],
)
def test_an_agency_is_found_by_any_spelling(db_url: str, spelling: str) -> None:
    with Store(db_url) as store:
        store.store_report(
            load_record("seed000"), **kw(region=MENGJIN, raw_sha256="d" * 64)
        )  # 孟津区应急管理局
        store.store_report(load_record("synth0"), **kw(raw_sha256="e" * 64))  # 栾川县
        found = [d.sha256 for d in store.iter_documents(agency=spelling)]
        assert found == ["d" * 64]


def test_another_agency_or_an_unknown_name_finds_nothing(db_url: str) -> None:
    with Store(db_url) as store:
        store.store_report(load_record("seed000"), **kw(region=MENGJIN, raw_sha256="d" * 64))
        assert list(store.iter_documents(agency="栾川县应急管理局")) == []
        assert list(store.iter_documents(agency="孟津区教育局")) == []
        assert list(store.iter_documents(agency="新乡市红旗区应急管理局")) == []


def test_reparse_reads_what_iter_documents_reads_in_two_steps(db_url: str) -> None:
    # yingji reparse groups on (sha256, URLs) and reads the rest a page at a time
    # (documents_of): together they must be exactly iter_documents, selection and order kept
    with Store(db_url) as store:
        store.store_report(load_record("seed000"), **kw(region=MENGJIN, raw_sha256="d" * 64))
        store.store_report(load_record("synth0"), **kw(raw_sha256="e" * 64))
        store.add_document("d" * 64, url="http://mj.example/again.pdf", region=MENGJIN)
        store.add_document("f" * 64, url="http://mj.example/f.pdf", title="某某报告")
        store.set_document_status("e" * 64, "parsed", None, "v2")
        for kwargs in ({}, {"exclude_parser_version": "v2"}, {"agency": "孟津区应急管理局"}):
            whole = list(store.iter_documents(**kwargs))
            pairs = store.read(lambda conn, kw=kwargs: queries.document_urls(conn, **kw))
            assert pairs == [(d.sha256, d.urls) for d in whole]
            shas = [sha for sha, _ in pairs]
            assert store.read(lambda conn, s=shas: queries.documents_of(conn, s)) == whole
        assert len(store.read(queries.document_urls)) == 3
        some = ["f" * 64, "0" * 64, "d" * 64]  # one that is not stored is left out
        assert store.read(lambda conn: queries.documents_of(conn, some)) == [
            d for d in reversed(list(store.iter_documents())) if d.sha256 != "e" * 64
        ]

"""Read models: which documents ``yingji reparse --agency NAME`` means, however NAME is spelt."""

from __future__ import annotations

import pytest

from storage import Store
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

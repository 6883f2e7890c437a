"""The store service: insert / noop / new version, sources, cells, documents and runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from models import Agency, AgencyAlias, Report, ReportCell, ReportSource, ReportVersion
from storage import Store
from storage.content import content_hash
from storage.reports import UnstorableRecord
from tests.storage.helpers import changed, kw, load_record


@pytest.fixture
def store(db_url: str):  # type: ignore[no-untyped-def]
    with Store(db_url) as s:
        yield s


def count(store: Store, model: type) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def versions(store: Store, report_id: int) -> list:  # type: ignore[type-arg]
    with store.engine.connect() as conn:
        return list(
            conn.execute(
                select(ReportVersion)
                .where(ReportVersion.report_id == report_id)
                .order_by(ReportVersion.version)
            )
        )


def test_first_store_inserts_a_report_with_version_one(store: Store) -> None:
    out = store.store_report(load_record(), **kw())
    assert out.action == "insert" and out.version == 1 and out.attempts == 1
    [v] = versions(store, out.report_id)
    assert v.is_current and v.status == "parsed" and v.superseded_at is None
    assert v.record["agency"] == "栾川县应急管理局" and v.record["region"] == "河南省洛阳市栾川县"
    assert "warnings" not in v.record  # warnings have their own column
    assert v.raw_sha256 == "a" * 64 and v.raw_type == "html" and v.parser_version == "test-1"


def test_same_content_is_a_noop_that_only_adds_the_source_and_last_seen(store: Store) -> None:
    t0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    first = store.store_report(load_record(), **kw(seen_at=t0))
    again = store.store_report(
        load_record(),
        **kw(source_url="http://city.example/copy.html", seen_at=t0 + timedelta(days=7)),
    )
    assert again.action == "noop"
    assert (again.report_id, again.version_id, again.version) == (
        first.report_id,
        first.version_id,
        1,
    )
    [v] = versions(store, first.report_id)
    assert v.first_seen == t0 and v.last_seen == t0 + timedelta(days=7)
    with store.engine.connect() as conn:
        urls = (
            conn.execute(select(ReportSource.url).where(ReportSource.version_id == v.id))
            .scalars()
            .all()
        )
    assert sorted(urls) == ["http://city.example/copy.html", "http://lcx.example/2023/report.html"]
    # seen again at the same URL: no new source row
    store.store_report(load_record(), **kw(seen_at=t0 + timedelta(days=8)))
    assert count(store, ReportSource) == 2


def test_different_content_adds_a_version_and_supersedes_the_old_one(store: Store) -> None:
    t0 = datetime(2024, 3, 1, tzinfo=UTC)
    first = store.store_report(load_record(), **kw(seen_at=t0))
    second = store.store_report(
        changed(load_record()), **kw(raw_sha256="b" * 64, seen_at=t0 + timedelta(days=1))
    )
    assert second.action == "new_version" and second.version == 2
    assert second.report_id == first.report_id and second.version_id != first.version_id
    old, new = versions(store, first.report_id)
    assert not old.is_current and old.superseded_at == t0 + timedelta(days=1)
    assert new.is_current and new.superseded_at is None
    assert (
        old.record["active_disclosure"]["licensing"] + 1
        == new.record["active_disclosure"]["licensing"]
    )


def test_content_equal_to_an_older_version_is_a_noop_on_it_and_keeps_the_current(
    store: Store,
) -> None:
    # a corrected report on the district site while the city portal still serves the old one:
    # crawling both again and again must not make versions flip-flop
    city = {"source_url": "http://city/old", "raw_sha256": "c" * 64}
    district = {"source_url": "http://district/new", "raw_sha256": "d" * 64}
    store.store_report(load_record(), **kw(**city))
    newer = store.store_report(changed(load_record()), **kw(**district))
    for _ in range(2):
        old_again = store.store_report(load_record(), **kw(**city))
        new_again = store.store_report(changed(load_record()), **kw(**district))
        assert (old_again.action, old_again.version) == ("noop", 1)
        assert (new_again.action, new_again.version) == ("noop", 2)
    assert [v.is_current for v in versions(store, newer.report_id)] == [False, True]


def test_the_same_document_read_back_to_older_content_becomes_current_again(
    store: Store,
) -> None:
    # parser 1 read the document right, parser 2 regressed, parser 3 reads it right again:
    # the fix must not be a noop on version 1 that leaves the regression current
    right = store.store_report(load_record(), **kw(parser_version="1"))
    wrong = store.store_report(changed(load_record()), **kw(parser_version="2"))
    fixed = store.store_report(load_record(), **kw(parser_version="3"))
    assert (right.action, wrong.action, fixed.action) == ("insert", "new_version", "new_version")
    assert fixed.version == 3
    v1, v2, v3 = versions(store, right.report_id)
    assert [v.is_current for v in (v1, v2, v3)] == [False, False, True]
    assert v3.content_hash == v1.content_hash and v3.parser_version == "3"
    again = store.store_report(load_record(), **kw(parser_version="3"))
    assert (again.action, again.version) == ("noop", 3)


def test_volatile_keys_and_spelling_do_not_change_the_content() -> None:
    record = load_record()
    noisy = dict(record)
    noisy.update(
        warnings=[{"code": "x", "message": "y", "where": ""}],
        parser_version="9",
        region="河南省洛阳市",
        agency="洛阳市栾川县应急管理局",
        title=record["title"] + " ",
        sections={"overview": "another extraction of the same text"},
    )
    assert content_hash(noisy) == content_hash(record)
    as_float = load_record()
    as_float["active_disclosure"]["licensing"] = float(as_float["active_disclosure"]["licensing"])
    assert content_hash(as_float) == content_hash(record)  # 52 and 52.0 are one number
    assert content_hash(changed(record)) != content_hash(record)
    blank = load_record()
    blank["applications"]["new"]["research"] = None  # a blank cell is not a zero
    assert content_hash(blank) != content_hash(record)
    other_year = dict(record, year=record["year"] + 1)
    assert content_hash(other_year) != content_hash(record)


def test_unstructured_reports_are_compared_by_their_text() -> None:
    old = {"agency": "栾川县安监局", "year": 2017, "template": None, "unstructured_text": "全文 一"}
    assert content_hash(old) == content_hash(dict(old, unstructured_text="全文\n一"))
    assert content_hash(old) != content_hash(dict(old, unstructured_text="全文 二"))


def test_spellings_of_one_agency_meet_in_one_report_with_every_alias(store: Store) -> None:
    district = store.store_report(load_record(), **kw())
    full = dict(load_record(), agency="洛阳市栾川县应急管理局")
    city_copy = store.store_report(full, **kw(region="河南省洛阳市", source_url="http://ly/copy"))
    old_name = dict(changed(load_record()), agency="栾川县安全生产监督管理局")
    renamed = store.store_report(old_name, **kw())
    assert district.report_id == city_copy.report_id == renamed.report_id
    assert (city_copy.action, renamed.action) == ("noop", "new_version")
    assert count(store, Agency) == 1 and count(store, Report) == 1
    with store.engine.connect() as conn:
        agency = conn.execute(select(Agency)).one()
        aliases = dict(conn.execute(select(AgencyAlias.name, AgencyAlias.predecessor)).all())
    assert (agency.name, agency.division_code, agency.kind) == (
        "栾川县应急管理局",
        "410324",
        "emergency_management",
    )
    assert aliases == {
        "栾川县应急管理局": False,
        "洛阳市栾川县应急管理局": False,
        "栾川县安全生产监督管理局": True,
    }


def test_reports_are_one_per_agency_and_year(store: Store) -> None:
    a = store.store_report(load_record("synth0"), **kw())
    b = store.store_report(dict(load_record("synth0"), year=2021), **kw())
    c = store.store_report(load_record("seed000"), **kw(region="河南省洛阳市孟津区"))
    assert len({a.report_id, b.report_id, c.report_id}) == 3
    assert a.agency_id == b.agency_id != c.agency_id
    with store.engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(
            text(
                "INSERT INTO reports (agency_id, year, created_at) VALUES (:a, 2022, '2024-01-01')"
            ),
            {"a": a.agency_id},
        )


def test_exactly_one_current_version_is_enforced_by_the_database(store: Store) -> None:
    out = store.store_report(load_record(), **kw())
    store.store_report(changed(load_record()), **kw())
    with store.engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(
            text("UPDATE report_versions SET is_current = :t WHERE report_id = :r"),
            {"t": True, "r": out.report_id},
        )


def test_every_cell_of_the_tables_is_a_row_and_blank_is_null(store: Store) -> None:
    record = load_record()
    record["applications"]["new"]["research"] = None
    out = store.store_report(record, **kw())
    with store.engine.connect() as conn:
        cells = {
            (c.section, c.row_key, c.column_key): c.value
            for c in conn.execute(select(ReportCell).where(ReportCell.version_id == out.version_id))
        }
    assert len(cells) == 2 * 3 + 4 + 25 * 7 + 3 * 5  # 二: 2 rows x 3 + 4 single; 三; 四
    assert cells[("applications", "new", "total")] == 517
    assert cells[("applications", "new", "research")] is None
    assert cells[("active_disclosure", "rules", "in_force")] == 3
    assert cells[("active_disclosure", "licensing", "value")] == 52
    assert cells[("active_disclosure", "fees", "value")] == pytest.approx(1.68)
    assert cells[("review_litigation", "litigation_after_review", "pending")] == 2


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ({"agency": "栾川县应急管理局", "year": 2022}, "failed"),
        ({"agency": "栾川县应急管理局", "year": 2022}, "bogus"),
        ({"agency": "", "year": 2022}, "parsed"),
        ({"agency": "栾川县应急管理局", "year": None}, "parsed"),
        ({"agency": "栾川县应急管理局", "year": "2022"}, "parsed"),
    ],
)
def test_records_that_cannot_be_a_version_are_refused_and_nothing_is_written(
    store: Store,
    record: dict,
    status: str,  # type: ignore[type-arg]
) -> None:
    with pytest.raises(UnstorableRecord):
        store.store_report(record, **kw(status=status))
    assert count(store, Report) == 0 and count(store, ReportVersion) == 0


def test_partial_and_needs_ocr_versions_are_stored_with_their_status_and_warnings(
    store: Store,
) -> None:
    warning = {"code": "row_missing", "message": "三（六）1 is missing", "where": "applications"}
    out = store.store_report(load_record(), **kw(status="partial", warnings=[warning]))
    [v] = versions(store, out.report_id)
    assert v.status == "partial" and v.warnings == [warning]


def test_documents_are_kept_with_their_metadata_urls_and_latest_parse(store: Store) -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    store.add_document(
        "c" * 64,
        doc_type="pdf",
        size=1234,
        path="cc/cccc.pdf",
        original_name="../../报告.pdf",
        content_type="application/octet-stream",
        url="http://lcx.example/downfile.jsp?id=1",
        region="河南省洛阳市栾川县",
        site_name="栾川县人民政府",
        title="栾川县应急管理局2022年政府信息公开工作年度报告",
        seen_at=t0,
    )
    store.add_document(
        "c" * 64, url="http://ly.example/copy.pdf", region="河南省洛阳市", seen_at=t0 + timedelta(1)
    )
    store.set_document_status("c" * 64, "failed", "encrypted PDF", "test-1")
    store.set_document_status("d" * 64, "needs_ocr", None, "test-1")  # unknown so far: created
    docs = {d.sha256: d for d in store.iter_documents()}
    c = docs["c" * 64]
    assert (c.doc_type, c.size, c.path, c.original_name) == (
        "pdf",
        1234,
        "cc/cccc.pdf",
        "../../报告.pdf",
    )
    assert c.urls == ["http://lcx.example/downfile.jsp?id=1", "http://ly.example/copy.pdf"]
    assert (c.region, c.site_name) == ("河南省洛阳市栾川县", "栾川县人民政府")
    assert (c.parse_status, c.parse_error, c.parser_version) == (
        "failed",
        "encrypted PDF",
        "test-1",
    )
    assert docs["d" * 64].parse_status == "needs_ocr"
    with pytest.raises(ValueError, match="unknown document status"):
        store.set_document_status("c" * 64, "weird")


def test_iter_documents_selects_for_reparse(store: Store) -> None:
    store.store_report(load_record("synth0"), **kw(raw_sha256="a" * 64))
    store.store_report(
        load_record("seed000"), **kw(raw_sha256="b" * 64, region="河南省洛阳市孟津区")
    )
    store.set_document_status("a" * 64, "parsed", None, "v1")
    store.set_document_status("b" * 64, "parsed", None, "v2")
    store.set_document_status("c" * 64, "failed", "corrupt", "v2")
    assert {d.sha256[0] for d in store.iter_documents()} == {"a", "b", "c"}
    assert {d.sha256[0] for d in store.iter_documents(exclude_parser_version="v2")} == {"a"}
    assert {d.sha256[0] for d in store.iter_documents(statuses={"failed"})} == {"c"}
    assert {d.sha256[0] for d in store.iter_documents(year=2023)} == {"b"}
    # by canonical name or any spelling (tests/storage/test_queries.py has the spellings)
    assert {d.sha256[0] for d in store.iter_documents(agency="洛阳市孟津区应急管理局")} == {"b"}
    assert {d.sha256[0] for d in store.iter_documents(agency="洛阳市西工区应急管理局")} == set()
    assert {d.sha256[0] for d in store.iter_documents(agency="孟津区应急管理局", year=2023)} == {
        "b"
    }


def test_runs_count_outcomes_and_keep_one_row_per_site(store: Store) -> None:
    run_id = store.start_run(shard="1/2", seeds_count=2, note="test")
    store.store_report(load_record(), **kw(run_id=run_id))
    store.store_report(load_record(), **kw(run_id=run_id))
    store.store_report(changed(load_record()), **kw(run_id=run_id))
    store.set_document_status("e" * 64, "failed", "corrupt", "t", run_id=run_id)
    store.record_site(
        run_id, site_url="http://a", site_name="甲", region="河南省", status="none_found"
    )
    store.record_site(
        run_id,
        site_url="http://a",
        site_name="甲",
        region="河南省",
        status="reports_found",
        reports_found=3,
        inserted=1,
        noop=1,
        new_versions=1,
    )
    store.record_site(run_id, site_url="http://b", status="blocked", error="captcha page")
    info = store.finish_run(run_id, status="finished")
    assert (info.inserted, info.noop, info.new_versions, info.failed) == (1, 1, 1, 1)
    assert info.status == "finished" and info.finished_at is not None and info.shard == "1/2"
    sites = store.run_sites(run_id)
    assert [(s.site_url, s.status) for s in sites] == [
        ("http://a", "reports_found"),
        ("http://b", "blocked"),
    ]
    assert sites[1].error == "captcha page"
    later = store.start_run()
    store.record_site(later, site_url="http://a", status="none_found")
    assert [r.id for r in store.recent_runs()] == [later, run_id]
    assert [s.status for s in store.site_history("http://a", before_run_id=later)] == [
        "reports_found"
    ]
    assert store.run(9999) is None
    with pytest.raises(ValueError, match="unknown site status"):
        store.record_site(later, site_url="http://c", status="fine")

"""The SQL views: what a consumer queries without knowing about versions."""

from __future__ import annotations

from sqlalchemy import text

from storage import Store
from tests.storage.helpers import changed, kw, load_record


def query(store: Store, sql: str, **params: object) -> list[dict]:  # type: ignore[type-arg]
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def fill(store: Store) -> None:
    store.store_report(load_record("synth0"), **kw())  # 栾川县 2022, then corrected
    store.store_report(changed(load_record("synth0")), **kw(raw_sha256="b" * 64))
    store.store_report(
        load_record("seed000"), **kw(region="河南省洛阳市孟津区", raw_sha256="c" * 64)
    )
    store.store_report(load_record("synth1"), **kw(region=None, raw_sha256="d" * 64))


def test_current_reports_has_one_row_per_report_at_its_current_version(db_url: str) -> None:
    with Store(db_url) as store:
        fill(store)
        rows = query(store, "SELECT * FROM current_reports ORDER BY year, agency")
    assert sorted((r["agency"], r["year"], r["version"]) for r in rows) == [
        ("孟津区应急管理局", 2023, 1),
        ("新安县应急管理局", load_record("synth1")["year"], 1),
        ("栾川县应急管理局", 2022, 2),  # the corrected version, not the superseded one
    ]
    mengjin = next(r for r in rows if r["agency"] == "孟津区应急管理局")
    assert mengjin["division_code"] == "410308" and mengjin["region"] == "河南省洛阳市孟津区"
    assert (
        mengjin["year"] == 2023 and mengjin["template"] == "2021" and mengjin["status"] == "parsed"
    )
    assert (
        mengjin["title"] and mengjin["raw_sha256"] == "c" * 64 and mengjin["first_seen"] is not None
    )


def test_current_report_cells_answers_a_year_in_one_select(db_url: str) -> None:
    with Store(db_url) as store:
        fill(store)
        rows = query(
            store,
            "SELECT agency, region, section, row_key, column_key, value FROM current_report_cells "
            "WHERE year = :y",
            y=2022,
        )
        licensing = query(
            store,
            "SELECT value FROM current_report_cells WHERE year = 2022 AND agency = :a "
            "AND section = 'active_disclosure' AND row_key = 'licensing'",
            a="栾川县应急管理局",
        )
    assert {r["agency"] for r in rows} == {"栾川县应急管理局"}
    assert len(rows) == 200  # the current version only, not the superseded one
    assert [float(r["value"]) for r in licensing] == [53.0]


def test_current_applications_is_one_row_per_report_and_row_with_the_seven_columns(
    db_url: str,
) -> None:
    with Store(db_url) as store:
        fill(store)
        rows = query(
            store,
            "SELECT * FROM current_applications WHERE year = 2022 AND row_key = 'new'",
        )
        totals = query(
            store,
            "SELECT agency, SUM(total) AS s FROM current_applications "
            "WHERE row_key = 'handled_total' GROUP BY agency ORDER BY agency",
        )
    [new] = rows
    expected = load_record("synth0")["applications"]["new"]
    assert {k: float(new[k]) for k in expected} == {k: float(v) for k, v in expected.items()}
    assert len(totals) == 3

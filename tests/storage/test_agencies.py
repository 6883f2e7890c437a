"""The rows a report hangs from: an agency is written once with its division chain, each
spelling of its name is an alias, and a report is one row per agency and year, whoever asks
and however often (a recrawl and a re-parse ask for rows that exist already)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, func, select

from models import Agency, AgencyAlias, Division, Report
from storage import Store
from storage.agencies import ensure_agency, ensure_report
from storage.content import now
from storage.identity import agency_identity


def _count(conn: Connection, model: type) -> int:
    return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_an_agency_and_its_report_are_written_once_and_found_again(tmp_path: Path) -> None:
    first = agency_identity("洛阳市孟津区应急管理局")
    again = agency_identity("孟津区应急管理局")  # another spelling of the same bureau
    assert first.key == again.key
    with Store(f"sqlite:///{tmp_path / 'a.db'}") as store:

        def write(conn: Connection) -> tuple[list[int], list[int], dict[str, int]]:
            agencies = [ensure_agency(conn, ident, now(None)) for ident in (first, again, first)]
            reports = [ensure_report(conn, agencies[0], year) for year in (2023, 2023, 2024)]
            counts = {m.__name__: _count(conn, m) for m in (Agency, AgencyAlias, Division, Report)}
            return agencies, reports, counts

        (agencies, reports, counts), _ = store.write(write)
    assert agencies[0] == agencies[1] == agencies[2]
    assert reports[0] == reports[1] != reports[2]
    # one agency, two spellings, its chain 河南省 > 洛阳市 > 孟津区, two years
    assert counts == {"Agency": 1, "AgencyAlias": 2, "Division": 3, "Report": 2}


def test_an_agency_without_a_division_is_stored_by_its_name(tmp_path: Path) -> None:
    ident = agency_identity("某某新区应急管理局")  # no such place in the division table
    assert ident.division is None
    with Store(f"sqlite:///{tmp_path / 'a.db'}") as store:

        def write(conn: Connection) -> tuple[int, int, int]:
            a = ensure_agency(conn, ident, now(None))
            return a, ensure_agency(conn, ident, now(None)), _count(conn, Division)

        (a, b, divisions), _ = store.write(write)
    assert a == b and divisions == 0

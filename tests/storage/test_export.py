"""``yingji export``: JSON lines and CSV of what was stored, and clear errors."""

from __future__ import annotations

import csv
import io
import json
import socket
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import Store
from storage.export import RECORD_KEYS
from tests.storage.helpers import changed, kw, load_record
from yingji.cli import main

T0 = datetime(2024, 2, 1, 9, 30, tzinfo=UTC)
T1 = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
WARNING = {
    "code": "agency_completed",
    "message": "区应急管理局 -> 孟津区应急管理局",
    "where": "title",
}


def fill(url: str) -> None:
    with Store(url) as store:
        store.store_report(load_record("synth0"), **kw(seen_at=T0, source_url="http://a/1"))
        store.store_report(load_record("synth0"), **kw(seen_at=T1, source_url="http://b/2"))
        store.store_report(
            changed(load_record("synth0")),
            **kw(seen_at=T1, source_url="http://a/3", raw_sha256="b" * 64),
        )
        store.store_report(
            load_record("seed000"),
            **kw(
                region="河南省洛阳市孟津区",
                status="partial",
                warnings=[WARNING],
                raw_sha256="c" * 64,
            ),
        )


def export(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["export", "--database", url, *args]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def test_jsonl_has_the_record_keys_plus_version_sources_and_times(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(db_url)
    lines = [json.loads(x) for x in export(db_url, capsys).splitlines()]
    assert [(x["agency"], x["year"], x["version"]) for x in lines] == [
        ("栾川县应急管理局", 2022, 2),
        ("孟津区应急管理局", 2023, 1),
    ]
    luanchuan, mengjin = lines
    assert list(luanchuan) == [
        "agency",
        "agency_as_written",
        "division_code",
        *RECORD_KEYS[1:],
        "warnings",
        "version",
        "sources",
        "first_seen",
        "last_seen",
        "status",
    ]
    expected = changed(load_record("synth0"))
    for key in ("active_disclosure", "applications", "review_litigation", "title", "template"):
        assert luanchuan[key] == expected[key]
    assert (
        luanchuan["region"] == "河南省洛阳市栾川县"
        and luanchuan["sections"] == expected["sections"]
    )
    assert luanchuan["sources"] == ["http://a/3"]
    assert (luanchuan["first_seen"], luanchuan["last_seen"]) == ("2024-03-01T09:30:00Z",) * 2
    assert (mengjin["status"], mengjin["warnings"]) == ("partial", [WARNING])


def test_all_versions_and_year(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    fill(db_url)
    every = [json.loads(x) for x in export(db_url, capsys, "--all-versions").splitlines()]
    assert [(x["year"], x["version"]) for x in every] == [(2022, 1), (2022, 2), (2023, 1)]
    first = every[0]
    assert first["sources"] == ["http://a/1", "http://b/2"]  # a noop added the second source
    assert (first["first_seen"], first["last_seen"]) == (
        "2024-02-01T09:30:00Z",
        "2024-03-01T09:30:00Z",
    )
    only = [json.loads(x) for x in export(db_url, capsys, "--year", "2023").splitlines()]
    assert [x["agency"] for x in only] == ["孟津区应急管理局"]
    assert export(db_url, capsys, "--year", "1999") == ""


def test_csv_flattens_the_cells_into_columns(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(db_url)
    rows = list(csv.DictReader(io.StringIO(export(db_url, capsys, "--format", "csv"))))
    assert len(rows) == 2
    luanchuan = rows[0]
    record = changed(load_record("synth0"))
    assert luanchuan["agency"] == "栾川县应急管理局" and luanchuan["version"] == "2"
    assert luanchuan["applications.new.total"] == str(record["applications"]["new"]["total"])
    assert luanchuan["active_disclosure.rules.in_force"] == "3"
    assert luanchuan["active_disclosure.fees"] == "1.68"
    assert luanchuan["review_litigation.review.total"] == "9"
    assert rows[1]["warnings"] == "agency_completed"
    cell_columns = [c for c in rows[0] if "." in c]
    assert len(cell_columns) == 200


def test_export_of_a_database_that_does_not_exist_says_so_and_creates_nothing(
    db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # db_url is a missing SQLite file, or an empty PostgreSQL database (no schema)
    assert main(["export", "--database", db_url]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert "no database at" in captured.err or "holds no yingji data" in captured.err
    assert not (tmp_path / "yingji.db").exists()
    assert main(["db", "upgrade", "--database", db_url]) == 0  # what creates one
    capsys.readouterr()
    assert export(db_url, capsys) == ""
    assert export(db_url, capsys, "--format", "csv").startswith("agency,agency_as_written,")


def test_an_empty_sqlite_file_is_not_a_yingji_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "other.db").write_bytes(b"")
    assert main(["export", "--database", f"sqlite:///{tmp_path / 'other.db'}"]) == 2
    assert "holds no yingji data" in capsys.readouterr().err
    with sqlite3.connect(tmp_path / "other.db") as conn:  # not migrated either
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_export_names_the_agency_as_the_views_do(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A predecessor's report: canonical name, the name as written and the adcode, in JSONL
    and CSV alike, equal to current_reports' columns of the same names."""
    with Store(db_url) as store:
        old = {**load_record("seed000"), "agency": "孟津县安全生产监督管理局"}
        store.store_report(old, **kw(region="河南省洛阳市孟津区", raw_sha256="d" * 64))
        with store.engine.connect() as conn:
            view = conn.execute(
                text("SELECT agency, agency_as_written, division_code FROM current_reports")
            ).one()
    (line,) = [json.loads(x) for x in export(db_url, capsys).splitlines()]
    named = (line["agency"], line["agency_as_written"], line["division_code"])
    assert named == ("孟津区应急管理局", "孟津县安全生产监督管理局", "410308") == tuple(view)
    (row,) = csv.DictReader(io.StringIO(export(db_url, capsys, "--format", "csv")))
    assert (row["agency"], row["agency_as_written"], row["division_code"]) == named


def test_json_columns_hold_readable_utf8(db_url: str) -> None:
    """The raw text of record and warnings, as sqlite3 or psql shows it."""
    fill(db_url)
    with Store(db_url) as store, store.engine.connect() as conn:
        cast = "::text" if conn.dialect.name == "postgresql" else ""
        sql = f"SELECT record{cast}, warnings{cast} FROM report_versions WHERE status = 'partial'"
        raw = conn.execute(text(sql)).one()
    record, warnings = raw
    assert "孟津区应急管理局" in record and "区应急管理局 -> 孟津区应急管理局" in warnings
    assert "\\u" not in record + warnings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@localhost/x", "unsupported database URL"),
        ("::not a url::", "bad database URL"),
        (f"postgresql://u:pw@127.0.0.1:{free_port()}/x", "server is running"),
        ("sqlite:////nonexistent-dir-yingji/sub/x.db", "no database at"),
    ],
)
def test_bad_urls_and_unreachable_servers_are_one_line_errors(
    url: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--database", url]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("yingji: ") and captured.err.count("\n") == 1
    assert message in captured.err and "pw@" not in captured.err


def test_the_installed_command_prints_no_traceback() -> None:
    url = f"postgresql://u@127.0.0.1:{free_port()}/x"
    done = subprocess.run(
        [sys.executable, "-m", "yingji.cli", "export", "--database", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1

"""The request journal's notes and run record (crawler/journal.py), as bytes and as a file.

The scheduled / done records and a finished journal are tests/system/test_dupefilter.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crawler.journal import (
    JOURNAL_NAME,
    RequestJournal,
    done_record,
    journal_run,
    note_record,
    parse_journal,
    run_of,
    run_payload,
    run_record,
    scheduled_record,
)


def test_a_note_counts_once_its_request_is_done() -> None:
    data = (
        scheduled_record("aa", b"a")
        + scheduled_record("bb", b"b")
        + note_record("aa", "", b"item of aa")
        + note_record("bb", "", b"item of bb")  # bb was in flight at the kill
        + done_record("aa")
        + note_record("", "", b"at once")
    )
    state = parse_journal(data)
    assert state.notes == [("", b"item of aa"), ("", b"at once")]
    assert state.pending == {"bb": b"b"}


def test_of_keyed_notes_the_last_of_a_done_request_wins() -> None:
    data = (
        note_record("aa", "site x", b"v1")
        + done_record("aa")
        + note_record("bb", "site y", b"y1")
        + done_record("bb")
        + note_record("cc", "site x", b"v2")
        + done_record("cc")
        + note_record("dd", "site x", b"v3")  # dd not done: v3 is of a page processed again
        + note_record("ee", "", "出现 中文".encode())
        + done_record("ee")
    )
    assert parse_journal(data).notes == [
        ("site x", b"v2"),
        ("site y", b"y1"),
        ("", "出现 中文".encode()),
    ]


def test_the_run_is_kept_when_the_journal_is_compacted_and_dropped_when_it_finished(
    tmp_path: Path,
) -> None:
    began = datetime(2026, 3, 2, 8, 0, 0, 5, tzinfo=UTC)
    path = tmp_path / JOURNAL_NAME
    path.write_bytes(
        run_record(run_payload(7, began))
        + scheduled_record("aa", b"x" * 100)
        + note_record("aa", "", b"n")
        + done_record("aa")
        + scheduled_record("bb", b"y")
        + note_record("bb", "", b"lost")
    )
    assert journal_run(tmp_path) == 7
    journal = RequestJournal(path)
    state = journal.open()
    journal.close()
    assert run_of(state.run) == (7, began)
    assert state.notes == [("", b"n")]
    assert parse_journal(path.read_bytes()) == state  # compacted, same meaning
    assert b"lost" not in path.read_bytes()
    path.write_bytes(path.read_bytes() + b"F\n")
    assert journal_run(tmp_path) is None  # a finished crawl: the next one is a new run
    assert RequestJournal(path).open().run is None


def test_an_unreadable_run_record_is_no_run() -> None:
    assert run_of(b"{not json") is None and run_of(None) is None
    assert parse_journal(b"R\t!!\n").run is None


def test_the_run_of_a_job_directory_is_its_last_run_record(tmp_path: Path) -> None:
    began = datetime(2026, 3, 2, tzinfo=UTC)
    path = tmp_path / JOURNAL_NAME
    path.write_bytes(run_record(run_payload(4, began)) + scheduled_record("aa", b"R\tx\n" * 9))
    assert journal_run(tmp_path) == 4  # first line
    path.write_bytes(path.read_bytes() + run_record(run_payload(9, began)) + done_record("aa"))
    assert journal_run(tmp_path) == 9  # a later run record wins (another database's run)
    path.write_bytes(scheduled_record("aa", b"x"))
    assert journal_run(tmp_path) is None  # a crawl that never opened a run

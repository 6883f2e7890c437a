"""Migrations: models and migrations agree, databases migrate themselves, newer schemas refuse."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, inspect, text

from storage import Store, db
from storage.db import normalise_url
from storage.errors import UserError
from yingji.cli import main

ROOT = Path(__file__).resolve().parents[2]
VIEWS = {"current_reports", "current_report_cells", "current_applications"}


def test_models_and_migrations_agree(db_url: str) -> None:
    with Store(db_url):  # a fresh database migrates itself
        pass
    command.check(db.alembic_config(db_url))  # raises if autogenerate would emit anything


def test_alembic_works_from_the_repository_root_on_the_configured_database(db_url: str) -> None:
    with Store(db_url):
        pass
    env = dict(os.environ, YINGJI_DATABASE_URL=db_url)
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "No new upgrade operations detected" in done.stdout + done.stderr


def test_a_fresh_database_gets_every_table_and_view_and_migrations_reverse(db_url: str) -> None:
    with Store(db_url) as store:
        names = inspect(store.engine)
        assert {"reports", "report_versions", "report_cells", "agencies", "crawl_runs"} <= set(
            names.get_table_names()
        )
        assert set(names.get_view_names()) >= VIEWS
    command.downgrade(db.alembic_config(db_url), "base")
    with Store(db_url, upgrade=True) as store:
        assert set(inspect(store.engine).get_view_names()) >= VIEWS


def test_db_upgrade_and_current_commands(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current", "--database", db_url]) == 2  # only looks: creates nothing
    assert "`yingji db upgrade`" in capsys.readouterr().err
    assert main(["db", "upgrade", "--database", db_url]) == 0
    assert f"revision {db.head_revision()} (head)" in capsys.readouterr().out
    assert main(["db", "current", "--database", db_url]) == 0
    assert "(head)" in capsys.readouterr().out


def test_an_old_schema_without_upgrade_says_to_run_db_upgrade(db_url: str) -> None:
    with pytest.raises(UserError, match="yingji db upgrade"):
        Store(db_url, upgrade=False)


@contextlib.contextmanager
def _engine(db_url: str) -> Iterator[Connection]:
    """A plain connection in one transaction, below the Store (which would migrate)."""
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def make_newer(db_url: str) -> None:
    with Store(db_url) as store, store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed9999'"))


def test_a_database_from_a_newer_yingji_is_refused_with_one_line(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    make_newer(db_url)
    with pytest.raises(UserError, match="newer than this yingji") as err:
        Store(db_url)
    assert "f00dfeed9999" in str(err.value) and "upgrade yingji" in str(err.value)
    for argv in (["export"], ["db", "upgrade"], ["db", "current"], ["runs"]):
        assert main([*argv, "--database", db_url]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.count("\n") == 1 and "newer than this yingji" in captured.err


def test_run_sites_of_an_older_schema_keep_their_rows_and_gain_an_empty_detail(
    db_url: str,
) -> None:
    cfg = db.alembic_config(db_url)
    command.upgrade(cfg, "0001")  # the schema before run_sites.detail
    with _engine(db_url) as conn:
        conn.execute(
            text(
                "INSERT INTO crawl_runs (id, started_at, status, inserted, noop, new_versions,"
                " failed) VALUES (1, CURRENT_TIMESTAMP, 'finished', 0, 0, 0, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO run_sites (run_id, site_url, status, reports_found, inserted, noop,"
                " new_versions, failed, recorded_at)"
                " VALUES (1, 'http://a/', 'none_found', 0, 0, 0, 0, 0, CURRENT_TIMESTAMP)"
            )
        )
    with Store(db_url) as store:  # migrates itself to the head
        [old] = store.run_sites(1)
        assert (old.site_url, old.status, old.detail) == ("http://a/", "none_found", None)
        detail = {"columns": 2, "fallbacks": {"sitemap": {"fetched": 0}}, "refused": {}}
        store.record_site(1, site_url="http://b/", status="none_found", detail=detail)
        assert store.run_sites(1)[1].detail == detail
    command.downgrade(cfg, "0001")
    with _engine(db_url) as conn:
        assert "detail" not in {c["name"] for c in inspect(conn).get_columns("run_sites")}
        assert conn.execute(text("SELECT COUNT(*) FROM run_sites")).scalar_one() == 2

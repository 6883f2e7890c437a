"""Migrations: models and migrations agree, databases migrate themselves, newer schemas refuse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from storage import Store, db
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

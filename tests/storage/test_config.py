"""Where the database and the file store are, by precedence."""

from pathlib import Path

import pytest

from storage.config import database_url, files_store


def test_default_database_is_sqlite_file_in_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("YINGJI_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert database_url() == f"sqlite:///{tmp_path / 'yingji.db'}"


def test_environment_then_explicit_value_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YINGJI_DATABASE_URL", "sqlite:////data/env.db")
    assert database_url() == "sqlite:////data/env.db"
    assert database_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"


def test_files_store_defaults_next_to_sqlite_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("YINGJI_FILES_STORE", raising=False)
    assert files_store(db_url=f"sqlite:///{tmp_path}/x.db") == tmp_path / "files"
    monkeypatch.setenv("YINGJI_FILES_STORE", str(tmp_path / "store"))
    assert files_store() == tmp_path / "store"

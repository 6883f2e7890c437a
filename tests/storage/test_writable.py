"""A crawl that cannot write stops before its first request, with one line and exit 2.

Real failures only: a read-only SQLite file and directory (as an unprivileged user: root
writes anyway), a read-only file system and a full disk (a tmpfs mounted in a user namespace
of its own, so no privilege is needed; skipped where user namespaces are off). Each runs the
real ``yingji crawl`` command, which checks before it starts Scrapy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storage import Store
from storage.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
CRAWL = f"{sys.executable} -m yingji.cli crawl --seeds {ROOT / 'crawler' / 'seeds' / 'default.csv'}"


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}


def assert_refused(done: subprocess.CompletedProcess[str], *reasons: str) -> None:
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stderr.startswith("yingji: cannot "), done.stderr
    assert any(r in done.stderr for r in reasons), done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "scrapy" not in done.stdout.lower()  # stopped before the crawl began


def test_a_writable_database_and_file_store_pass(db_url: str, tmp_path: Path) -> None:
    with Store(db_url) as store:
        store.check_writable(tmp_path / "files")
    assert (tmp_path / "files").is_dir() and list((tmp_path / "files").iterdir()) == []


def test_a_database_opened_read_only_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "yingji.db"
    with Store(f"sqlite:///{path}"):
        pass
    with (
        Store(f"sqlite:///file:{path}?mode=ro&uri=true") as store,
        pytest.raises(UserError, match=r"cannot write to the database .*readonly"),
    ):
        store.check_writable()


def without_privilege(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``argv`` in a user namespace of its own, where file permissions bind even root."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1)")
    if subprocess.run(["unshare", "-U", "true"], capture_output=True).returncode != 0:
        pytest.skip("user namespaces are not available here")
    return subprocess.run(
        ["unshare", "-U", *argv], cwd=cwd, env=clean_env(), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_a_read_only_sqlite_file_and_directory_stop_yingji_crawl(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "yingji.db"
    with Store(f"sqlite:///{path}"):
        pass
    for p in folder.iterdir():
        p.chmod(0o444)
    folder.chmod(0o555)  # nor may SQLite create its -wal and -shm files next to it
    try:
        done = without_privilege([*CRAWL.split(), "--database", f"sqlite:///{path}"], tmp_path)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stderr.startswith("yingji: ") and done.stderr.count("\n") == 1, done.stderr
    assert "readonly" in done.stderr or "unable to open" in done.stderr, done.stderr


def in_own_mount(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``script`` (sh) in a user and mount namespace of its own, where it may mount a tmpfs."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1)")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("user namespaces are not available here")
    return subprocess.run(
        ["unshare", "-rm", "sh", "-ec", script],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )


MIGRATE = f"{sys.executable} -m yingji.cli db upgrade --database sqlite:///$D/yingji.db"


def test_a_read_only_file_system_stops_yingji_crawl(tmp_path: Path) -> None:
    (tmp_path / "mnt").mkdir()
    done = in_own_mount(
        f"D={tmp_path / 'mnt'}; mount -t tmpfs -o size=8m tmpfs $D; {MIGRATE} >/dev/null; "
        f"mount -o remount,ro $D; exec {CRAWL} --database sqlite:///$D/yingji.db",
        tmp_path,
    )
    assert_refused(done, "readonly", "unable to open", "Read-only file system")
    assert "file system are writable" in done.stderr or "make it writable" in done.stderr


def test_a_full_disk_stops_yingji_crawl(tmp_path: Path) -> None:
    (tmp_path / "mnt").mkdir()
    done = in_own_mount(
        f"D={tmp_path / 'mnt'}; mount -t tmpfs -o size=4m tmpfs $D; {MIGRATE} >/dev/null; "
        "dd if=/dev/zero of=$D/filler bs=64k 2>/dev/null || true; "
        f"exec {CRAWL} --database sqlite:///$D/yingji.db",
        tmp_path,
    )
    # SQLite's own words ("disk I/O error" creating its -shm file, "database or disk is full")
    # or the file store's
    assert_refused(done, "No space left on device", "disk I/O error", "disk is full")
    assert "disk is not full" in done.stderr or "free some disk space" in done.stderr

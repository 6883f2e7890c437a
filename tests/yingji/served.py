"""Helpers of the ``yingji serve`` tests: a demo database and a running ``yingji serve``.

The database is what ``yingji demo`` leaves in an empty directory (the bundled sites crawled:
reports found, blocked, unreachable and robots-denied sites), so the pages are tested on the
data a new user first sees. The server is the real command in a child process on a free port.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

YINGJI = [sys.executable, "-c", "import sys; from yingji.cli import main; sys.exit(main())"]


def clean_env() -> dict[str, str]:
    """The environment without the machine's yingji settings (database, file store)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}


def demo_database(directory: Path) -> Path:
    """Run ``yingji demo`` in ``directory`` and return the SQLite file it wrote."""
    directory.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [*YINGJI, "demo"], cwd=directory, env=clean_env(), capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (database,) = directory.glob("*.db")
    return database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(database: Path, timeout: float = 60) -> Iterator[str]:
    """``yingji serve`` on ``database``; yields its base URL once it answers."""
    port = free_port()
    log = (database.parent / f"serve-{port}.log").open("w")  # a pipe nobody reads would fill up
    proc = subprocess.Popen(
        [*YINGJI, "serve", "--database", f"sqlite:///{database}", "--port", str(port)],
        cwd=database.parent,
        env=clean_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = Path(log.name).read_text("utf-8", errors="replace")[-3000:]
                    raise AssertionError(f"yingji serve did not answer on {base}: {out}") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def get(url: str) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers of a GET (an HTTP error status is returned, not raised)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}

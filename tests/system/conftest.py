"""Fixtures of the system tests: real Scrapyd daemons on 127.0.0.1.

Each daemon is the venv's Scrapyd (``python -m scrapyd``) in a temporary directory of its own,
with its own ``scrapyd.conf`` (own port, eggs, logs and queue databases, a short poll interval)
and ``HOME`` pointed there so that no ``~/.scrapyd.conf`` of the machine leaks in. Stopped with
SIGTERM after the test, SIGKILL if it lingers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class ScrapydNode:
    url: str
    home: Path
    proc: subprocess.Popen[bytes]

    def log(self) -> str:
        return (self.home / "scrapyd.out").read_text("utf-8", errors="replace")

    def job_logs(self) -> str:
        return "\n".join(
            p.read_text("utf-8", errors="replace") for p in sorted(self.home.rglob("*.log"))
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_scrapyd(home: Path) -> ScrapydNode:
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "items_dir =\n"
        "poll_interval = 0.2\n"
        "max_proc = 4\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "SCRAPYD_"))}
    env["HOME"] = str(home)
    out = (home / "scrapyd.out").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"], cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{url}/daemonstatus.json", timeout=1) as answer:
                if answer.status == 200:
                    return ScrapydNode(url, home, proc)
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"scrapyd did not start:\n{(home / 'scrapyd.out').read_text()}")
        time.sleep(0.1)


def stop_scrapyd(node: ScrapydNode) -> None:
    node.proc.terminate()
    try:
        node.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        node.proc.kill()
        node.proc.wait()


@pytest.fixture
def scrapyd_nodes(tmp_path: Path) -> Iterator[list[ScrapydNode]]:
    """Two Scrapyd daemons, started for the test and stopped after it."""
    nodes: list[ScrapydNode] = []
    try:
        for name in ("node1", "node2"):
            nodes.append(start_scrapyd(tmp_path / name))
        yield nodes
    finally:
        for node in nodes:
            stop_scrapyd(node)


@pytest.fixture
def served_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the samples the demo server serves, editable by the test: a report revised
    in place is a file changed here."""
    from demo import server as siteserver

    root = tmp_path / "samples"
    shutil.copytree(Path(str(siteserver.SAMPLES_ROOT)), root)
    monkeypatch.setattr(siteserver, "SAMPLES_ROOT", root)
    return root

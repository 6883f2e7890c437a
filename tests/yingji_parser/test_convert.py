"""The warm converter pool, real LibreOffice: replaced when killed, bounded, never left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from demo import SAMPLES
from yingji_parser.convert import ConverterPool, ConverterSettings
from yingji_parser.errors import ConversionFailed, TooLarge
from yingji_parser.formats import docx

pytestmark = pytest.mark.libreoffice

DOCX = ("docx", "MS Word 2007 XML")
ROOT = Path(__file__).resolve().parents[2]


def table_rtf(rows: int) -> bytes:
    """An RTF table of ``rows`` rows: small on disk, seconds and hundreds of MB in LibreOffice."""
    row = r"\trowd\cellx3000\cellx6000\cellx9000 \intbl a\cell \intbl b\cell \intbl c\cell \row "
    return ("{\\rtf1\\ansi " + row * rows + "}").encode()


def convert_sample(pool: ConverterPool, name: str = "synth2") -> list[list[str]]:
    out = pool.convert((SAMPLES / f"{name}.doc").read_bytes(), ".doc", *DOCX, timeout=60)
    return [[c.text for c in row] for t in docx.read(out).tables for row in t.rows]


def native(name: str = "synth2") -> list[list[str]]:
    doc = docx.read((SAMPLES / f"{name}.docx").read_bytes())
    return [[c.text for c in row] for t in doc.tables for row in t.rows]


def processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if text in cmdline and proc.pid != os.getpid():
            found.append(cmdline)
    return found


def wait_until(check: object, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def private_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Converters put their profiles here, so the test can see what is left."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@pytest.fixture
def pool(private_tmp: Path) -> Iterator[ConverterPool]:
    with ConverterPool(ConverterSettings()) as p:
        yield p


def test_closing_the_pool_leaves_no_libreoffice_and_no_profile(private_tmp: Path) -> None:
    with ConverterPool(ConverterSettings(size=2)) as pool:
        threads = [threading.Thread(target=convert_sample, args=(pool,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(pool.office_pids()) == 2  # two at once: two converters, each its own profile
        assert processes_mentioning(str(private_tmp))
    assert processes_mentioning(str(private_tmp)) == []
    assert list(private_tmp.iterdir()) == []


@pytest.mark.slow
def test_a_converter_killed_mid_conversion_is_replaced(
    pool: ConverterPool, private_tmp: Path
) -> None:
    assert convert_sample(pool) == native()
    [first] = pool.office_pids()
    job = pool.convert
    result: list[bytes] = []
    worker = threading.Thread(
        target=lambda: result.append(job(table_rtf(2000), ".rtf", *DOCX, timeout=120))
    )
    worker.start()
    assert wait_until(lambda: list(private_tmp.glob("yingji-lo-*/in-*.rtf")), 10)  # sent
    time.sleep(0.1)
    os.killpg(first, signal.SIGKILL)  # LibreOffice dies under the conversion
    worker.join()
    assert result and len(docx.read(result[0]).tables[0].rows) == 2000  # done again, on a new one
    [second] = pool.office_pids()
    assert second != first
    assert convert_sample(pool) == native()


@pytest.mark.slow
def test_a_document_that_inflates_past_the_memory_limit_is_stopped(private_tmp: Path) -> None:
    # A fresh LibreOffice holds ~110 MB and peaks ~160 MB on a sample report; the table below
    # takes it past 250 MB.
    with ConverterPool(ConverterSettings(max_rss_mb=210)) as pool:
        assert convert_sample(pool) == native()
        [first] = pool.office_pids()
        started = time.monotonic()
        with pytest.raises(TooLarge, match=r"over \d+ MB, above the 210 MB limit") as refused:
            pool.convert(table_rtf(6000), ".rtf", *DOCX, timeout=120)
        assert refused.value.code == "too_large"
        assert time.monotonic() - started < 60
        assert pool.office_pids() == []
        assert not psutil.pid_exists(first) or psutil.Process(first).status() == "zombie"
        assert convert_sample(pool, "synth0") == native("synth0")  # a fresh converter goes on
    assert list(private_tmp.iterdir()) == []


@pytest.mark.slow
def test_a_killed_parse_worker_takes_its_converter_along(tmp_path: Path) -> None:
    """The caller's own time limit fires first: its process is killed, LibreOffice must follow."""
    script = textwrap.dedent(
        f"""
        from yingji_parser.convert import ConverterPool, ConverterSettings
        pool = ConverterPool(ConverterSettings())
        pool.warm()
        print("warm", flush=True)
        big = {table_rtf(1)!r}.replace(b"\\row ", b"\\row " * 2500)
        pool.convert(big, ".rtf", "docx", "MS Word 2007 XML", 120)
        """
    )
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"warm"
        assert processes_mentioning(str(tmp_path))
        time.sleep(0.5)  # into the conversion
        os.killpg(proc.pid, signal.SIGKILL)  # no atexit, no cleanup of its own
        proc.wait(timeout=10)
        gone = wait_until(lambda: processes_mentioning(str(tmp_path)) == [], 30)
        ps = ["ps", "-eo", "pid,ppid,pgid,stat,etime,cmd"]
        assert gone, subprocess.run(ps, capture_output=True, text=True).stdout  # what is left
        assert wait_until(lambda: list(tmp_path.iterdir()) == [], 30), list(tmp_path.rglob("*"))
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_libreoffice_runs_under_the_address_space_limit(private_tmp: Path) -> None:
    with (
        ConverterPool(ConverterSettings(max_vm_mb=350)) as pool,
        pytest.raises(ConversionFailed, match=r"did not start.*350 MB address-space limit"),
    ):
        convert_sample(pool)
    assert list(private_tmp.iterdir()) == []


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YINGJI_CONVERTERS", "3")
    monkeypatch.setenv("YINGJI_CONVERTER_MAX_RSS_MB", "800")
    monkeypatch.setenv("YINGJI_CONVERTER_MAX_VM_MB", "4096")
    monkeypatch.setenv("YINGJI_CONVERTER_MAX_JOBS", "50")
    settings = ConverterSettings.from_env()
    assert (settings.size, settings.max_rss_mb, settings.max_vm_mb, settings.max_jobs) == (
        3,
        800,
        4096,
        50,
    )
    monkeypatch.setenv("YINGJI_CONVERTER_MAX_RSS_MB", "lots")
    with pytest.raises(ValueError, match="YINGJI_CONVERTER_MAX_RSS_MB"):
        ConverterSettings.from_env()


@pytest.mark.slow
def test_a_converter_is_replaced_after_its_quota_of_documents(private_tmp: Path) -> None:
    with ConverterPool(ConverterSettings(max_jobs=2)) as pool:
        convert_sample(pool)
        [first] = pool.office_pids()
        convert_sample(pool)
        assert pool.office_pids() == []  # its second job was its last
        assert convert_sample(pool, "synth1") == native("synth1")
        assert pool.office_pids() != [first]
    assert list(private_tmp.iterdir()) == []

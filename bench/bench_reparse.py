"""``yingji reparse`` of a store of N documents: documents/s next to the parser's own rate.

Run by hand from the repository root (not part of the test suite)::

    python bench/bench_reparse.py                          # 2,000 documents, SQLite
    python bench/bench_reparse.py --documents 1000 --documents 10000
    python bench/bench_reparse.py --url "$YINGJI_TEST_POSTGRES_URL"   # a throw-away PG database

For each ``--documents N`` it builds a store as a crawl leaves it: N raw documents in a files
store, copies of the sample reports (PDFs with a text layer, DOCX, article bodies, text) whose
bytes are made distinct (a PDF comment after ``%%EOF``, a ZIP comment, an HTML comment, a
trailing blank line), each registered at a URL of its own with its listing's title. Then it
runs ``yingji reparse`` over it as a child process, twice: the first pass stores every report
(an insert for the first copy of a sample, a noop adding a source for every other), the second
finds everything unchanged. It prints documents/s of each pass, the peak RSS of the command's
process tree (itself and its parse workers, from /proc every 50 ms) and, measured in this
process on the same mix, the parser's rate: documents/s of ``parse_document`` on one core
(CPU time, best of three passes), times the workers the command ran with (the CPUs, at most
4) when there are that many cores. "reparse / parser" near 1 means a re-parse runs at the
parser's rate: the store and the database keep up with the pool. On a shared machine wall
rates move with the other jobs, so it also prints CPU ms per document of the whole command
(its process and its workers, from ``getrusage(RUSAGE_CHILDREN)``) next to the parser's.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_crawl import run_measured  # noqa: E402
from bench_store import admin, server_url  # noqa: E402

from demo import SAMPLES  # noqa: E402

#: the mix: every sample report with a text layer (scanned PDFs go through OCR, DOC through
#: LibreOffice: each has its own benchmark)
PATTERNS = ("*[0-9].pdf", "*.noborder.pdf", "*.docx", "*.body.html", "*.txt")
BATCH = 500  # documents registered per transaction while building the store
COMMAND = "import sys; from yingji.cli import main; sys.exit(main(sys.argv[1:]))"


def samples() -> list[tuple[Path, str | None]]:
    """(file, its listing's title) for every sample of the mix."""
    import json

    out = []
    for pattern in PATTERNS:
        for path in sorted(SAMPLES.glob(pattern)):
            answer = SAMPLES / f"{path.name.split('.')[0]}.json"
            title = json.loads(answer.read_text("utf-8")).get("title") if answer.exists() else None
            out.append((path, title))
    return out


def distinct(data: bytes, suffix: str, i: int) -> bytes:
    """The same document with bytes of its own (a different sha256), read the same way."""
    mark = f"yingji-bench {i}"
    if suffix == ".pdf":
        return data + f"\n%{mark}\n".encode()
    if suffix == ".docx":
        buf = io.BytesIO(data)
        with zipfile.ZipFile(buf, "a") as z:
            z.comment = mark.encode()
        return buf.getvalue()
    if suffix == ".html":
        return data + f"\n<!-- {mark} -->\n".encode()
    return data + b"\n" * (1 + i % 3) + f"{i}\n".encode()


def build(url: str, files: Path, n: int) -> None:
    """A store of ``n`` documents, as a crawl leaves it before any parse is stored."""
    from storage import Store, documents
    from storage.content import now
    from storage.files import FileStore

    mix = samples()
    raw = [(path, path.read_bytes(), title) for path, title in mix]
    fs = FileStore(files)
    when = now(None)
    with Store(url) as store:
        for start in range(0, n, BATCH):
            rows = []
            for i in range(start, min(n, start + BATCH)):
                path, data, title = raw[i % len(raw)]
                put = fs.put(distinct(data, path.suffix, i))
                rows.append((put, path.name, title, f"http://site{i % 97}.example.gov.cn/{i}/"))

            def register(conn, rows=rows):  # type: ignore[no-untyped-def]
                for put, name, title, base in rows:
                    documents.add(
                        conn, put.sha256, when=when, size=put.size, path=put.path,
                        original_name=name, url=base + name, site_name="bench", title=title,
                    )  # fmt: skip

            store.write(register)


def parser_rate() -> float:
    """Documents/s of the parser alone on one core, over one copy of each sample of the mix."""
    from yingji_parser import parse_document

    mix = [(p.read_bytes(), p.name) for p, _ in samples()]
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        for data, name in mix:
            parse_document(data, filename=name)
        best = min(best, time.process_time() - began)
    return len(mix) / best


def cpu_of_children() -> float:
    """CPU seconds (user + system) of every finished child: the command and its parse workers."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, action="append", help="store sizes (2000)")
    parser.add_argument("--workers", type=int, help="yingji reparse --workers (its default)")
    parser.add_argument("--url", help="a PostgreSQL server URL (default: a SQLite file)")
    args = parser.parse_args(argv)
    from ingest.parsing import default_workers

    workers = args.workers or default_workers()
    alone = parser_rate()
    cores = len(os.sched_getaffinity(0))
    expected = alone * min(workers, cores)
    print(f"yingji reparse benchmark, {workers} workers on {cores} cores")
    print(f"parser alone: {alone:.1f} documents/s on one core, {expected:.1f}/s with {workers}")
    header = (
        "documents  pass  wall s  documents/s  reparse/parser  CPU ms/doc  parser ms/doc  "
        "peak RSS MB  exit"
    )
    print(header)
    failed = False
    for n in args.documents or [2000]:
        with tempfile.TemporaryDirectory(prefix="yingji-bench-reparse-") as tmp:
            name = f"yingji_bench_{uuid.uuid4().hex[:8]}"
            if args.url:
                admin(args.url, f'CREATE DATABASE "{name}"')
                url = server_url(args.url, name)
            else:
                url = f"sqlite:///{tmp}/bench.sqlite"
            try:
                build(url, Path(tmp) / "files", n)
                env = {**os.environ, "YINGJI_FILES_STORE": str(Path(tmp) / "files")}
                cmd = [sys.executable, "-c", COMMAND, "reparse", "--database", url]
                cmd += ["--workers", str(workers)]
                for number in (1, 2):
                    before = cpu_of_children()
                    run = run_measured(cmd, Path(tmp) / "none.log", env, cwd=Path(tmp))
                    cpu = (cpu_of_children() - before) / n * 1000
                    rate = n / run.wall
                    print(
                        f"{n:>9}  {number:>4}  {run.wall:>6.1f}  {rate:>11.1f}  "
                        f"{rate / expected:>14.2f}  {cpu:>10.1f}  {1000 / alone:>13.1f}  "
                        f"{run.peak_rss / 2**20:>11.0f}  {run.code:>4}"
                    )
                    failed = failed or run.code != 0
            finally:
                if args.url:
                    admin(args.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

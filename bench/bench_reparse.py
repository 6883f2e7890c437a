"""``yingji reparse`` of a store of N documents: documents/s next to the parser's own rate.

Run by hand from the repository root (not part of the test suite)::

    python bench/bench_reparse.py                          # 2,000 documents, SQLite
    python bench/bench_reparse.py --documents 1000 --documents 10000
    python bench/bench_reparse.py --url "$YINGJI_TEST_POSTGRES_URL"   # a throw-away PG database

For each ``--documents N`` it builds a store as a crawl leaves it: N raw documents in a files
store, copies of the sample reports (PDFs with a text layer, DOCX, article bodies, text) whose
bytes are made distinct (a PDF comment after ``%%EOF``, a ZIP comment, an HTML comment, a
trailing blank line), each registered at a URL of its own with its listing's title. Then it
runs three child processes over it, one after the other:

- ``parse``: the parser's rate — every document of the store through the parse pool
  (``ParsePool.map`` of ``parse_stored``, the same pool, worker count and one-job-per-worker
  discipline ``yingji reparse`` uses), and nothing else: no choice, no store;
- ``1``: ``yingji reparse`` with the same workers (an insert for the first copy of a sample, a
  noop adding a source for every other);
- ``2``: ``yingji reparse`` again (everything unchanged).

Each line has documents/s by the wall clock, CPU ms per document of the whole process tree (the
command and its workers, ``getrusage(RUSAGE_CHILDREN)``), both as a multiple of the parse
line's ("x parse": 1.00 means a re-parse costs what parsing alone costs), and the peak RSS of
the tree (from /proc every 50 ms). On a shared machine the wall rates move with the other jobs,
which is why the parse pass runs in the same minutes as the two re-parses and why the CPU
figures are printed next to them. The first line is the parser in this process on one core
(CPU time, best of three passes over one copy of each sample), for reference.
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
#: the parse pass: every stored document through the parse pool, nothing stored
PARSE_ONLY = """
import sys
from ingest.parsing import DEFAULT_TIMEOUT, ParsePool, parse_stored
from storage import Store
url, root, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Store(url, create=False) as store:
    calls = [(root, d.sha256, d.original_name, d.content_type) for d in store.iter_documents()]
pool = ParsePool("process", workers, DEFAULT_TIMEOUT)
failed = 0
try:
    for start in range(0, len(calls), 500):  # the results are not kept, as reparse keeps none
        failed += sum(p.result is None for p in pool.map(parse_stored, calls[start : start + 500]))
finally:
    pool.close()
sys.exit(failed > 0)
"""


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
    print(f"yingji reparse benchmark, {workers} workers on {cores} cores, load {load()}")
    print(f"parser in this process: {alone:.1f} documents/s on one core ({1000 / alone:.1f} ms)")
    header = (
        "documents  pass   wall s  documents/s  x parse  CPU ms/doc  x parse  peak RSS MB  exit"
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
                files = str(Path(tmp) / "files")
                env = {**os.environ, "YINGJI_FILES_STORE": files}
                parse = [sys.executable, "-c", PARSE_ONLY, url, files, str(workers)]
                cmd = [sys.executable, "-c", COMMAND, "reparse", "--database", url]
                cmd += ["--workers", str(workers)]
                base: tuple[float, float] | None = None
                for label, argv_ in (("parse", parse), ("1", cmd), ("2", cmd)):
                    before = cpu_of_children()
                    run = run_measured(argv_, Path(tmp) / "none.log", env, cwd=Path(tmp))
                    cpu = (cpu_of_children() - before) / n * 1000
                    rate = n / run.wall
                    base = base or (rate, cpu)
                    print(
                        f"{n:>9}  {label:>5}  {run.wall:>7.1f}  {rate:>11.1f}  "
                        f"{rate / base[0]:>7.2f}  {cpu:>10.1f}  {cpu / base[1]:>7.2f}  "
                        f"{run.peak_rss / 2**20:>11.0f}  {run.code:>4}  (load {load()})",
                        flush=True,
                    )
                    failed = failed or run.code != 0
            finally:
                if args.url:
                    admin(args.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 1 if failed else 0


def load() -> str:
    """The 1-minute load average: what the wall figures were measured under."""
    return f"{os.getloadavg()[0]:.1f}"


if __name__ == "__main__":
    raise SystemExit(main())

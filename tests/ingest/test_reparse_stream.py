"""``yingji reparse`` streams: the pool parses a bounded window ahead of the store (parsing, parsed
or waiting for its batch's commit), so a store of any size is re-parsed in constant memory, and
every document is still stored once, in order."""

from __future__ import annotations

import json
from pathlib import Path

from demo import SAMPLES
from ingest.reparse import AHEAD_PER_WORKER, reparse
from storage import Store, documents
from storage.content import now
from storage.files import FileStore

DOCUMENTS = 24
WORKERS = 2


def _stored(db_url: str, root: Path) -> list[str]:
    """A store as a crawl leaves it: DOCUMENTS copies of a text report with bytes of their own,
    each found at its own URL under the listing's title; their sha256 in order."""
    data = (SAMPLES / "seed000.txt").read_bytes()
    title = json.loads((SAMPLES / "seed000.json").read_text("utf-8"))["title"]
    fs = FileStore(root)
    puts = [fs.put(data + f"\n{i}\n".encode()) for i in range(DOCUMENTS)]
    when = now(None)

    def register(conn):  # type: ignore[no-untyped-def]
        for i, put in enumerate(puts):
            documents.add(
                conn, put.sha256, when=when, size=put.size, path=put.path,
                original_name="nb.txt", url=f"http://mj.example/{i}/nb.txt",
                region="河南省洛阳市孟津区", site_name="site", title=title,
            )  # fmt: skip

    with Store(db_url) as store:
        store.write(register)
    return [p.sha256 for p in puts]


def test_the_pool_reads_documents_only_a_bounded_window_ahead_of_the_store(
    db_url: str, tmp_path: Path
) -> None:
    root = tmp_path / "files"
    shas = _stored(db_url, root)
    fs = FileStore(root)
    lines: list[str] = []

    def progress(line: str) -> None:
        if not lines:  # the first report is stored: every file not yet read disappears
            for sha in shas:
                fs.path_of(sha).unlink(missing_ok=True)
        lines.append(line)

    with Store(db_url, create=False) as store:
        counts = reparse(store, str(root), workers=WORKERS, pool="thread", progress=progress)
    window = WORKERS * AHEAD_PER_WORKER
    assert counts.documents == len(lines) == DOCUMENTS  # each document once
    stored = counts.insert + counts.noop
    # read before the files went: at most the window (a group's place in it is given back
    # once it is committed and its line printed)
    assert counts.insert == 1 and 1 <= stored <= window
    assert counts.failed == DOCUMENTS - stored  # read after: the missing file is the reason
    assert all("is not in the file store" in e for e in counts.errors), counts.errors


def test_a_streamed_reparse_stores_what_a_sequential_one_does(db_url: str, tmp_path: Path) -> None:
    root = tmp_path / "files"
    _stored(db_url, root)
    with Store(db_url, create=False) as store:
        pooled = reparse(store, str(root), workers=WORKERS)
        again = reparse(store, str(root), workers=1)
    assert (pooled.documents, pooled.insert, pooled.noop, pooled.failed) == (DOCUMENTS, 1, 23, 0)
    assert (again.documents, again.insert, again.noop, again.failed) == (DOCUMENTS, 0, 24, 0)

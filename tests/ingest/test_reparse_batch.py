"""``yingji reparse`` stores many groups to a transaction: a group the database refuses fails
alone, with the database's reason, and the others of its transaction are kept (the batch is
run again with a SAVEPOINT for each group)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from demo import SAMPLES
from ingest.reparse import BATCH_GROUPS, reparse
from storage import Store, documents
from storage.content import now
from storage.files import FileStore

DOCUMENTS = 5  # fewer than a batch: one transaction holds them all
REFUSED = "http://refused.example/2/nb.txt"

_SQLITE_TRIGGER = (
    "CREATE TRIGGER refuse BEFORE INSERT ON report_sources WHEN NEW.url LIKE 'http://refused.%' "
    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
)
_PG_TRIGGER = (
    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
    "IF NEW.url LIKE 'http://refused.%' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
    "RETURN NEW; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER refuse BEFORE INSERT ON report_sources FOR EACH ROW EXECUTE FUNCTION refuse()",
)


def _stored(store: Store, root: Path) -> list[str]:
    """DOCUMENTS copies of a text report with bytes of their own, each at its own URL (the
    third where the database will refuse its report's source); their sha256 in order."""
    data = (SAMPLES / "seed000.txt").read_bytes()
    title = json.loads((SAMPLES / "seed000.json").read_text("utf-8"))["title"]
    fs = FileStore(root)
    puts = [fs.put(data + f"\n{i}\n".encode()) for i in range(DOCUMENTS)]
    urls = [REFUSED if i == 2 else f"http://mj.example/{i}/nb.txt" for i in range(DOCUMENTS)]
    when = now(None)

    def register(conn):  # type: ignore[no-untyped-def]
        for put, url in zip(puts, urls, strict=True):
            documents.add(
                conn, put.sha256, when=when, size=put.size, path=put.path,
                original_name="nb.txt", url=url, region="河南省洛阳市孟津区",
                site_name="site", title=title,
            )  # fmt: skip

    store.write(register)
    return [p.sha256 for p in puts]


def _refuse(store: Store) -> None:
    with store.engine.begin() as conn:
        for sql in _PG_TRIGGER if conn.dialect.name == "postgresql" else (_SQLITE_TRIGGER,):
            conn.execute(text(sql))


def _parsed_by(store: Store) -> dict[str, str | None]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT sha256, parser_version FROM documents"))
        return {sha: version for sha, version in rows}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_group_the_database_refuses_fails_alone_with_its_reason(
    db_url: str, tmp_path: Path, workers: int
) -> None:
    assert DOCUMENTS < BATCH_GROUPS
    root = tmp_path / "files"
    with Store(db_url) as store:
        shas = _stored(store, root)
        _refuse(store)
        counts = reparse(store, str(root), workers=workers, pool="thread")
        assert (counts.insert, counts.noop, counts.new_version) == (1, DOCUMENTS - 2, 0)
        assert (counts.failed, counts.no_report) == (1, 0)
        assert len(counts.errors) == 1
        assert counts.errors[0].startswith("nb.txt: store failed: ")
        assert "refused by the test" in counts.errors[0]
        # the refused group left nothing behind (its savepoint was rolled back, its document's
        # parse included); every other group of the same transaction is stored
        parsed = _parsed_by(store)
        assert parsed[shas[2]] is None
        assert all(parsed[sha] is not None for i, sha in enumerate(shas) if i != 2)
        with store.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse ON report_sources" if conn.dialect.name ==
                              "postgresql" else "DROP TRIGGER refuse"))  # fmt: skip
        again = reparse(store, str(root), workers=workers, pool="thread")
        assert (again.insert, again.noop, again.failed) == (0, DOCUMENTS, 0)
        assert all(version is not None for version in _parsed_by(store).values())

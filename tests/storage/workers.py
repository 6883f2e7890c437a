"""Code run in separate processes by the concurrency tests (importable by ``spawn``)."""

from __future__ import annotations

from typing import Any

from tests.storage.helpers import kw

Variant = tuple[dict[str, Any], dict[str, Any]]  # (record, store_report keyword overrides)


def widen_race_window(store: Any) -> None:
    """Pause right after a store has read a report's versions.

    Without it the two processes rarely overlap in the few milliseconds between reading the
    versions and committing, and a missing lock would go unnoticed; with it, both would read
    the same versions and write the same version number unless the store serialises them.
    """
    import time

    from sqlalchemy import event

    @event.listens_for(store.engine, "after_cursor_execute")
    def pause(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if (
            statement.lstrip().upper().startswith("SELECT")
            and "FROM REPORT_VERSIONS" in statement.upper()
        ):
            time.sleep(0.2)


def store_rounds(url: str, index: int, barrier: Any, rounds: list[list[Variant]], out: Any) -> None:
    """Open the store together with the other workers (on a fresh database: a migration race),
    then in each round store, at the same moment as them, this worker's variant of the round's
    record; put (round, action, report id, version) on ``out``."""
    from storage import Store

    barrier.wait(timeout=60)
    try:
        store = Store(url)
    except Exception as exc:  # reported to the test, which fails with it
        out.put(("error", repr(exc)))
        return
    widen_race_window(store)
    try:
        for number, variants in enumerate(rounds):
            record, extra = variants[index % len(variants)]
            barrier.wait(timeout=60)
            outcome = store.store_report(record, **kw(**extra))
            out.put((number, outcome.action, outcome.report_id, outcome.version))
    except Exception as exc:
        out.put(("error", repr(exc)))
    finally:
        store.close()

"""The run aggregate (storage/runs.py): a run a resumed crawl continues is reopened, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import Store, runs


def _reopen(store: Store, run_id: int, started_at: datetime) -> bool:
    when = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    return store.write(lambda conn: runs.reopen(conn, run_id, started_at, when))[0]


def test_a_killed_run_is_reopened_by_the_crawl_that_resumes_it(db_url: str) -> None:
    began = datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=UTC)
    with Store(db_url) as store:
        run_id = store.start_run(note="scrapy crawl yingji", started_at=began)
        store.finish_run(run_id, status="store_failed")  # stopped, not finished: resumable
        assert _reopen(store, run_id, began)
        info = store.run(run_id)
        assert info is not None
        assert (info.status, info.finished_at) == ("running", None)
        assert info.note == "scrapy crawl yingji; resumed 2026-03-02T08:30:00Z"
        assert runs.resumes(info.note) == 1 and runs.resumes("scrapy crawl yingji") == 0
        assert store.finish_run(run_id).status == "finished"


def test_only_the_same_unfinished_run_is_reopened(db_url: str) -> None:
    began = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    with Store(db_url) as store:
        done = store.start_run(started_at=began)
        store.finish_run(done)
        assert not _reopen(store, done, began)  # a finished run stays finished
        other = store.start_run(started_at=began)
        assert not _reopen(store, other, began + timedelta(hours=1))  # another database's run
        assert not _reopen(store, 999, began)
        info = store.run(other)
        assert info is not None and info.status == "running" and info.note is None


def test_a_running_run_whose_crawl_went_quiet_reads_as_interrupted(db_url: str) -> None:
    began = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    with Store(db_url) as store:
        run_id = store.start_run(started_at=began)
        info = store.run(run_id)
        assert info is not None and info.alive_at == began  # alive as it starts
        store.write(lambda conn: runs.alive(conn, run_id, began + timedelta(minutes=30)))
        info = store.run(run_id)
        assert info is not None and info.alive_at == began + timedelta(minutes=30)
        store.finish_run(run_id)
        store.write(lambda conn: runs.alive(conn, run_id, began + timedelta(hours=2)))
        info = store.run(run_id)  # a beat after the end changes nothing
        assert info is not None and info.alive_at == began + timedelta(minutes=30)
    alive = began + timedelta(minutes=30)
    assert not runs.gone_quiet("running", alive, alive + runs.QUIET_LIMIT)
    assert runs.gone_quiet("running", alive, alive + runs.QUIET_LIMIT + timedelta(seconds=1))
    assert not runs.gone_quiet("finished", alive, alive + timedelta(days=1))
    assert not runs.gone_quiet("running", None, alive + timedelta(days=1))  # an older yingji

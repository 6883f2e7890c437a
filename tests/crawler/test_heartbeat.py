"""The run's heartbeat (crawler/heartbeat.py): a running crawl's sign of life in its run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.heartbeat import RunHeartbeat, write_alive
from crawler.settings import EXTENSIONS
from storage import Store


def test_a_beat_marks_the_running_run_alive(tmp_path: Path) -> None:
    began = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    with Store(f"sqlite:///{tmp_path / 'y.db'}") as store:
        run_id = store.start_run(started_at=began)
        write_alive(store, run_id, began + timedelta(minutes=3))
        info = store.run(run_id)
        assert info is not None and info.alive_at == began + timedelta(minutes=3)


def test_the_heartbeat_runs_next_to_the_run_record_and_needs_its_run() -> None:
    assert EXTENSIONS["crawler.heartbeat.RunHeartbeat"] > EXTENSIONS["crawler.runrecord.RunRecord"]
    beat = RunHeartbeat(get_crawler(Spider, {"YINGJI_RECORD_RUNS": False}))
    assert beat.beat() is None  # no run record, no run: nothing to write

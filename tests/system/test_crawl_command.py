"""``yingji crawl`` (yingji/commands/crawl.py): the command line it runs, its clear errors.

The end-to-end runs (a real crawl, its exit status after a regression) are in
test_scheduled_crawl.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from yingji.cli import build_parser, main
from yingji.commands.crawl import scrapy_command


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["crawl", *argv])


def test_the_crawl_is_scrapy_crawl_yingji_with_resume_cache_and_database(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.csv"
    args = _args("--seeds", str(seeds), "--shard", "2/4", "--jobdir", str(tmp_path / "job"))
    cmd = scrapy_command(args, "sqlite:////data/y.db")
    assert cmd[1:5] == ["-m", "scrapy", "crawl", "yingji"]
    assert cmd[5:9] == ["-a", f"seeds={seeds}", "-a", "shard=2/4"]
    settings = [cmd[i + 1] for i, part in enumerate(cmd) if part == "-s"]
    assert "DATABASE_URL=sqlite:////data/y.db" in settings
    assert f"JOBDIR={tmp_path / 'job'}" in settings
    from crawler import settings as project

    assert "crawler.addons.RevalidatingCache" in project.ADDONS  # revalidating policy + memo
    assert "crawler.addons.ResumeJournal" in project.ADDONS  # the journal, used with JOBDIR
    assert "YINGJI_INCREMENTAL=True" in settings  # the RevalidatingCache add-on turns the cache on
    assert any(s.startswith("HTTPCACHE_DIR=/") for s in settings)  # absolute: cwd-independent


def test_a_setting_given_with_s_replaces_the_default() -> None:
    cmd = scrapy_command(_args("-s", "HTTPCACHE_ENABLED=False"), "sqlite:///x.db")
    settings = [cmd[i + 1] for i, part in enumerate(cmd) if part == "-s"]
    assert "HTTPCACHE_ENABLED=False" in settings and "HTTPCACHE_ENABLED=True" not in settings


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--shard", "5/4"], "--shard"),
        (["--seeds", "/nonexistent/seeds.csv"], "no such file"),
        (["-s", "LOG_LEVEL"], "NAME=VALUE"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crawl", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_health_of_a_resumed_crawl_is_that_of_the_run_it_continued(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from storage import Store, runs
    from yingji.commands.crawl import report_health

    db = f"sqlite:///{tmp_path / 'y.db'}"
    began = datetime.now(UTC)
    with Store(db) as store:
        killed = store.start_run(shard="1/2", started_at=began - timedelta(days=1))
        other = store.start_run(shard="2/2", started_at=began - timedelta(days=1))
        after_id = store.start_run(shard="2/2")  # the latest run when the crawl began
        for run_id in (other, after_id):
            store.finish_run(run_id)
        store.write(lambda conn: runs.reopen(conn, killed, began - timedelta(days=1), began))
    # still running: the crawl named by the job directory was killed again
    assert report_health(db, after_id, "1/2", began=began, continued=killed)
    assert f"HEALTH run_incomplete: run {killed} ended as 'running'" in capsys.readouterr().out
    with Store(db) as store:
        store.finish_run(killed)
    for kwargs in ({"continued": killed}, {"began": began}):  # yingji crawl, yingji cluster
        assert not report_health(db, after_id, "1/2", **kwargs)  # type: ignore[arg-type]
        assert f"health of run {killed} (shard 1/2): ok" in capsys.readouterr().out
    assert report_health(db, after_id, "1/2")  # without either: no run of this crawl
    assert "HEALTH no_run_record: shard 1/2" in capsys.readouterr().out

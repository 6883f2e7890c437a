"""Scrapyd cluster plumbing (yingji/cluster.py): shard plan, schedule fields, the egg."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from storage.errors import UserError
from yingji import cluster
from yingji.cli import main

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("crawler", "pipelines", "yingji", "yingji_parser", "models", "migrations")


def test_shards_go_round_robin_over_the_nodes() -> None:
    assert cluster.plan_shards(["http://a:6800", "http://b:6800"], 5) == [
        ("http://a:6800", "1/5"),
        ("http://b:6800", "2/5"),
        ("http://a:6800", "3/5"),
        ("http://b:6800", "4/5"),
        ("http://a:6800", "5/5"),
    ]
    with pytest.raises(UserError):
        cluster.plan_shards(["http://a:6800"], 0)


def test_nodes_are_urls() -> None:
    assert cluster.parse_nodes("http://a:6800/, http://b:6800") == [
        "http://a:6800",
        "http://b:6800",
    ]
    with pytest.raises(UserError, match="not a URL"):
        cluster.parse_nodes("a:6800")


def test_a_shard_gets_its_database_its_own_job_dir_and_the_scheduled_settings() -> None:
    args = cluster.spider_args(
        "2/3",
        seeds="/srv/seeds.csv",
        database="postgresql+psycopg://u@db/yingji",
        jobdir="/var/lib/yingji/jobs/",
        settings=["LOG_LEVEL=DEBUG", "HTTPCACHE_ENABLED=False"],
    )
    assert ("shard", "2/3") in args and ("seeds", "/srv/seeds.csv") in args
    settings = [value for key, value in args if key == "setting"]
    assert "DATABASE_URL=postgresql+psycopg://u@db/yingji" in settings
    assert "JOBDIR=/var/lib/yingji/jobs/shard-2-of-3" in settings
    assert "YINGJI_INCREMENTAL=True" in settings  # the RevalidatingCache add-on
    # a setting given explicitly wins over the scheduled default
    assert "HTTPCACHE_ENABLED=False" in settings and "HTTPCACHE_ENABLED=True" not in settings


def test_the_http_cache_needs_an_absolute_directory_on_the_node() -> None:
    with_jobdir = [v for k, v in cluster.spider_args("1/2", jobdir="/j") if k == "setting"]
    assert "HTTPCACHE_DIR=/j/httpcache" in with_jobdir
    assert "YINGJI_INCREMENTAL=True" in with_jobdir  # the add-on turns the cache on
    bare = [v for k, v in cluster.spider_args("1/2") if k == "setting"]
    assert "HTTPCACHE_ENABLED=False" in bare and "HTTPCACHE_ENABLED=True" not in bare


def test_the_schedule_calls_can_be_printed_as_curl_lines() -> None:
    lines = cluster.curl_lines(
        ["http://a:6800", "http://b:6800"], 2, database="postgresql+psycopg://d/y"
    )
    assert [line.split()[1] for line in lines] == [
        "http://a:6800/schedule.json",
        "http://b:6800/schedule.json",
    ]
    assert "--data-urlencode shard=2/2" in lines[1]  # urlencoded: the + of the URL survives
    assert "--data-urlencode setting=DATABASE_URL=postgresql+psycopg://d/y" in lines[0]


def test_an_unreachable_node_is_one_readable_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["cluster", "status", "--nodes", "http://127.0.0.1:9"])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot reach Scrapyd at http://127.0.0.1:9" in err and "Traceback" not in err


def test_schedule_wants_a_shared_database(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["cluster", "schedule", "--nodes", "http://127.0.0.1:9", "--shards", "2"])
    assert code == 2 and "--database" in capsys.readouterr().err


@pytest.mark.slow
def test_the_egg_holds_every_module_and_data_file_the_crawl_needs(tmp_path: Path) -> None:
    egg = cluster.build_egg(ROOT, tmp_path)
    with zipfile.ZipFile(egg) as z:
        names = set(z.namelist())
        entry_points = z.read("EGG-INFO/entry_points.txt").decode()
    expected = {
        p.relative_to(ROOT).as_posix()
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.suffix in {".py", ".csv", ".mako", ".json", ".ini"}
    }
    assert {"crawler/seeds/default.csv", "crawler/settings.py", "migrations/env.py"} <= expected
    assert expected - names == set()
    assert "settings = crawler.settings" in entry_points
    assert not (ROOT / "setup.py").exists()  # nothing generated in the checkout

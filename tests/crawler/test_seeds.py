"""Seed lists: parsing, errors that name the line, the shipped default list, shards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.seeds import SeedError, load_seeds, parse_seeds, parse_shard, select_shard, shard_of

REPO = Path(__file__).resolve().parents[2]


def test_a_seed_file_gives_seeds_with_optional_columns() -> None:
    text = (
        "\ufeffname,region,url,columns,family\n"
        "# comment lines and blank lines are skipped\n"
        "\n"
        "孟津区人民政府,河南省洛阳市孟津区,https://www.mengjin.gov.cn/,,\n"
        '"某市,人民政府",某省某市,http://x.gov.cn/,http://x.gov.cn/a/ http://x.gov.cn/b/,trs\n'
    )
    seeds = parse_seeds(text, "s.csv")
    assert [s.name for s in seeds] == ["孟津区人民政府", "某市,人民政府"]
    assert seeds[0].url == "https://www.mengjin.gov.cn/" and seeds[0].columns == ()
    assert seeds[1].columns == ("http://x.gov.cn/a/", "http://x.gov.cn/b/")
    assert seeds[1].family == "trs"
    assert seeds[1].start_urls == ["http://x.gov.cn/", "http://x.gov.cn/a/", "http://x.gov.cn/b/"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,url\nA,http://a.gov.cn/\n", "s.csv:1: the header must name"),
        (
            "name,region,url\nA,B,ftp://a.gov.cn/\n",
            "s.csv:2: 'ftp://a.gov.cn/' is not an http(s) URL",
        ),
        ("name,region,url\n\nA,,http://a.gov.cn/\n", "s.csv:3: the 'region' field is empty"),
        ("name,region,url\nA,B,http://a.gov.cn/,extra\n", "s.csv:2: 4 fields but the header has 3"),
        (
            "name,region,url\nA,B,http://a.gov.cn/\nC,D,HTTP://A.gov.cn/#x\n",
            "s.csv:3: HTTP://A.gov.cn/#x repeats the seed of line 2",
        ),
        ("name,region,url,family\nA,B,http://a.gov.cn/,drupal\n", "s.csv:2: unknown family"),
        ("", "s.csv: empty seed file"),
    ],
)
def test_a_broken_seed_file_names_the_line(text: str, message: str) -> None:
    with pytest.raises(SeedError) as err:
        parse_seeds(text, "s.csv")
    assert message in str(err.value)


def test_unreadable_and_non_utf8_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read the seed file"):
        load_seeds(tmp_path / "missing.csv")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("name,region,url\n孟津,河南,http://a.gov.cn/\n".encode("gbk"))
    with pytest.raises(SeedError, match="not UTF-8"):
        load_seeds(gbk)


def test_the_default_list_covers_the_samples_regions() -> None:
    seeds = load_seeds()
    regions = " ".join(s.region for s in seeds)
    for place in ("孟津区", "湛河区", "栾川县", "新安县", "宜阳县", "卫东区", "红旗区"):
        assert place in regions
    assert len(seeds) >= 30
    assert all(s.url.startswith(("http://", "https://")) for s in seeds)


def test_shards_partition_the_seeds() -> None:
    seeds = load_seeds()
    shards = [select_shard(seeds, f"{k}/3") for k in (1, 2, 3)]
    assert sorted(s.url for shard in shards for s in shard) == sorted(s.url for s in seeds)
    assert all(shards), "35 sites spread over 3 shards leave none empty"
    assert select_shard(seeds, None) == seeds


def test_shard_assignment_ignores_url_spelling_and_is_stable_across_processes() -> None:
    assert shard_of("http://WWW.mengjin.gov.cn/#top", 7) == shard_of(
        "http://www.mengjin.gov.cn/", 7
    )
    code = "from crawler.seeds import shard_of; print(shard_of('http://www.mengjin.gov.cn/', 97))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {f"{shard_of('http://www.mengjin.gov.cn/', 97)}\n"}


@pytest.mark.parametrize("value", ["3", "0/2", "3/2", "a/b", "1/0"])
def test_bad_shards_are_refused(value: str) -> None:
    with pytest.raises(SeedError):
        parse_shard(value)


def test_scrapy_prints_a_broken_seed_file_as_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "seeds.csv"
    bad.write_text(
        "name,region,url\n孟津区人民政府,河南省洛阳市孟津区,www.mengjin.gov.cn\n", "utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "yingji", "-a", f"seeds={bad}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert f"{bad}:2: 'www.mengjin.gov.cn' is not an http(s) URL" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_spider_keeps_its_shard_for_the_run_record() -> None:
    from crawler.spiders.yingji import YingjiSpider

    spider = YingjiSpider(shard="2/3")
    assert spider.shard == "2/3"
    assert [s.url for s in spider.seed_list] == [s.url for s in select_shard(load_seeds(), "2/3")]
    assert YingjiSpider().shard is None

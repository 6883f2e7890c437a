"""The parse step runs off the reactor: a parse past its limit fails alone, the crawl goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from demo import SAMPLES
from pipelines.parse import memory_limits


def _items(srv: Any) -> list[dict[str, Any]]:
    srv.add("/a.pdf", (SAMPLES / "seed002.pdf").read_bytes())
    srv.add("/b.docx", (SAMPLES / "seed000.docx").read_bytes())
    return [
        {"site_name": "s", "region": "河南省新乡市红旗区", "site_url": srv.url("/"),
         "url": srv.url(p), "title": "区应急管理局2023年政府信息公开工作年度报告"}
        for p in ("/a.pdf", "/b.docx")
    ]  # fmt: skip


def _settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "ITEM_PIPELINES": {
            "pipelines.download.DownloadPipeline": 100,
            "pipelines.parse.ParsePipeline": 200,
        },
        "YINGJI_FILES_STORE": str(tmp_path / "files"),
        "ROBOTSTXT_OBEY": False,
        **extra,
    }


def test_a_parse_over_its_time_limit_is_a_failure_and_the_crawl_finishes(
    docserver: Any, tmp_path: Path, crawl: Any
) -> None:
    # no worker process even starts within 10 ms: every parse hits the limit, the pool is
    # replaced each time, and every item still comes out of the pipeline
    out, stats = crawl(_items(docserver), _settings(tmp_path, YINGJI_PARSE_TIMEOUT=0.01), tmp_path)
    assert len(out) == 2
    for row in out:
        assert row["parsed"]["status"] == "failed"
        assert "parse took longer than 0.01 s" in row["parsed"]["error"]
    assert stats["finish_reason"] == "finished"


def test_threads_instead_of_processes_parse_the_same(
    docserver: Any, tmp_path: Path, crawl: Any
) -> None:
    out, _ = crawl(_items(docserver), _settings(tmp_path, YINGJI_PARSE_POOL="thread"), tmp_path)
    agencies = sorted(row["parsed"]["record"]["agency"] for row in out)
    assert agencies == ["区应急管理局", "孟津区应急管理局"]
    assert all(row["parsed"]["status"] == "parsed" for row in out)


def test_memory_limits_come_from_the_scrapy_setting_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YINGJI_PARSE_MEMORY_MB", "700")
    monkeypatch.setenv("YINGJI_PARSE_MAX_VM_MB", "2000")
    from_env = memory_limits(Settings({"YINGJI_PARSE_MEMORY_MB": None}))
    assert (from_env.rss_mb, from_env.vm_mb) == (700, 2000)
    given = memory_limits(Settings({"YINGJI_PARSE_MEMORY_MB": 300, "YINGJI_PARSE_MAX_VM_MB": "0"}))
    assert (given.rss_mb, given.vm_mb) == (300, 0)  # 0: that limit is off

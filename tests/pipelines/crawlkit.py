"""Run the real pipelines in a real Scrapy crawl, in a child process, and report what they did.

Why a child process: Twisted's reactor cannot be restarted, so every crawl a test runs gets a
fresh interpreter. The spider here only hands over items that a test describes (the project's
spider is exercised by the end-to-end tests); everything after it — Scrapy's downloader and
middlewares, the download / parse / store pipelines — is the real thing.

Usage from a test: ``run_crawl(items, settings, tmp_path)`` returns the items as the last
pipeline saw them (``documents``, ``parsed``, ``outcome``, ``outcomes``, ``records``) and the
crawl's stats.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_crawl(
    items: list[dict[str, Any]], settings: dict[str, Any], workdir: Path, timeout: float = 60
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    out = workdir / "items.jsonl"
    stats = workdir / "stats.json"
    out.unlink(missing_ok=True)
    config = {"items": items, "settings": settings, "out": str(out), "stats": str(stats)}
    cfg = workdir / "crawl.json"
    cfg.write_text(json.dumps(config, ensure_ascii=False))
    proc = subprocess.run(
        [sys.executable, __file__, str(cfg)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    (workdir / "crawl.log").write_text(proc.stderr, "utf-8")  # to read when a test fails
    if proc.returncode != 0:
        raise AssertionError(f"crawl failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    lines = out.read_text("utf-8").splitlines() if out.exists() else []
    return [json.loads(x) for x in lines], json.loads(stats.read_text("utf-8"))


def _choice(choice: Any) -> dict[str, Any] | None:
    """The parse step's Choice as a test reads it: status, record, why none, its sources."""
    if choice is None:
        return None
    return {
        "status": choice.status,
        "record": choice.record,
        "error": choice.error,
        "sources": list(choice.sources),
        "others": [_choice(o) for o in choice.others],
    }


def _main(cfg_path: str) -> None:
    import scrapy
    from scrapy.core.engine import ExecutionEngine
    from scrapy.crawler import CrawlerProcess

    from crawler.items import ArticlePage, Attachment, ReportItem

    cfg = json.loads(Path(cfg_path).read_text("utf-8"))
    # the engine notices it is idle on a 5 s heartbeat; a test crawl need not wait that long
    ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = 0.2

    class ItemsSpider(scrapy.Spider):
        name = "items"

        async def start(self):  # type: ignore[override]
            for raw in cfg["items"]:
                raw = dict(raw)
                raw["attachments"] = [Attachment(**a) for a in raw.get("attachments", [])]
                raw["pages"] = [
                    ArticlePage(
                        p["url"], p["body"].encode(p.get("encoding") or "utf-8"), p.get("encoding")
                    )
                    for p in raw.get("pages", [])
                ]
                if raw.get("body") is not None:
                    raw["body"] = raw["body"].encode(raw.get("body_encoding") or "utf-8")
                yield ReportItem(**raw)

    class DumpPipeline:
        def process_item(self, item: ReportItem) -> ReportItem:
            with open(cfg["out"], "a", encoding="utf-8") as fh:
                row = {
                    "url": item.url,
                    "site_url": item.site_url,
                    "documents": [d.as_dict() for d in item.documents],
                    "parsed": _choice(item.parsed),
                    "outcome": item.outcome,
                    "outcomes": [[o.action, o.reason, o.store_failed] for o in item.outcomes],
                    "records": list(item.records),
                }
                fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            return item

    sys.modules["__main__"].DumpPipeline = DumpPipeline  # type: ignore[attr-defined]
    settings = {
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        **cfg["settings"],
    }
    if "pipelines.store.StorePipeline" in settings.get("ITEM_PIPELINES", {}):
        # the store pipeline stores through the run record's Store; these crawls record no run
        settings.setdefault("EXTENSIONS", {"crawler.runrecord.RunRecord": 500})
        settings.setdefault("YINGJI_RECORD_RUNS", False)
        settings.setdefault("YINGJI_PRINT_TABLE", False)
    settings["ITEM_PIPELINES"] = {
        **settings.get("ITEM_PIPELINES", {}),
        "__main__.DumpPipeline": 999,
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ItemsSpider)
    process.crawl(crawler)
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, int | float | str)}
    Path(cfg["stats"]).write_text(json.dumps(stats, default=str))


if __name__ == "__main__":
    _main(sys.argv[1])

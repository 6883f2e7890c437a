"""``yingji demo``: the whole job on bundled sites, with no network, in well under a minute.

Why it exists: it is the README's first command, so it must show what yingji does — find, download,
parse and store real-looking reports from sites of several CMS families, and tell a blocked or
unreachable site from one without reports — without touching a real government server.

It serves the bundled sites (demo.server) on 127.0.0.x, runs ``scrapy crawl yingji`` over
them in a child process (the project's own settings, politeness delays off for loopback) into
``yingji.db`` in the working directory (raw files under ``files/`` next to it), and prints the
per-site table and the reports found. Running it again stores nothing new: every report is a
noop. ``--keep-serving`` leaves the sites up afterwards, to crawl or browse them by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from storage import config

SETTINGS_MODULE = "crawler.settings"
LOG_NAME = "yingji-demo.log"
# loopback sites need no politeness delays; everything else is the project's own settings
DEMO_SETTINGS = (
    "AUTOTHROTTLE_ENABLED=False",
    "DOWNLOAD_DELAY=0.01",  # > 0 keeps one request at a time per site (crawler/settings.py)
    "RETRY_TIMES=1",
    "YINGJI_PROGRESS_INTERVAL=5",
)


def register(sub: argparse._SubParsersAction) -> None:
    desc = "crawl bundled demo sites on 127.0.0.1 into ./yingji.db and show what was found"
    p = sub.add_parser("demo", help=desc, description=desc)
    p.add_argument(
        "--keep-serving",
        action="store_true",
        help="keep the demo sites up after the crawl (until Ctrl-C)",
    )
    p.set_defaults(func=run)


def crawl_command(seeds: Path, database: str, log_file: Path) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "yingji", "-a", f"seeds={seeds}"]
    for setting in (f"DATABASE_URL={database}", f"LOG_FILE={log_file}", *DEMO_SETTINGS):
        cmd += ["-s", setting]
    return cmd


def key_numbers(report: dict[str, Any]) -> str:
    """A few numbers a reader recognises: licences and penalties, requests, reviews, suits."""

    def get(*path: str) -> Any:
        node: Any = report
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return "-" if node is None else node

    return (
        f"许可 {get('active_disclosure', 'licensing')}  "
        f"处罚 {get('active_disclosure', 'penalty')}  "
        f"申请 {get('applications', 'new', 'total')}  "
        f"复议 {get('review_litigation', 'review', 'total')}  "
        f"诉讼 {get('review_litigation', 'litigation_direct', 'total')}"
    )


def print_reports(database: str) -> int:
    from storage import Store
    from storage.export import iter_reports

    with Store(database) as store:
        reports = list(iter_reports(store))
    print(f"\nreports in {database.removeprefix('sqlite:///')}: {len(reports)}")
    for r in reports:
        print(
            f"  {r.get('agency') or '?'}  {r.get('year')}  {r.get('status')}  "
            f"v{r.get('version')}  {key_numbers(r)}"
        )
    return len(reports)


def run(args: argparse.Namespace) -> int:
    from demo.server import serve_sites
    from storage import Store

    cwd = Path.cwd()
    database = f"sqlite:///{cwd / config.DEFAULT_DATABASE_FILE}"
    log_file = cwd / LOG_NAME
    with Store(database):  # create or migrate it here: a problem is one line, before serving
        pass
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE  # whatever project the directory holds
    env.pop("YINGJI_DATABASE_URL", None)  # the demo writes ./yingji.db, whatever is configured
    started = time.monotonic()
    with serve_sites() as sites, tempfile.TemporaryDirectory(prefix="yingji-demo-") as tmp:
        seeds = sites.seeds_csv(Path(tmp) / "seeds.csv")
        print(
            f"serving {len(sites.sites)} demo sites on 127.0.0.x; crawling them (log: {log_file})"
        )
        code = subprocess.call(crawl_command(seeds, database, log_file), env=env)
        if code != 0:
            print(f"yingji demo: the crawl failed (exit {code}); see {log_file}", file=sys.stderr)
            return code
        print_reports(database)
        print(f"\ndone in {time.monotonic() - started:.1f} s")
        if args.keep_serving:
            print("\nthe demo sites stay up until Ctrl-C:")
            for site in sites.sites.values():
                print(f"  {site.url:28} {site.spec['name']}")
            print(f"seed list: crawl them again with `scrapy crawl yingji -a seeds={seeds}`")
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    return 0

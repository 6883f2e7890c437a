"""``yingji demo``: the whole job on bundled sites, with no network, in well under a minute.

Why it exists: it is the README's first command, so it must show what yingji does — find, download,
parse and store real-looking reports from sites of several CMS families, and tell a blocked or
unreachable site from one without reports — without touching a real government server.

It serves the bundled sites (demo.server) on 127.0.0.x — the crawler's tested sites (the
manifest's default group) and a few of the discovery group's layouts (:data:`DISCOVERY_SITES`:
a TRS column reached only through a 301, a list filled by script from JSON, a report over two
article pages, a report filed under the wrong column and found by the site's own search),
chosen so that no report is held by two of them — runs ``scrapy crawl yingji`` over them in a
child process (the project's own settings, politeness delays off for loopback) into a
database of its own — ``yingji-demo.db`` in the working directory unless ``--database`` is
given, raw files under ``files/`` next to it, where every command looks for them (the store
is content-addressed: shared with a ``yingji.db`` in the same directory, it mixes no records)
— and prints the per-site table and the reports found. Running it again stores nothing new:
every report is a noop.
``--keep-serving`` leaves the sites up afterwards, to crawl or browse them by hand.

Why never the user's database: the demo's reports carry real agency names with invented
numbers. Neither ``YINGJI_DATABASE_URL`` nor ``YINGJI_FILES_STORE`` is followed, and a
database given with ``--database`` that holds crawls of real sites (any site or report URL not
on a loopback address) is refused before anything is served.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from yingji.cli import examples

SETTINGS_MODULE = "crawler.settings"
DATABASE_FILE = "yingji-demo.db"
FILES_DIR = "files"  # storage.config's default next to an SQLite file, so serve/reparse find it
LOG_NAME = "yingji-demo.log"
#: Sites of the manifest's "discovery" group the demo serves too, by key: one new layout each,
#: none holding a report another demo site holds. Not the document wrappers: lcyjj's flipbook
#: holds luanchuan's 2022 report, muye's viewer PDF and fengquan's download handler serve
#: hongqi's sample (the same figures under a second bureau's name)
DISCOVERY_SITES = ("laocheng", "jiaxian", "chanhe", "wugang")
# loopback sites need no politeness delays; everything else is the project's own settings
DEMO_SETTINGS = (
    "AUTOTHROTTLE_ENABLED=False",
    "DOWNLOAD_DELAY=0.01",  # > 0 keeps one request at a time per site (crawler/settings.py)
    "RETRY_TIMES=1",
    "YINGJI_PROGRESS_INTERVAL=5",
)


def register(sub: argparse._SubParsersAction) -> None:
    desc = (
        f"crawl bundled demo sites on 127.0.0.x into a database of their own (./{DATABASE_FILE})"
        " and show what was found"
    )
    p = sub.add_parser(
        "demo",
        help=desc,
        description=desc,
        **examples("yingji demo", "yingji demo --keep-serving --database sqlite:///demo/demo.db"),
    )
    p.add_argument(
        "--database",
        metavar="URL",
        help=f"the demo's database (default ./{DATABASE_FILE}; never YINGJI_DATABASE_URL); "
        "one holding crawls of real sites is refused",
    )
    p.add_argument(
        "--keep-serving",
        action="store_true",
        help="keep the demo sites up after the crawl (until Ctrl-C)",
    )
    p.set_defaults(func=run)


def demo_manifest() -> dict[str, Any]:
    """The manifest of the demo's sites: the default group, then :data:`DISCOVERY_SITES`."""
    from demo.manifest import DEFAULT_GROUP, load_manifest, site_group

    manifest = load_manifest((DEFAULT_GROUP, "discovery"))
    manifest["sites"] = [
        s
        for s in manifest["sites"]
        if site_group(s) == DEFAULT_GROUP or s["key"] in DISCOVERY_SITES
    ]
    return manifest


@contextlib.contextmanager
def serve_demo() -> Iterator[Any]:
    """Serve the demo's sites (demo.server's ``Sites``) for the duration of the block."""
    from demo.server import Sites

    sites = Sites(demo_manifest())
    sites.start()
    try:
        yield sites
    finally:
        sites.stop()


def crawl_command(seeds: Path, database: str, files: Path, log_file: Path) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "yingji", "-a", f"seeds={seeds}"]
    settings = (
        f"DATABASE_URL={database}",
        f"YINGJI_FILES_STORE={files}",
        f"LOG_FILE={log_file}",
        *DEMO_SETTINGS,
    )
    for setting in settings:
        cmd += ["-s", setting]
    return cmd


def is_loopback(url: str) -> bool:
    """True for a URL on a loopback address (the demo's sites: 127.0.0.x)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def demo_paths(database: str | None, cwd: Path) -> tuple[str, Path]:
    """The demo's database URL and its raw-file store (next to an SQLite file)."""
    from storage.db import normalise_url, sqlite_file

    if database is None:
        return f"sqlite:///{cwd / DATABASE_FILE}", cwd / FILES_DIR
    file = sqlite_file(normalise_url(database))
    folder = file.resolve().parent if file is not None else cwd
    return database, folder / FILES_DIR


def refuse_real_sites(store: Any, database: str) -> None:
    """UserError if the database holds a crawl of a site that is not on loopback."""
    from storage import queries
    from storage.errors import UserError

    real = sorted(u for u in store.read(queries.crawled_urls) if not is_loopback(u))
    if real:
        raise UserError(
            f"{database} holds crawls of real sites ({real[0]}"
            + (f" and {len(real) - 1} more" if len(real) > 1 else "")
            + "): the demo's invented numbers must not sit beside them; "
            f"run the demo without --database (./{DATABASE_FILE}) or give it a database of its own"
        )


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
    from storage.db import normalise_url, safe_url, sqlite_file
    from storage.export import iter_reports

    with Store(database) as store:
        reports = list(iter_reports(store))
    file = sqlite_file(normalise_url(database))
    where = file if file is not None else safe_url(normalise_url(database))
    print(f"\nreports in {where}: {len(reports)}")
    for r in reports:
        print(
            f"  {r.get('agency') or '?'}  {r.get('year')}  {r.get('status')}  "
            f"v{r.get('version')}  {key_numbers(r)}"
        )
    return len(reports)


def run(args: argparse.Namespace) -> int:
    from storage import Store

    cwd = Path.cwd()
    database, files = demo_paths(args.database, cwd)
    log_file = cwd / LOG_NAME
    # create or migrate it here: a problem is one line, before serving
    with Store(database) as store:
        refuse_real_sites(store, database)
        store.check_writable(files)
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE  # whatever project the directory holds
    for name in ("YINGJI_DATABASE_URL", "YINGJI_FILES_STORE"):  # never the user's
        env.pop(name, None)
    started = time.monotonic()
    with serve_demo() as sites, tempfile.TemporaryDirectory(prefix="yingji-demo-") as tmp:
        seeds = sites.seeds_csv(Path(tmp) / "seeds.csv")
        print(
            f"serving {len(sites.sites)} demo sites on 127.0.0.x; crawling them (log: {log_file})"
        )
        code = subprocess.call(crawl_command(seeds, database, files, log_file), env=env)
        if code != 0:
            print(f"yingji demo: the crawl failed (exit {code}); see {log_file}", file=sys.stderr)
            return code
        print_reports(database)
        print(f"\ndone in {time.monotonic() - started:.1f} s")
        if args.keep_serving:
            # Ctrl-C may come while the list is still being printed: an end as good as later
            with contextlib.suppress(KeyboardInterrupt):
                print("\nthe demo sites stay up until Ctrl-C:")
                for site in sites.sites.values():
                    print(f"  {site.url:28} {site.spec['name']}", flush=True)
                print(f"seed list: crawl them again with `scrapy crawl yingji -a seeds={seeds}`")
                while True:
                    time.sleep(3600)
    return 0

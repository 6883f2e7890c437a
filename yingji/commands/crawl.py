"""``yingji crawl``: the one-machine scheduled job — crawl, then check the run for regressions.

Why a command around ``scrapy crawl yingji``: a cron line or a systemd timer needs one
command whose exit status means something. The crawl itself is Scrapy's (``scrapy crawl
yingji`` in a child process, with the project's settings), so ``-s NAME=VALUE`` works as in
Scrapy; afterwards the run record is checked (storage.health) and every alert is printed as a
line of the report. Exit status: the crawl's own when it failed, 3 when the crawl ran but the
health check found a regression (a site that had reports and gave none, failures that
jumped, an unfinished run), 0 otherwise.

``--jobdir DIR`` makes the crawl resumable: a crawl killed before it finished continues where it
stopped when started again with the same directory; once a crawl has finished, the next one
with that directory starts afresh (crawler/resume.py). So a scheduled job can use one fixed
directory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from storage import config
from storage.errors import UserError
from yingji.commands import add_database_option

EXIT_UNHEALTHY = 3
SETTINGS_MODULE = "crawler.settings"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    desc = "crawl the seed sites (scrapy crawl yingji), then check the run for regressions"
    p = sub.add_parser("crawl", help=desc, description=desc)
    p.add_argument("--seeds", metavar="PATH", help="seed CSV (name,region,url); default: bundled")
    p.add_argument("--shard", metavar="K/N", help="crawl only shard K of N of the seed list")
    p.add_argument(
        "--jobdir",
        metavar="DIR",
        help="job directory: a killed crawl started again with it resumes where it stopped",
    )
    add_database_option(p)
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="HTTP cache for conditional recrawls (default: ./.scrapy/httpcache)",
    )
    p.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for this crawl (repeatable)",
    )
    p.add_argument("--no-health", action="store_true", help="skip the regression check")
    p.set_defaults(func=run)


def scheduled_settings() -> dict[str, str]:
    """What a scheduled crawl adds to the project settings: the revalidating HTTP cache, which
    the RevalidatingCache add-on (crawler/addons.py) turns on with YINGJI_INCREMENTAL. The
    resumable job directory needs only ``JOBDIR``: the ResumeJournal add-on is always on."""
    return {"YINGJI_INCREMENTAL": "True"}


def scrapy_command(args: argparse.Namespace, database: str) -> list[str]:
    """The ``scrapy crawl yingji`` command line for these arguments."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "yingji"]
    if args.seeds:
        cmd += ["-a", f"seeds={Path(args.seeds).resolve()}"]
    if args.shard:
        cmd += ["-a", f"shard={args.shard}"]
    names = {s.split("=", 1)[0] for s in args.settings}
    settings = [f"{k}={v}" for k, v in scheduled_settings().items() if k not in names]
    settings.append(f"DATABASE_URL={database}")
    if args.jobdir:
        settings.append(f"JOBDIR={Path(args.jobdir).resolve()}")
    if "HTTPCACHE_DIR" not in names:
        cache = Path(args.cache_dir) if args.cache_dir else Path.cwd() / ".scrapy" / "httpcache"
        settings.append(f"HTTPCACHE_DIR={cache.resolve()}")
    settings += args.settings
    for setting in settings:
        cmd += ["-s", setting]
    return cmd


def _validate(args: argparse.Namespace) -> None:
    from crawler.seeds import SeedError, parse_shard

    for setting in args.settings:
        name, eq, _ = setting.partition("=")
        if not eq or not name.strip():
            raise UserError(f"-s {setting!r}: write a setting as NAME=VALUE")
    if args.shard:
        try:
            parse_shard(args.shard)
        except SeedError as exc:
            raise UserError(f"--shard: {exc}") from None
    if args.seeds and not Path(args.seeds).is_file():
        raise UserError(f"--seeds {args.seeds}: no such file")


def run(args: argparse.Namespace) -> int:
    from crawler.journal import journal_run
    from storage import Store

    _validate(args)
    database = config.database_url(args.database)
    with Store(database) as store:  # a bad URL or unreachable server fails here, before crawling
        # so does a read-only database or file store, or a full disk (storage/writable.py)
        given = dict(s.split("=", 1) for s in args.settings).get("YINGJI_FILES_STORE")
        store.check_writable(config.files_store(given or None, database))
        # this crawl's run is the first of its shard recorded after this one (ids only grow; a
        # start-time window would also catch a run killed a moment ago)
        previous = store.recent_runs(limit=1)
    after_id = previous[0].id if previous else 0
    began = datetime.now(UTC)
    # a crawl resumed after a kill continues the run its job directory names (crawler/runresume.py)
    continued = journal_run(Path(args.jobdir)) if args.jobdir else None
    env = dict(os.environ)
    env.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    proc = subprocess.Popen(scrapy_command(args, database), env=env)
    try:
        code = proc.wait()
    except KeyboardInterrupt:  # Scrapy got the same SIGINT and shuts down cleanly: let it
        proc.wait()
        raise
    if code != 0:
        print(f"yingji crawl: the crawl exited with status {code}", file=sys.stderr)
    if args.no_health:
        return code
    unhealthy = report_health(database, after_id, args.shard, began=began, continued=continued)
    if code != 0 and not (code == 1 and unhealthy):
        return code
    # a crawl that ran to its end (its run record says why it is unhealthy: reports that could
    # not be stored, a feed that failed, sites gone silent) exits 3, as scheduled jobs expect
    return EXIT_UNHEALTHY if unhealthy else 0


def report_health(
    database: str,
    after_id: int,
    shard: str | None = None,
    *,
    began: datetime | None = None,
    continued: int | None = None,
) -> bool:
    """Print the health lines of this crawl's run of ``shard`` (None: the whole list); True if
    unhealthy. The run is the first of the shard recorded after run ``after_id`` or, for a
    crawl resumed after a kill, the earlier run it continued: run ``continued`` (the job
    directory named it) or the shard's run that finished since ``began``."""
    from storage import Store, health

    with Store(database) as store:
        recent = [r for r in store.recent_runs(limit=200) if (r.shard or None) == (shard or None)]
        new = [r for r in recent if r.id > after_id]
        named = store.run(continued) if continued is not None else None
        resumed = [named] if named is not None else []
        resumed += [r for r in recent if began and r.finished_at and r.finished_at >= began]
        what = f"shard {shard}" if shard else "the crawl"
        if not new and not resumed:
            print(f"HEALTH no_run_record: {what} left no run record in the database")
            return True
        run = min(new, key=lambda r: r.id) if new else max(resumed, key=lambda r: r.id)
        alerts = health.check_run(store, run.id)
    for alert in alerts:
        print(alert.line())
    verdict = f"{len(alerts)} alert(s)" if alerts else "ok"
    print(f"health of run {run.id}{f' (shard {shard})' if shard else ''}: {verdict}")
    return bool(alerts)

"""``yingji runs``: the latest crawl runs, each with its per-site table.

What a scheduled crawl left behind, readable without SQL: when it ran, what it stored, and for
every site whether reports were found, none, or the site was blocked or unreachable. The table
is the one the crawl printed when it ended (storage/runtable.py): same columns, same status
words, notes in full (for a site with none found, what was tried there; for any, the requests
refused and why). A crawl killed and resumed is one run ("resumed 1× after a kill"); a run
whose crawl was killed and not resumed reads "interrupted" once its heartbeat stopped for
long (storage/runs.py). Only reads: a database that does not exist is an error, not created.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from yingji.cli import examples
from yingji.commands import add_database_option

if TYPE_CHECKING:
    from storage.queries import RunInfo, SiteResult


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    desc = "the latest crawl runs with their counts and per-site tables"
    p = sub.add_parser(
        "runs",
        help=desc,
        description=desc + " (the table the crawl printed at its end).",
        **examples("yingji runs --limit 5", "yingji runs --run 12"),
    )
    add_database_option(p)
    p.add_argument("--limit", type=int, default=5, metavar="N", help="how many runs (default 5)")
    p.add_argument("--run", type=int, metavar="ID", help="only this run")
    p.set_defaults(func=run)


def run_status(info: RunInfo, now: datetime) -> str:
    """The run's status as a reader needs it: a run still ``running`` whose crawl gave no sign
    of life for long was killed (storage/runs.py), and one a resumed crawl continued says so."""
    from storage import runs
    from storage.export import iso

    status = info.status
    if runs.gone_quiet(info.status, info.alive_at, now):
        status = f"interrupted (no sign of life since {iso(info.alive_at)})"
    resumed = runs.resumes(info.note)
    return status + (f", resumed {resumed}× after a kill" if resumed else "")


def format_run(info: RunInfo, sites: list[SiteResult], now: datetime | None = None) -> str:
    from storage.export import iso
    from storage.runtable import SiteLine, site_table, status_label

    status = run_status(info, now or datetime.now(UTC))
    head = (
        f"run {info.id}  {iso(info.started_at)} -> {iso(info.finished_at) or '…'}  {status}"
        + (f"  shard {info.shard}" if info.shard else "")
        + (f"  seeds {info.seeds_count}" if info.seeds_count is not None else "")
        + f"\n  insert {info.inserted}  noop {info.noop}  new version {info.new_versions}"
        + f"  failed {info.failed}"
    )
    if not sites:
        return head + "\n  (no site recorded)"
    body = site_table(
        SiteLine(
            s.site_name or s.site_url,
            status_label(s.status),
            s.reports_found,
            s.inserted,
            s.noop,
            s.new_versions,
            s.failed,
            s.error,
            s.detail,
        )
        for s in sites
    )
    return head + "\n" + "\n".join("  " + line for line in body.splitlines())


def run(args: argparse.Namespace) -> int:
    from storage import Store
    from storage.errors import UserError

    with Store(args.database, create=False) as store:
        if args.run is not None:
            one = store.run(args.run)
            if one is None:
                raise UserError(
                    f"no crawl run {args.run} in this database: `yingji runs` lists them"
                )
            runs = [one]
        else:
            runs = store.recent_runs(args.limit)
        if not runs:
            print("no crawl runs recorded")
            return 0
        print("\n\n".join(format_run(r, store.run_sites(r.id)) for r in runs))
    return 0

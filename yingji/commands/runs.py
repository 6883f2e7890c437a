"""``yingji runs``: the latest crawl runs, each with its per-site table.

What a scheduled crawl left behind, readable without SQL: when it ran, what it stored, and for
every site whether reports were found, none, or the site was blocked or unreachable.
"""

from __future__ import annotations

import argparse
import unicodedata

from storage import Store
from storage.errors import UserError
from storage.export import iso
from storage.queries import RunInfo, SiteResult
from yingji.commands import add_database_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("runs", help="list recent crawl runs with their per-site results")
    add_database_option(p)
    p.add_argument("--limit", type=int, default=5, metavar="N", help="how many runs (default 5)")
    p.add_argument("--run", type=int, metavar="ID", help="only this run")
    p.set_defaults(func=run)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table that lines up with Chinese text (wide characters count twice)."""
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def format_run(info: RunInfo, sites: list[SiteResult]) -> str:
    head = (
        f"run {info.id}  {iso(info.started_at)} -> {iso(info.finished_at) or '…'}  {info.status}"
        + (f"  shard {info.shard}" if info.shard else "")
        + (f"  seeds {info.seeds_count}" if info.seeds_count is not None else "")
        + f"\n  insert {info.inserted}  noop {info.noop}  new version {info.new_versions}"
        + f"  failed {info.failed}"
    )
    if not sites:
        return head + "\n  (no site recorded)"
    rows = [
        [
            s.site_name or "",
            s.region or "",
            s.status,
            str(s.reports_found),
            str(s.inserted),
            str(s.noop),
            str(s.new_versions),
            str(s.failed),
            (s.error or "")[:60],
            s.site_url,
        ]
        for s in sites
    ]
    headers = ["site", "region", "status", "found", "ins", "noop", "new", "fail", "error", "url"]
    body = table(headers, rows)
    return head + "\n" + "\n".join("  " + line for line in body.splitlines())


def run(args: argparse.Namespace) -> int:
    with Store(args.database) as store:
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

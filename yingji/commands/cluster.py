"""``yingji cluster deploy|schedule|status``: run shards of the crawl on Scrapyd nodes.

A national crawl outgrows one machine: deploy the project egg to every Scrapyd node, schedule
shard K/N of the seed list on the nodes round-robin, all writing to one PostgreSQL, and watch
the jobs (yingji.cluster). ``--nodes`` defaults to ``YINGJI_SCRAPYD_NODES``.

``schedule --wait`` waits for the shards and then checks each shard's run record like
``yingji crawl`` does (exit status 3 on a regression), so a cron line on the coordinating
machine can run the whole cluster crawl; ``schedule --dry-run`` prints the equivalent curl
calls of Scrapyd's ``schedule.json``.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime

from storage.errors import UserError
from yingji import cluster
from yingji.commands.crawl import EXIT_UNHEALTHY, report_health

NODES_ENV = "YINGJI_SCRAPYD_NODES"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    desc = "run the crawl as shards on Scrapyd nodes: deploy, schedule, status"
    p = sub.add_parser("cluster", help=desc, description=desc)
    csub = p.add_subparsers(dest="cluster_command", required=True, metavar="ACTION")

    def with_nodes(name: str, text: str) -> argparse.ArgumentParser:
        q = csub.add_parser(name, help=text, description=text)
        q.add_argument(
            "--nodes",
            metavar="URLS",
            default=os.environ.get(NODES_ENV),
            help=f"Scrapyd URLs, comma-separated (default: ${NODES_ENV})",
        )
        return q

    d = with_nodes("deploy", "build the project egg and upload it to every node")
    d.add_argument("--version", help="egg version (default: a timestamp)")
    d.set_defaults(func=deploy)

    s = with_nodes("schedule", "schedule shards 1..N of the seed list on the nodes, round-robin")
    s.add_argument("--shards", type=int, required=True, metavar="N", help="number of shards")
    s.add_argument("--seeds", metavar="PATH", help="seed CSV as a path ON THE NODES")
    s.add_argument(
        "--database",
        metavar="URL",
        default=os.environ.get("YINGJI_DATABASE_URL"),
        help="the shared PostgreSQL URL (default: YINGJI_DATABASE_URL)",
    )
    s.add_argument(
        "--jobdir",
        metavar="DIR",
        help="job directory root ON THE NODES (one sub-directory a shard; makes shards resumable)",
    )
    s.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="HTTP cache directory ON THE NODES (default: JOBDIR/httpcache; none: cache off)",
    )
    s.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for every shard (repeatable)",
    )
    s.add_argument(
        "--dry-run", action="store_true", help="print the schedule.json calls as curl lines only"
    )
    _wait_options(s)
    s.set_defaults(func=schedule)

    st = with_nodes("status", "list the yingji jobs on every node")
    _wait_options(st)
    st.set_defaults(func=status)


def _wait_options(q: argparse.ArgumentParser) -> None:
    q.add_argument("--wait", action="store_true", help="wait until the jobs have finished")
    q.add_argument("--timeout", type=float, metavar="SECONDS", help="give up waiting after this")


def _nodes(args: argparse.Namespace) -> list[str]:
    if not args.nodes:
        raise UserError(f"give the Scrapyd nodes with --nodes URL,URL or ${NODES_ENV}")
    return cluster.parse_nodes(args.nodes)


def deploy(args: argparse.Namespace) -> int:
    nodes = _nodes(args)
    egg, version = cluster.deploy(nodes, version=args.version)
    for node in nodes:
        print(f"{node}: deployed {egg.name} as project {cluster.PROJECT} version {version}")
    return 0


def schedule(args: argparse.Namespace) -> int:
    nodes = _nodes(args)
    for setting in args.settings:
        if "=" not in setting:
            raise UserError(f"-s {setting!r}: write a setting as NAME=VALUE")
    if not args.database:
        raise UserError(
            "--database: the shards must share one database (PostgreSQL), e.g. "
            "postgresql+psycopg://user:pass@dbhost/yingji, or set YINGJI_DATABASE_URL"
        )
    if args.database.startswith("sqlite"):
        print("yingji cluster: warning: an SQLite file is only shared by nodes on one machine")
    options = {
        "seeds": args.seeds,
        "database": args.database,
        "jobdir": args.jobdir,
        "cache_dir": args.cache_dir,
        "settings": args.settings,
    }
    if args.dry_run:
        print("\n".join(cluster.curl_lines(nodes, args.shards, **options)))
        return 0
    after_id, began = 0, datetime.now(UTC)
    if args.wait:  # the shards' runs are the first recorded after the latest one now
        from storage import Store

        with Store(args.database) as store:
            previous = store.recent_runs(limit=1)
        after_id = previous[0].id if previous else 0
    jobs = cluster.schedule(nodes, args.shards, **options)
    for job in jobs:
        print(f"shard {job.shard}: job {job.job_id} on {job.node}")
    if not args.wait:
        return 0
    states = cluster.wait(nodes, [j.job_id for j in jobs], timeout=args.timeout)
    print(cluster.format_states(states))
    # every shard leaves its own run record: check each as yingji crawl does
    # (a shard resumed after its node died continues its earlier run: the one finished since)
    unhealthy = [report_health(args.database, after_id, j.shard, began=began) for j in jobs]
    return EXIT_UNHEALTHY if any(unhealthy) else 0


def status(args: argparse.Namespace) -> int:
    nodes = _nodes(args)
    states = cluster.wait(nodes, timeout=args.timeout) if args.wait else cluster.job_states(nodes)
    print(cluster.format_states(states))
    return 0

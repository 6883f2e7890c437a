"""Crawling on several machines: Scrapyd nodes, each running shards of the seed list.

Why Scrapyd: it is Scrapy's own daemon — it takes a project egg (``addversion.json``), runs
spiders as processes with arguments and settings (``schedule.json``) and reports jobs
(``listjobs.json``). yingji needs nothing more: every node writes to one PostgreSQL, and the
spider's ``-a shard=K/N`` assigns each site to exactly one shard by a hash of its URL, so shards
never overlap and need not talk to each other.

What this module adds is small: build the egg from the checkout, upload it to every node,
spread shards 1..N over the nodes round-robin, and watch the jobs. The HTTP calls go through
``scrapyd_client.ScrapydClient`` (scrapyd-client, the ``cluster`` extra).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.errors import UserError

PROJECT = "yingji"
SPIDER = "yingji"
JOB_STATES = ("pending", "running", "finished")


@dataclass(frozen=True, slots=True)
class ShardJob:
    node: str
    shard: str  # "K/N"
    job_id: str


@dataclass(frozen=True, slots=True)
class JobState:
    node: str
    job_id: str
    state: str  # pending / running / finished
    spider: str
    start_time: str | None = None
    end_time: str | None = None
    log_url: str | None = None


def _client(node: str) -> Any:
    try:
        from scrapyd_client import ScrapydClient
    except ImportError:
        raise UserError(
            "yingji cluster needs scrapyd-client: pip install 'yingji[cluster]'"
        ) from None
    return ScrapydClient(node.rstrip("/"))


def _call(node: str, what: str, fn: Any) -> Any:
    """Run one Scrapyd call; a refused connection or an error answer is one readable line."""
    import requests
    from scrapyd_client.exceptions import ErrorResponse, MalformedResponse

    try:
        return fn()
    except requests.RequestException as exc:
        raise UserError(
            f"cannot reach Scrapyd at {node} ({what}): {type(exc).__name__}; "
            "is scrapyd running there and the URL right?"
        ) from None
    except (ErrorResponse, MalformedResponse) as exc:
        raise UserError(f"Scrapyd at {node} refused {what}: {exc}") from None


def parse_nodes(text: str) -> list[str]:
    """``http://h1:6800,http://h2:6800`` -> the node URLs (at least one, each http(s))."""
    nodes = [n.strip().rstrip("/") for n in text.split(",") if n.strip()]
    if not nodes:
        raise UserError("--nodes: give at least one Scrapyd URL, e.g. http://h1:6800")
    for node in nodes:
        if not node.startswith(("http://", "https://")):
            raise UserError(f"--nodes: {node!r} is not a URL; write it as http://HOST:6800")
    return nodes


def plan_shards(nodes: Sequence[str], shards: int) -> list[tuple[str, str]]:
    """Shards 1..N spread over the nodes round-robin: [(node, "K/N"), …]."""
    if shards < 1:
        raise UserError(f"--shards must be at least 1, not {shards}")
    if not nodes:
        raise UserError("no Scrapyd node to schedule on")
    return [(nodes[(k - 1) % len(nodes)], f"{k}/{shards}") for k in range(1, shards + 1)]


def spider_args(
    shard: str,
    *,
    seeds: str | None = None,
    database: str | None = None,
    jobdir: str | None = None,
    cache_dir: str | None = None,
    settings: Iterable[str] = (),
) -> list[tuple[str, str]]:
    """The ``schedule.json`` fields of one shard (besides project and spider).

    ``jobdir`` is a directory on the node; each shard gets its own sub-directory, so that a
    shard whose job died can be scheduled again and resumes where it stopped. The HTTP cache
    needs an absolute directory on the node (``cache_dir``, default ``JOBDIR-ROOT/httpcache``):
    under Scrapyd there is no scrapy.cfg to place a relative one, and Scrapy would silently
    disable the cache. Without either, the cache is off.
    """
    from yingji.commands.crawl import scheduled_settings

    extra = list(settings)
    names = {s.split("=", 1)[0] for s in extra}
    args = [("shard", shard)]
    if seeds:
        args.append(("seeds", seeds))
    if database:
        args.append(("setting", f"DATABASE_URL={database}"))
    if jobdir:
        k, n = shard.split("/")
        args.append(("setting", f"JOBDIR={jobdir.rstrip('/')}/shard-{k}-of-{n}"))
    cache = cache_dir or (f"{jobdir.rstrip('/')}/httpcache" if jobdir else None)
    if cache and "HTTPCACHE_DIR" not in names:
        args.append(("setting", f"HTTPCACHE_DIR={cache}"))
    elif not cache and "HTTPCACHE_ENABLED" not in names:
        names.add("HTTPCACHE_ENABLED")
        args.append(("setting", "HTTPCACHE_ENABLED=False"))
    defaults = scheduled_settings().items()
    args.extend(("setting", f"{name}={value}") for name, value in defaults if name not in names)
    args.extend(("setting", s) for s in extra)
    return args


def planned_calls(
    nodes: Sequence[str],
    shards: int,
    *,
    seeds: str | None = None,
    database: str | None = None,
    jobdir: str | None = None,
    cache_dir: str | None = None,
    settings: Iterable[str] = (),
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(node, shard, spider arguments) of every ``schedule.json`` call, in order."""
    extra = list(settings)
    return [
        (
            node,
            shard,
            spider_args(
                shard,
                seeds=seeds,
                database=database,
                jobdir=jobdir,
                cache_dir=cache_dir,
                settings=extra,
            ),
        )
        for node, shard in plan_shards(nodes, shards)
    ]


def schedule(
    nodes: Sequence[str],
    shards: int,
    *,
    project: str = PROJECT,
    **options: Any,
) -> list[ShardJob]:
    """Schedule every shard on its node; returns the Scrapyd job of each.

    ``options`` are those of :func:`planned_calls` (seeds, database, jobdir, cache_dir,
    settings).
    """
    jobs = []
    for node, shard, args in planned_calls(nodes, shards, **options):
        client = _client(node)
        job_id = _call(
            node, "schedule.json", lambda c=client, a=args: c.schedule(project, SPIDER, a)
        )
        jobs.append(ShardJob(node, shard, job_id))
    return jobs


def curl_lines(
    nodes: Sequence[str],
    shards: int,
    *,
    project: str = PROJECT,
    **options: Any,
) -> list[str]:
    """The ``schedule.json`` calls :func:`schedule` would make, as curl command lines."""
    lines = []
    for node, _shard, args in planned_calls(nodes, shards, **options):
        fields = [("project", project), ("spider", SPIDER), *args]
        # --data-urlencode: a "+" (postgresql+psycopg) sent raw would arrive as a space
        parts = " ".join(f"--data-urlencode {shlex.quote(f'{k}={v}')}" for k, v in fields)
        lines.append(f"curl {node}/schedule.json {parts}")
    return lines


def job_states(nodes: Sequence[str], project: str = PROJECT) -> list[JobState]:
    """Every job of ``project`` on every node (``listjobs.json``)."""
    states = []
    for node in nodes:
        client = _client(node)
        answer = _call(node, "listjobs.json", lambda c=client: c.jobs(project))
        for state in JOB_STATES:
            for job in answer.get(state, []):
                states.append(
                    JobState(
                        node=node,
                        job_id=str(job.get("id")),
                        state=state,
                        spider=str(job.get("spider")),
                        start_time=job.get("start_time"),
                        end_time=job.get("end_time"),
                        log_url=job.get("log_url"),
                    )
                )
    return states


def wait(
    nodes: Sequence[str],
    job_ids: Iterable[str] | None = None,
    *,
    timeout: float | None = None,
    interval: float = 2.0,
    project: str = PROJECT,
) -> list[JobState]:
    """Poll until the given jobs (default: all jobs of the project) are finished."""
    wanted = set(job_ids) if job_ids is not None else None
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        states = [s for s in job_states(nodes, project) if wanted is None or s.job_id in wanted]
        seen = {s.job_id for s in states}
        missing = (wanted or set()) - seen
        if not missing and all(s.state == "finished" for s in states):
            return states
        if deadline is not None and time.monotonic() > deadline:
            busy = [f"{s.job_id}@{s.node} {s.state}" for s in states if s.state != "finished"]
            raise UserError(
                f"jobs still not finished after {timeout:.0f}s: {', '.join(busy + sorted(missing))}"
            )
        time.sleep(interval)


def format_states(states: Sequence[JobState]) -> str:
    lines = [f"{'node':<28} {'job':<34} {'state':<9} {'started':<27} ended"]
    for s in states:
        lines.append(
            f"{s.node:<28} {s.job_id:<34} {s.state:<9} {s.start_time or '-':<27} "
            f"{s.end_time or '-'}"
        )
    return "\n".join(lines)


# --- the egg ----------------------------------------------------------------------------------
def project_root(start: Path | None = None) -> Path:
    """The checkout to build the egg from: the directory of the nearest ``scrapy.cfg``."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "scrapy.cfg").is_file() and (d / "pyproject.toml").is_file():
            return d
    raise UserError(
        "no yingji checkout here (scrapy.cfg and pyproject.toml): run yingji cluster deploy "
        "from the project directory"
    )


def build_egg(root: Path, out_dir: Path) -> Path:
    """Build the project egg with setuptools from pyproject.toml (what scrapyd-deploy runs).

    pyproject.toml lists the packages and the package data (seed CSV, Alembic files), and its
    ``scrapy`` entry point names ``crawler.settings``, which Scrapyd reads from the egg. The
    build directories go to a temporary place, not into the checkout.
    """
    with tempfile.TemporaryDirectory(prefix="yingji-egg-") as tmp:
        cmd = [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "build",
            "--build-base",
            str(Path(tmp) / "build"),
            "egg_info",
            "--egg-base",
            tmp,
            "bdist_egg",
            "--bdist-dir",
            str(Path(tmp) / "bdist"),
            "--dist-dir",
            str(out_dir),
        ]
        done = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
        if done.returncode != 0:
            raise UserError(f"building the egg failed:\n{done.stderr[-2000:]}")
    eggs = sorted(out_dir.glob("*.egg"), key=lambda p: p.stat().st_mtime)
    if not eggs:
        raise UserError("building the egg produced no .egg file")
    return eggs[-1]


def upload_egg(node: str, egg: Path, version: str, project: str = PROJECT) -> dict[str, Any]:
    """``addversion.json``: the one call ScrapydClient lacks (scrapyd-deploy makes the same)."""
    import requests

    url = f"{node.rstrip('/')}/addversion.json"
    try:
        with egg.open("rb") as fh:
            answer = requests.post(
                url,
                data={"project": project, "version": version},
                files=[("egg", ("project.egg", fh))],
                timeout=120,
            )
        data = answer.json()
    except requests.RequestException as exc:
        raise UserError(
            f"cannot reach Scrapyd at {node} (addversion.json): {type(exc).__name__}; "
            "is scrapyd running there?"
        ) from None
    except ValueError:
        raise UserError(f"Scrapyd at {node} answered addversion.json with no JSON") from None
    if data.get("status") != "ok":
        raise UserError(f"Scrapyd at {node} refused the egg: {data.get('message', data)}")
    return dict(data)


def deploy(
    nodes: Sequence[str], *, version: str | None = None, root: Path | None = None
) -> tuple[Path, str]:
    """Build the egg once and upload it to every node; returns (egg, version)."""
    version = version or str(int(time.time()))
    out = Path(tempfile.mkdtemp(prefix="yingji-egg-"))
    egg = build_egg(root or project_root(), out)
    for node in nodes:
        upload_egg(node, egg, version)
    return egg, version

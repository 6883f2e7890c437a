"""``yingji seeds expand URL``: a seed list from a government's site directory.

Why: the bundled seed list names a few dozen portals, the country has some 2,800 county-level
governments. Every city and province portal lists its counties' sites (政府网站导航, 网站群, a
县区政府 tab, 友情链接); reading those lists is how a national seed list is built and kept up to
date. The directory is fetched through Scrapy with the project's politeness and address guard
(crawler/spiders/directory.py); what its links are is decided by plain functions
(crawler/directory.py: names resolved to administrative divisions, duplicates and spam mirrors
dropped). The output is a seed CSV ``name,region,url,division`` that ``yingji crawl --seeds`` and
``yingji cluster schedule`` read as it is; what was left out is summed up on stderr.

Exit status: 0 with seeds written, 1 when the directory links none of the wanted level, 2 when
the directory cannot be read (the reason on one line).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from storage.errors import UserError

if TYPE_CHECKING:
    from crawler.directory import Expansion
    from storage.identity import Division

LEVEL_CHOICES = ("county", "city", "all")  # crawler.directory.LEVELS (not imported for --help)
LEVEL_WORDS = {"county": "county-level", "city": "city-level", "all": ""}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    desc = "build seed lists: read a city's or province's site directory into seed rows"
    p = sub.add_parser("seeds", help=desc, description=desc)
    ssub = p.add_subparsers(dest="seeds_command", required=True, metavar="ACTION")
    help_text = "seed rows of the district and county governments a site directory links"
    q = ssub.add_parser(
        "expand",
        help=help_text,
        description=(
            f"{help_text} (政府网站导航, 网站群, 县区政府 lists). Each name is resolved to its "
            "administrative division; duplicates, spam mirrors, departments and other links "
            "are left out and counted on stderr."
        ),
    )
    q.add_argument("url", metavar="URL", help="the directory page (http or https)")
    q.add_argument("--out", metavar="FILE", help="write the seed CSV here (default: stdout)")
    q.add_argument(
        "--region",
        metavar="REGION",
        help="whose directory it is (河南省洛阳市) when its title does not say",
    )
    q.add_argument(
        "--level",
        choices=LEVEL_CHOICES,
        default="county",
        help="which governments: county-level (default), city-level, or all below the directory",
    )
    q.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for the fetch (repeatable), e.g. DOWNLOAD_DELAY=2",
    )
    q.set_defaults(func=expand)


def _check(args: argparse.Namespace) -> tuple[dict[str, str], Division | None]:
    from storage.identity import resolve_region

    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"{args.url!r} is not an http(s) URL")
    overrides: dict[str, str] = {}
    for setting in args.settings:
        name, eq, value = setting.partition("=")
        if not eq or not name.strip():
            raise UserError(f"-s {setting!r}: write a setting as NAME=VALUE")
        overrides[name.strip()] = value
    region = None
    if args.region is not None:
        region = resolve_region(args.region)
        if region is None:
            raise UserError(f"--region {args.region!r} names no administrative division")
    if args.out and not Path(args.out).resolve().parent.is_dir():
        raise UserError(f"--out {args.out}: no such directory")
    return overrides, region


def _write(text: str, out: str | None) -> None:
    if not out:
        sys.stdout.write(text)
        return
    target = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=".seeds-", suffix=".csv", dir=target.resolve().parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summary(expansion: Expansion, pages: int, url: str, where: str, level: str) -> list[str]:
    """The stderr lines: what was written, and what was left out and why."""
    from crawler.directory import Reason

    counts = expansion.counts()
    kind = " ".join(w for w in (LEVEL_WORDS[level], "government sites") if w)
    lines = [f"{len(expansion.seeds)} {kind} from {pages} page(s) of {url} ({where})"]
    if n := counts[Reason.DUPLICATE]:
        lines.append(f"dropped {n} duplicate link(s) (http/https, www., index.html)")
    if n := counts[Reason.MIRROR]:
        hosts = sorted({urlsplit(d.url).hostname or d.url for d in expansion.of(Reason.MIRROR)})
        lines.append(f"dropped {n} link(s) to suspected spam mirrors: {', '.join(hosts)}")
    if n := counts[Reason.NON_PUBLIC]:
        lines.append(f"dropped {n} link(s) to non-public addresses")
    if n := counts[Reason.UNRESOLVED]:
        names = sorted({d.text for d in expansion.of(Reason.UNRESOLVED)})
        lines.append(f"left out {n} government(s) that name no division: {', '.join(names)}")
    if n := counts[Reason.LEVEL]:
        lines.append(f"left out {n} government(s) of another level (--level {level})")
    if n := counts[Reason.NOT_GOVERNMENT]:
        lines.append(f"left out {n} other link(s) (departments, news, services)")
    return lines


def expand(args: argparse.Namespace) -> int:
    from crawler.directory import directory_division, write_seeds
    from crawler.directory import expand as expand_links
    from crawler.spiders.directory import fetch_directory
    from storage.identity import division_table

    overrides, region = _check(args)
    fetched = fetch_directory(args.url, overrides)
    if not fetched.pages:
        reason = fetched.failures[0] if fetched.failures else f"{args.url}: nothing read"
        raise UserError(f"cannot read the directory: {reason}")
    for failure in fetched.failures:
        print(f"yingji: skipped a directory page: {failure}", file=sys.stderr)
    division = region or directory_division(fetched.pages[0].title)
    table = division_table()
    if division is None:
        print(
            f"yingji: the title {fetched.pages[0].title!r} names no government: names are "
            "resolved without the directory's region (give --region)",
            file=sys.stderr,
        )
    expansion = expand_links(fetched.pages, division, args.level, table)
    where = table.full_name(division) if division else "region unknown"
    lines = summary(expansion, len(fetched.pages), args.url, where, args.level)
    if not expansion.seeds:
        for line in lines:
            print(f"yingji: {line}", file=sys.stderr)
        return 1
    buffer = io.StringIO()
    write_seeds(expansion.seeds, buffer)
    _write(buffer.getvalue(), args.out)
    if args.out:
        lines[0] += f": written to {args.out}"
    for line in lines:
        print(f"yingji: {line}", file=sys.stderr)
    return 0

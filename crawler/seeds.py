"""Seed lists: which sites to crawl, read from a CSV ``name,region,url[,extra columns]``.

A seed file is written by people, so every problem is reported with its line number and the
whole file is checked before a crawl starts (a typo on line 900 must not surface after hours).
Extra columns are per-site overrides, so that a site needing special handling is a row, not code:

- ``columns``: more start URLs on the same site (e.g. the bureau's report column), space-separated;
- ``family``: force a CMS strategy (a name in ``crawler.strategies.FAMILIES``) instead of
  detection.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.exceptions import UsageError

from crawler.discovery import canonical_url
from crawler.strategies import FAMILIES

REQUIRED_COLUMNS = ("name", "region", "url")
KNOWN_FAMILIES = FAMILIES  # the strategy registry says which families exist


class SeedError(UsageError):
    """A seed file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Seed:
    name: str  # the site's owner, e.g. 孟津区人民政府
    region: str  # e.g. 河南省洛阳市孟津区
    url: str  # the start URL, as written (the key of spider.sites and ReportItem.site_url)
    columns: tuple[str, ...] = ()
    family: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def start_urls(self) -> list[str]:
        return [self.url, *self.columns]


def _check_url(value: str, where: str) -> str:
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SeedError(f"{where}: {value!r} is not an http(s) URL")
    return url


def parse_seeds(text: str, source: str = "<seeds>") -> list[Seed]:
    """Read a seed CSV; raise SeedError naming ``source`` and the line for any bad row."""
    if text.startswith("\ufeff"):
        text = text[1:]  # Excel writes a BOM
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    seeds: list[Seed] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if header is None:
            header = [c.lower() for c in cells]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise SeedError(
                    f"{source}:{line}: the header must name the columns name,region,url "
                    f"(missing: {','.join(missing)}; got {','.join(cells)})"
                )
            continue
        where = f"{source}:{line}"
        if len(cells) > len(header):
            raise SeedError(
                f"{where}: {len(cells)} fields but the header has {len(header)} "
                "(quote a name containing a comma)"
            )
        record = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))
        for col in REQUIRED_COLUMNS:
            if not record[col]:
                raise SeedError(f"{where}: the {col!r} field is empty")
        url = _check_url(record["url"], where)
        columns = tuple(
            _check_url(u, f"{where} (columns)") for u in record.get("columns", "").split()
        )
        family = record.get("family", "").lower() or None
        if family and family not in KNOWN_FAMILIES:
            raise SeedError(
                f"{where}: unknown family {family!r} (one of {', '.join(KNOWN_FAMILIES)})"
            )
        key = canonical_url(url)
        if key in seen:
            raise SeedError(f"{where}: {url} repeats the seed of line {seen[key]}")
        seen[key] = line
        extra = {
            k: v for k, v in record.items() if k not in (*REQUIRED_COLUMNS, "columns", "family")
        }
        seeds.append(
            Seed(
                name=record["name"],
                region=record["region"],
                url=url,
                columns=columns,
                family=family,
                extra=extra,
            )
        )
    if header is None:
        raise SeedError(f"{source}: empty seed file (expected a header name,region,url)")
    return seeds


def load_seeds(path: str | Path | None = None) -> list[Seed]:
    """Seeds from ``path``, or the default list shipped with the package."""
    if path is None:
        text = resources.files("crawler").joinpath("seeds/default.csv").read_text("utf-8")
        return parse_seeds(text, "crawler/seeds/default.csv")
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise SeedError(f"{p}: cannot read the seed file ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(f"{p}: not UTF-8 (byte {exc.start}); save the CSV as UTF-8") from exc
    return parse_seeds(text, str(p))


# --------------------------------------------------------------------------- shards


def parse_shard(value: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N) with 1 <= K <= N: shard K of N, counted from 1 like humans do."""
    try:
        k_text, n_text = value.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise SeedError(f"shard {value!r}: expected K/N, e.g. 1/4") from None
    if not (n >= 1 and 1 <= k <= n):
        raise SeedError(f"shard {value!r}: need 1 <= K <= N")
    return k, n


def shard_of(url: str, n: int) -> int:
    """The shard (1..n) a site belongs to: a hash of its canonical start URL.

    sha1 rather than ``hash()``: Python salts str hashes per process, and every Scrapyd node
    must agree on the assignment without talking to the others.
    """
    digest = hashlib.sha1(canonical_url(url).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def select_shard(seeds: Iterable[Seed], shard: str | None) -> list[Seed]:
    """The seeds of one shard (all of them when ``shard`` is None or empty)."""
    items = list(seeds)
    if not shard:
        return items
    k, n = parse_shard(shard)
    return [s for s in items if shard_of(s.url, n) == k]

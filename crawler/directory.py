"""Seeds at national scale: from a government's site directory to seed rows of the governments
it links (``yingji seeds expand URL``).

Every city and province portal lists its subordinate governments' sites somewhere: a 政府网站导航
or 网站群 page, a 县区政府 tab, a 友情链接 list or drop-down. This module turns the links of such
pages into seed rows ``name,region,url,division`` that ``crawler.seeds.parse_seeds`` reads. The
decisions are plain functions so that each rule is tested alone; the fetching is
crawler/spiders/directory.py, the reading of a page's links crawler/directorypage.py.

A link becomes a seed when

1. its text (or title) names a government and nothing else: a place, at most followed by
   government words (孟津区, 孟津区人民政府, 洛阳市孟津区人民政府门户网站, 中国·孟津, 孟津). A
   department (孟津区应急管理局, 洛阳市发展和改革委员会), a service (12345热线) or news is not;
2. its host is trusted (below);
3. the place resolves to one administrative division (storage.identity's table): the city
   heading the link's section, else the directory's own division, picks among namesakes
   (桥西区 is in 石家庄市 and in 张家口市), and a county renamed since (偃师市 -> 偃师区) is found
   by its stem. Zones that are no division (高新区) are reported, not guessed;
4. the division has the wanted level (county-level by default) and is not the directory's own;
5. its site was not taken already: http/https, www./no-www, a trailing index.html or slash are
   one site (the first link's address is kept, upgraded to https when any duplicate had it).

Which hosts are trusted (spam mirrors). Sites copying government pages onto unrelated domains
(156152.com, moneynaire.com …, docs/operations.md) carry government names as link text.
Government sites must be on gov.cn (政府网站发展指引, 2017), yet a few official ones are not
(jiading.cn, bare IPs). So a link naming a government is kept when its host is under gov.cn; or
on the directory's own site (its registrable domain); or in the directory's government link
list itself: a block (ul, table, select, div …) whose other government links are mostly on
gov.cn, at least two of them. Anything else naming a government is a suspected mirror, dropped
and counted, as is any link to a known mirror domain. A link to a non-public address (10.x,
127.x, localhost) is never a seed: a seed's own host is exempt from the crawler's address
guard (crawler/netguard.py), so a hijacked directory must not smuggle one in.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import IO
from urllib.parse import urlsplit, urlunsplit

from crawler.directorypage import DEFAULT_DOCUMENT, DirectoryLink, DirectoryPage, site_identity
from crawler.middlewares import site_key
from crawler.netguard import literal_address, non_public_kind
from storage.identity import (
    Division,
    DivisionTable,
    division_table,
    normalise_name,
    parse_place,
    resolve_division,
    resolve_region,
)

CSV_COLUMNS = ("name", "region", "url", "division")
#: ``--level``: which divisions' governments are seeds
LEVELS: dict[str, frozenset[str]] = {
    "county": frozenset({"county"}),
    "city": frozenset({"city"}),
    "all": frozenset({"province", "city", "county"}),
}
#: registrable domains of mirrors seen copying government pages (site-patterns, noise)
KNOWN_MIRRORS = frozenset(
    {
        "156152.com",
        "eshutan.com",
        "haose21.com",
        "hongxingpaper.com",
        "jordynalvidrez.com",
        "lotussunrise.com",
        "moneynaire.com",
        "northbarrens.com",
        "zgwqmt.com",
    }
)

_GOV_TAIL = re.compile(
    r"(?:人民政府|政府|行政公署)(?:门户网站|门户网|网站|官方网站|官网|网)?$|(?:门户网站|官方网站)$"
)
_NATIONAL = re.compile(r"^(?:中华人民共和国|中国)(?:中央)?$")
_LEADING = re.compile(r"^中国[·•・]?(?=..)")
_LEVEL_END = re.compile(r"(?:省|市|区|县|旗|州|盟)$")
_CJK_ONLY = re.compile(r"[\u4e00-\u9fff]+")
_STEM_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "县", "区", "市", "旗")


class Reason(StrEnum):
    """Why a link is not a seed (the stderr summary counts each)."""

    DUPLICATE = "duplicate of a site already taken"
    MIRROR = "suspected spam mirror"
    NON_PUBLIC = "non-public address"
    NOT_GOVERNMENT = "not a government site"
    UNRESOLVED = "names no administrative division"
    LEVEL = "a government of another level"
    SELF = "the directory's own government"


@dataclass(frozen=True)
class SeedRow:
    name: str  # 孟津区人民政府
    region: str  # 河南省洛阳市孟津区
    url: str
    division: str  # adcode, 410308

    def as_row(self) -> tuple[str, str, str, str]:
        return (self.name, self.region, self.url, self.division)


@dataclass(frozen=True)
class Dropped:
    reason: Reason
    text: str
    url: str


@dataclass(frozen=True)
class Expansion:
    seeds: tuple[SeedRow, ...]
    dropped: tuple[Dropped, ...]

    def counts(self) -> Counter[Reason]:
        return Counter(d.reason for d in self.dropped)

    def of(self, reason: Reason) -> list[Dropped]:
        return [d for d in self.dropped if d.reason is reason]


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class GovernmentName:
    place: str  # the place part: 孟津区 (洛阳市孟津区人民政府), 孟津 (中国·孟津)
    says_government: bool  # the text carried a government word (人民政府, 政府网 …)


def government_name(text: str) -> GovernmentName | None:
    """The place a link text names when it names a government and nothing else, else None.

    ``孟津区人民政府门户网站`` -> 孟津区; ``孟津区应急管理局`` -> 孟津区应急管理局 (the caller
    finds it is no place); ``12345热线`` -> None (not Chinese text only).
    """
    t = re.sub(r"[(（【\[].*?[)）】\]]", "", normalise_name(text))  # (镜像), 【旧版】
    t = t.strip("·•・-_|>»")
    says = False
    while (m := _GOV_TAIL.search(t)) and m.start() > 0:
        says = says or "政府" in m.group(0) or "公署" in m.group(0)
        t = t[: m.start()]
    t = _LEADING.sub("", t)
    if not _CJK_ONLY.fullmatch(t) or len(t) < 2:
        return None
    return GovernmentName(t, says)


def is_national(name: GovernmentName) -> bool:
    """中国政府网, 中华人民共和国中央人民政府: the State Council's site, no division."""
    return bool(_NATIONAL.match(name.place))


def _stem(name: str) -> str:
    for suffix in _STEM_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@lru_cache(maxsize=512)
def _stems(ctx: Division, table: DivisionTable) -> dict[str, tuple[Division, ...]]:
    """Short forms of the divisions under ``ctx``: 孟津 -> 孟津区, 瀍河 -> 瀍河回族区."""
    out: dict[str, list[Division]] = {}
    for d in table.descendants(ctx):
        stem = _stem(d.name)
        for short in {stem, stem[:2]}:
            out.setdefault(short, []).append(d)
    return {k: tuple(v) for k, v in out.items()}


def _covered(place: str, table: DivisionTable) -> bool:
    """Whether ``place`` is nothing but division names (洛阳市孟津区), end to end."""
    at = 0
    for m in parse_place(place, table):
        if m.start != at:
            return False
        at = m.end
    return at == len(place)


def place_division(
    place: str, ctx: Division | None, table: DivisionTable | None = None
) -> Division | None:
    """The division ``place`` names, read in the context of ``ctx`` (the directory's or the
    section's division); None when it names none or several."""
    table = table or division_table()
    region = table.full_name(ctx) if ctx else None
    if _covered(place, table) or _LEVEL_END.search(place):
        # a renamed county (偃师市 -> 偃师区) is resolve_division's stem rule
        return resolve_division(place, region, table)
    if ctx is not None:
        hits = _stems(ctx, table).get(place, ())
        if len(hits) == 1:
            return hits[0]
    return None


def _within(d: Division, ctx: Division) -> bool:
    return d.code == ctx.code or ctx.is_ancestor_of(d)


def resolve_place(
    place: str, contexts: Sequence[Division], table: DivisionTable | None = None
) -> Division | None:
    """The division of ``place`` in the first context that contains it (a section's city, then
    the directory's division); else whatever the name says on its own."""
    table = table or division_table()
    for ctx in contexts:
        d = place_division(place, ctx, table)
        if d is not None and _within(d, ctx):
            return d
    return place_division(place, contexts[-1] if contexts else None, table)


def directory_division(title: str, table: DivisionTable | None = None) -> Division | None:
    """Whose directory a page is, from its title: 政府网站导航_洛阳市人民政府 -> 洛阳市."""
    table = table or division_table()
    text = normalise_name(title)
    for m in re.finditer(r"([\u4e00-\u9fff]+?)(?:人民政府|政府|行政公署)", text):
        d = resolve_region(m.group(1), table)
        if d is not None:
            return d
    return None


def seed_name(d: Division) -> str:
    """A site's owner as seed lists name it: 孟津区人民政府; a league's or prefecture's
    government is its 行政公署."""
    return d.name + ("行政公署" if d.name.endswith(("盟", "地区")) else "人民政府")


# --------------------------------------------------------------------------- hosts and sites


def is_government_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == "gov.cn" or host.endswith(".gov.cn")


def is_known_mirror(url: str) -> bool:
    return site_key(url) in KNOWN_MIRRORS


def is_non_public(url: str) -> bool:
    """A literal non-public address or a name that can only be local (localhost, *.local)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if "." not in host or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return True
    ip = literal_address(host)
    return ip is not None and non_public_kind(ip) is not None


def clean_url(url: str) -> str:
    """The address a seed row keeps: no fragment, no default document (``/`` instead)."""
    parts = urlsplit(url.strip())
    path = DEFAULT_DOCUMENT.sub("/", parts.path) or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


# --------------------------------------------------------------------------- expansion


@dataclass(frozen=True)
class _Reading:
    """One link as read: the name it carries and the division that name resolves to."""

    link: DirectoryLink
    name: GovernmentName | None
    division: Division | None

    @property
    def names_government(self) -> bool:
        name = self.name
        if name is None or is_national(name):
            return False
        return name.says_government or self.division is not None


def _read(link: DirectoryLink, directory: Division | None, table: DivisionTable) -> _Reading:
    name = government_name(link.text)
    if name is None or is_national(name):
        return _Reading(link, name, None)
    contexts: list[Division] = []
    for heading in link.headings:
        h = directory_division(heading, table) or resolve_region(heading, table)
        if h is not None and (directory is None or _within(h, directory)):
            contexts.append(h)
            break
    if directory is not None:
        contexts.append(directory)
    return _Reading(link, name, resolve_place(name.place, contexts, table))


def government_blocks(readings: Iterable[_Reading]) -> set[tuple[str, int]]:
    """The (page, block) pairs that are a government link list: at least two government links
    on gov.cn, and they outnumber those elsewhere."""
    gov: Counter[tuple[str, int]] = Counter()
    other: Counter[tuple[str, int]] = Counter()
    for r in readings:
        if r.names_government:
            key = (r.link.page, r.link.block)
            host = urlsplit(r.link.url).hostname or ""
            (gov if is_government_host(host) else other)[key] += 1
    return {k for k, n in gov.items() if n >= 2 and n > other[k]}


def _trusted(r: _Reading, own_site: str, blocks: set[tuple[str, int]]) -> bool:
    host = urlsplit(r.link.url).hostname or ""
    return (
        is_government_host(host)
        or site_key(r.link.url) == own_site
        or (r.link.page, r.link.block) in blocks
    )


def expand(
    pages: Sequence[DirectoryPage],
    directory: Division | None,
    level: str = "county",
    table: DivisionTable | None = None,
) -> Expansion:
    """Seed rows of the governments ``pages`` link (see the module doc for every rule)."""
    table = table or division_table()
    wanted = LEVELS[level]
    own_site = site_key(pages[0].url) if pages else ""
    readings = [_read(link, directory, table) for page in pages for link in page.links]
    blocks = government_blocks(readings)
    kept: dict[str, SeedRow] = {}
    dropped: list[Dropped] = []

    def drop(reason: Reason, r: _Reading) -> None:
        dropped.append(Dropped(reason, r.link.text, r.link.url))

    for r in readings:
        if is_known_mirror(r.link.url):
            drop(Reason.MIRROR, r)
        elif not r.names_government:
            drop(Reason.LEVEL if r.name and is_national(r.name) else Reason.NOT_GOVERNMENT, r)
        elif directory is not None and r.division and r.division.code == directory.code:
            drop(Reason.SELF, r)
        elif is_non_public(r.link.url):
            drop(Reason.NON_PUBLIC, r)
        elif not _trusted(r, own_site, blocks):
            drop(Reason.MIRROR, r)
        elif r.division is None:
            drop(Reason.UNRESOLVED, r)
        elif r.division.level not in wanted:
            drop(Reason.LEVEL, r)
        else:
            key = site_identity(r.link.url)
            url = clean_url(r.link.url)
            if key in kept:
                drop(Reason.DUPLICATE, r)
                first = kept[key]
                if url.startswith("https:") and first.url.startswith("http:"):
                    kept[key] = SeedRow(first.name, first.region, "https:" + first.url[5:],
                                        first.division)  # fmt: skip
                continue
            d = r.division
            kept[key] = SeedRow(seed_name(d), table.full_name(d), url, d.code)
    seeds = sorted(kept.values(), key=lambda s: (s.division, s.url))
    return Expansion(tuple(seeds), tuple(dropped))


def write_seeds(seeds: Iterable[SeedRow], out: IO[str]) -> None:
    """The seed CSV (``crawler.seeds.parse_seeds`` reads it; ``division`` is an extra column)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for seed in seeds:
        writer.writerow(seed.as_row())

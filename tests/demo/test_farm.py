"""The farm (demo/farm.py) serves what it claims: N clones of the bundled sites, each speaking
of its own real places, so that a benchmark crawl of N sites stores reports of N agencies."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest

from demo.farm import (
    FarmSites,
    farm_host,
    farm_manifest,
    rounds_from_adcodes,
    serve_farm,
    template_places,
)
from demo.manifest import SITES_ROOT, load_manifest
from storage.identity import division_table
from yingji_parser import parse_document

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
TEMPLATES = load_manifest()["sites"]
PLACES = template_places(TEMPLATES)
ROWS = [(d.code, d.name) for d in division_table().by_code.values()]
LIST_WITH_MIRROR = "xxgk/bmxxgk/yjglj/zfxxgknb/index_1.html"
TEMPLATE_NAMES = {
    PLACES.province,
    *PLACES.cities,
    *(c for cs in PLACES.cities.values() for c in cs),
}


def fetch(url: str) -> bytes:
    with OPENER.open(url, timeout=10) as resp:
        return bytes(resp.read())


@pytest.fixture(scope="module")
def farm() -> Iterator[FarmSites]:
    """Two rounds of clones, the second one short by one site."""
    n = 2 * len(TEMPLATES) - 1
    with serve_farm(n, rounds_from_adcodes(ROWS, PLACES, 2)) as served:
        yield served


def test_each_round_maps_the_template_places_to_real_places_of_one_province() -> None:
    table = division_table()
    rounds = rounds_from_adcodes(ROWS, PLACES, 20)
    used_cities: set[str] = set()
    for renaming in rounds:
        province = next(
            d for d in table.by_name[renaming[PLACES.province]] if d.level == "province"
        )
        for city, counties in PLACES.cities.items():
            real = next(
                d
                for d in table.by_name[renaming[city]]
                if d.level == "city" and province.is_ancestor_of(d)
            )
            assert real.code not in used_cities, "no city is used by two rounds"
            used_cities.add(real.code)
            for county in counties:
                assert any(real.is_ancestor_of(d) for d in table.by_name[renaming[county]])
                if county.endswith("区"):  # a page may say only 区应急管理局
                    assert renaming[county].endswith("区")


def test_too_few_places_for_the_rounds_asked_for_is_an_error() -> None:
    with pytest.raises(ValueError, match="rounds of places"):
        rounds_from_adcodes(ROWS[:200], PLACES, 10)


def test_the_manifest_holds_n_renamed_clones_with_their_own_keys() -> None:
    rounds = rounds_from_adcodes(ROWS, PLACES, 3)
    manifest = farm_manifest(3 * len(TEMPLATES) - 2, rounds)
    sites = manifest["sites"]
    assert len(sites) == 3 * len(TEMPLATES) - 2
    assert len({s["key"] for s in sites}) == len(sites)
    for site in sites:
        assert site["key"] == f"{site['template']}{site['round']:03d}"
        assert not any(name in site["name"] + site["region"] for name in TEMPLATE_NAMES)
        for report in site.get("reports", []):
            assert report["agency"] not in {
                r["agency"] for t in TEMPLATES for r in t.get("reports", [])
            }


def test_every_site_has_its_own_address_beyond_one_octet() -> None:
    hosts = {farm_host(i) for i in range(600)}
    assert len(hosts) == 600
    assert farm_host(0) == "127.1.0.2" and farm_host(250) == "127.1.1.2"


def test_each_clone_serves_its_template_pages_under_its_own_names(farm: FarmSites) -> None:
    for site in farm.sites.values():
        if site.spec.get("unreachable") or site.spec.get("blocked") or not site.spec.get("seed", 1):
            continue
        home = fetch(site.url).decode(site.spec.get("encoding", "utf-8"))
        template = next(t for t in TEMPLATES if t["key"] == site.spec["template"])
        if template["name"] in (SITES_ROOT / template["dir"] / "index.html").read_text("utf-8"):
            assert site.spec["name"] in home, site.key
        assert not any(name in home for name in TEMPLATE_NAMES), site.key


def test_article_reports_name_the_clone_places_only_and_parse_so(farm: FarmSites) -> None:
    reports = farm.expected_reports()
    assert {r["site"] for r in reports} >= {"mengjin000", "mengjin001", "luoyang001"}
    for report in reports:
        if report["kind"] != "article":
            continue
        page = fetch(report["url"])
        site = farm.sites[report["site"]].spec
        text = page.decode(site.get("encoding", "utf-8"))
        assert report["agency"] in text or site["name"] in text  # 区应急管理局 + the site's name
        assert not any(name in text for name in TEMPLATE_NAMES)
        record = parse_document(page, filename="report.html").record
        assert not any(name in str(record.get("agency")) for name in TEMPLATE_NAMES)
        assert record.get("year") == report["year"]


def test_a_docx_is_renamed_inside_and_a_pdf_keeps_its_bytes(farm: FarmSites) -> None:
    mengjin = next(r for r in farm.expected_reports() if r["site"] == "mengjin001")
    docx = fetch(mengjin["attachments"][0])
    assert parse_document(docx).record["agency"] == mengjin["agency"]
    assert mengjin["names"] == {mengjin["agency"]}
    zhanhe = [r for r in farm.expected_reports() if r["sample"] == "seed001"]
    assert len(zhanhe) == 2
    for report in zhanhe:
        assert report["fixed_document"] and report["template_agency"] in report["names"]
        assert parse_document(fetch(report["url"])).record["agency"] == report["template_agency"]


def test_cross_site_links_point_to_the_clone_of_the_same_round(farm: FarmSites) -> None:
    """mengjin's second list page links the spam mirror (another site)."""
    for r in (0, 1):
        page = fetch(farm.sites[f"mengjin{r:03d}"].url + LIST_WITH_MIRROR).decode()
        assert farm.sites[f"mirror{r:03d}"].url.rstrip("/") + "/xxgk/" in page
        assert farm.sites[f"mirror{1 - r:03d}"].url.rstrip("/") not in page

"""The behaviour registry: one place, keyed by the manifest keys that switch behaviours on."""

from __future__ import annotations

from urllib.parse import quote

from demo.behaviours import BY_NAME, REGISTRY, active
from demo.exchange import Exchange, SiteRuntime
from demo.handler import answer
from demo.manifest import all_groups, load_manifest

#: manifest keys that describe a site rather than switch a behaviour on
DESCRIPTIVE = {
    "key", "name", "region", "family", "dir", "status", "seed", "group", "reports",
    "capability", "encoding", "charset_in_meta_only", "unreachable", "blocked_status",
    "decoy_bytes",
}  # fmt: skip


def exchange(spec: dict[str, object], path: str, query: str = "") -> Exchange:
    site = SiteRuntime(spec=dict(spec), host="127.0.0.1")
    return Exchange(site, {}, "GET", path, query, {}, {})


def test_every_manifest_key_is_descriptive_or_names_a_registered_behaviour() -> None:
    for site in load_manifest(all_groups())["sites"]:
        unknown = set(site) - DESCRIPTIVE - set(BY_NAME)
        assert not unknown, (site["key"], unknown)


def test_robots_answers_first_even_on_a_blocked_site() -> None:
    assert REGISTRY[0].name == "robots" and REGISTRY[0].always
    spec = {"key": "x", "name": "x", "dir": "x", "blocked": True}
    assert [b.name for b in active(spec)] == ["robots", "blocked"]
    assert answer(exchange(spec, "/robots.txt")).body == b"User-agent: *\nDisallow:\n"
    assert "请输入验证码" in answer(exchange(spec, "/any")).body.decode()


def test_a_site_without_behaviours_answers_404_for_what_it_has_no_page_for() -> None:
    spec = {"key": "mengjin", "name": "m", "dir": "mengjin"}
    assert answer(exchange(spec, "/module/download/downfile.jsp", "filename=a.doc")).status == 404
    assert answer(exchange(spec, "/")).status == 200


def test_search_matches_every_word_of_the_query() -> None:
    title = "某局2023年政府信息公开工作年度报告"
    index = [{"title": title, "url": "/a.html", "date": "2024-01-01"}]
    search = {"path": "/s", "param": "q", "index": index}
    spec = {"key": "s", "name": "s", "dir": "s", "search": search}
    hit = answer(exchange(spec, "/s", "q=" + quote("某局 年度报告")))
    miss = answer(exchange(spec, "/s", "q=" + quote("某局 预算")))
    assert b'href="/a.html"' in hit.body and b'href="/a.html"' not in miss.body

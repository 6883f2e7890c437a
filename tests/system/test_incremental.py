"""Incremental recrawls (crawler/cache.py through ``yingji crawl``), measured at the server.

The bundled sites (demo.server) send ETag and Last-Modified, answer conditional requests
with 304 and count every byte they send. Three real crawls into one database: the second,
of unchanged sites, must cost at most 10 % of the first's bytes and create no version; then one
report's page changes and the third crawl must give exactly that report one new version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from demo import server as siteserver
from tests.system.sitecrawl import bytes_sent, run_crawl, snapshot

CHANGED_REPORT = "synth2.body.html"  # served only by 宜阳县 (yiyang), its 2024 report


@pytest.mark.slow
def test_recrawls_cost_little_change_nothing_and_see_a_changed_report(
    tmp_path: Path, served_samples: Path
) -> None:
    root = served_samples
    db = f"sqlite:///{tmp_path / 'yingji.db'}"
    with siteserver.serve_sites() as sites:
        seeds = sites.seeds_csv(tmp_path / "seeds.csv")

        first = run_crawl(seeds, db, tmp_path)
        assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
        first_all, first_pages = bytes_sent(sites, decoys=True), bytes_sent(sites)
        before = snapshot(db)
        assert len(before["versions"]) >= 5

        second = run_crawl(seeds, db, tmp_path)
        assert second.returncode == 0, second.stderr[-3000:]
        second_all = bytes_sent(sites, decoys=True) - first_all
        second_pages = bytes_sent(sites) - first_pages
        assert second_all <= 0.10 * first_all
        assert second_pages <= 0.10 * first_pages  # not only thanks to the decoy
        again = snapshot(db)
        assert again["versions"] == before["versions"]  # no new version, none superseded
        assert again["cells"] == before["cells"]
        assert set(before["sources"]) <= set(again["sources"])  # a noop may only add a source

        page = root / CHANGED_REPORT
        html = page.read_text("utf-8")
        assert html.count(">183<") == 1  # 行政许可 decisions
        page.write_text(html.replace(">183<", ">184<"), "utf-8")

        third = run_crawl(seeds, db, tmp_path)
        assert third.returncode == 0, third.stderr[-3000:]
    after = snapshot(db)
    old_keys = {v[:3] for v in before["versions"]}
    new_keys = {v[:3] for v in after["versions"]} - old_keys
    assert new_keys == {("宜阳县应急管理局", 2024, 2)}
    current = {v[:2]: v[2] for v in after["versions"] if v[5]}
    assert current[("宜阳县应急管理局", 2024)] == 2
    assert len(after["versions"]) == len(before["versions"]) + 1

"""A recrawl fetches only what changed, measured at the server (issue 12, "recrawls that fetch
only what changed").

The bundled sites of both groups (every CMS family, and the discovery sites with their derived
reports and a report over two article pages) are crawled three times into one database with
``yingji crawl`` (the revalidating HTTP cache on). 新安县's report is a document behind Hanweb's
``downfile.jsp``, which sends no ETag or Last-Modified: only its unchanged article page can say
that it did not change. The second crawl, of unchanged sites, must receive under 5 % of the
first crawl's bytes and fetch that document not at all, and still count every report as found
and stored as a noop; then one report is revised in place (a derived sample's numbers, so both
of its article pages change) and the third crawl must give it exactly one new version.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from demo import server as siteserver
from storage import Store
from tests.system.sitecrawl import bytes_sent, run_crawl, snapshot

GROUPS = ("default", "discovery")
DOWNFILE = ("xinan", "/module/download/downfile.jsp")  # Hanweb: no validator
REVISED = "variants/chanhe2023"  # 瀍河回族区's 2023 report, one article over two pages
REVISED_KEY = ("瀍河回族区应急管理局", 2023)
MAX_RATIO = 0.05


def _last_run(database: str) -> tuple[dict[str, int], dict[str, tuple[str, int, int]]]:
    """The latest run's counts, and per site: status, reports found, noops."""
    with Store(database, upgrade=False) as store:
        run = store.recent_runs(1)[0]
        sites = {s.site_url: (s.status, s.reports_found, s.noop) for s in store.run_sites(run.id)}
    counts = {
        "inserted": run.inserted,
        "noop": run.noop,
        "new_versions": run.new_versions,
        "failed": run.failed,
    }
    return counts, sites


@pytest.mark.slow
def test_an_unchanged_recrawl_costs_under_5_percent_and_a_revision_one_version(
    tmp_path: Path, served_samples: Path
) -> None:
    root = served_samples
    db = f"sqlite:///{tmp_path / 'yingji.db'}"
    with siteserver.serve_sites(first_host=160, groups=GROUPS) as sites:
        seeds = sites.seeds_csv(tmp_path / "seeds.csv")

        first = run_crawl(seeds, db, tmp_path)
        assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
        first_bytes = bytes_sent(sites)
        before = snapshot(db)
        first_counts, first_sites = _last_run(db)
        assert first_counts["inserted"] >= 20 and first_counts["failed"] == 0
        assert sites.requests(*DOWNFILE) == 1

        second = run_crawl(seeds, db, tmp_path)
        assert second.returncode == 0, second.stderr[-3000:]
        second_bytes = bytes_sent(sites) - first_bytes
        print(f"unchanged recrawl: {second_bytes} of {first_bytes} bytes received", end=" ")
        print(f"({second_bytes / first_bytes:.2%})")
        assert second_bytes < MAX_RATIO * first_bytes
        assert sites.requests(*DOWNFILE) == 1  # its page was a 304: not fetched again
        again = snapshot(db)
        assert again["versions"] == before["versions"]  # nothing new, nothing superseded
        assert again["cells"] == before["cells"]
        counts, per_site = _last_run(db)
        stored = first_counts["inserted"] + first_counts["noop"]  # a republished report: a noop
        assert counts == {"inserted": 0, "noop": stored, "new_versions": 0, "failed": 0}
        for url, (status, found, _) in first_sites.items():  # found and stored, as noops
            assert per_site[url] == (status, found, found), url

        spec = root / f"{REVISED}.json"
        variant = json.loads(spec.read_text("utf-8"))
        variant["scale"] += 1  # every number of the report changes, on both of its pages
        spec.write_text(json.dumps(variant, ensure_ascii=False), "utf-8")

        third = run_crawl(seeds, db, tmp_path)
        assert third.returncode == 0, third.stderr[-3000:]
        assert sites.requests(*DOWNFILE) == 1
    after = snapshot(db)
    new = {v[:3] for v in after["versions"]} - {v[:3] for v in before["versions"]}
    assert new == {(*REVISED_KEY, 2)}
    current = {v[:2]: v[2] for v in after["versions"] if v[5]}
    assert current[REVISED_KEY] == 2
    assert len(after["versions"]) == len(before["versions"]) + 1

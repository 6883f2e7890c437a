"""``yingji demo`` from a fresh directory: serve, crawl, store, show — no network — into a
database of its own, never the user's."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from demo.server import load_manifest
from storage import Store
from storage.identity import agency_identity
from yingji.cli import main
from yingji.commands.demo import DISCOVERY_SITES, demo_manifest

YINGJI = [sys.executable, "-c", "import sys; from yingji.cli import main; sys.exit(main())"]
#: What the demo stores: one report per bureau and year. The default sites' seven (洛阳市's
#: portal republishes 孟津区's 2023 report: a source more, no report more) and three each from
#: the discovery layouts it shows: 老城区 (a TRS column behind a 301), 郏县 (a list filled by
#: script from JSON), 瀍河回族区 (a report over two article pages), 舞钢市 (a report filed under
#: 规划计划, found by the site's search).
STORED = [
    ("孟津区应急管理局", 2023),
    ("栾川县应急管理局", 2022),
    ("新安县应急管理局", 2023),
    ("宜阳县应急管理局", 2024),
    ("卫东区应急管理局", 2023),
    ("湛河区应急管理局", 2024),
    ("红旗区应急管理局", 2023),
    *(("老城区应急管理局", y) for y in (2022, 2023, 2024)),
    *(("郏县应急管理局", y) for y in (2022, 2023, 2024)),
    *(("瀍河回族区应急管理局", y) for y in (2022, 2023, 2024)),
    *(("舞钢市应急管理局", y) for y in (2022, 2023, 2024)),
]


def test_the_demo_shows_discovery_layouts_whose_reports_no_other_demo_site_holds() -> None:
    default = load_manifest()["sites"]
    sites = demo_manifest()["sites"]
    assert [s["key"] for s in sites[: len(default)]] == [s["key"] for s in default]
    shown = sites[len(default) :]
    assert sorted(s["key"] for s in shown) == sorted(DISCOVERY_SITES)
    assert {s.get("group") for s in shown} == {"discovery"}
    assert len({s["capability"] for s in shown}) == len(shown)  # a different layout each
    # no sample under two bureaus' names (the same figures twice), no bureau's year twice but
    # for the city portal republishing a district's report
    bureaus: dict[str, set[str]] = {}
    reports: Counter[tuple[str, int]] = Counter()
    for site in sites:
        for r in site.get("reports", []):
            key = agency_identity(r["agency"], site["region"]).key
            bureaus.setdefault(r["sample"], set()).add(key)
            reports[key, r["year"]] += 1
    assert all(len(keys) == 1 for keys in bureaus.values()), bureaus
    assert [n for n in reports.values() if n > 1] == [2]  # 孟津区 2023, on 洛阳市's portal too
    assert len(reports) == len(STORED)


@pytest.mark.slow
def test_demo_crawls_the_bundled_sites_into_a_database_of_its_own(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
    # the user's configured database and file store: the demo must leave them alone
    env["YINGJI_DATABASE_URL"] = f"sqlite:///{tmp_path / 'mine.db'}"
    env["YINGJI_FILES_STORE"] = str(tmp_path / "my-files")
    proc = subprocess.Popen(
        [*YINGJI, "demo", "--keep-serving"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if "stay up until Ctrl-C" in line:
                break
        else:
            pytest.fail("the demo ended early:\n" + "\n".join(lines) + proc.stderr.read()[-3000:])  # type: ignore[union-attr]
        # the sites are still served: the first address listed answers
        url = next(x.split()[0] for x in proc.stdout if x.strip().startswith("http://"))
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-3000:]
    text = "\n".join(lines)

    # the per-site table: every seed site with the status its manifest entry promises
    manifest = demo_manifest()["sites"]
    for site in (s for s in manifest if s.get("seed", True)):
        row = next(x for x in lines if x.startswith(site["name"] + " "))
        assert site["status"] in row, row

    # the reports found: one line per report, with its agency and year
    assert f"reports in {tmp_path / 'yingji-demo.db'}: {len(STORED)}" in text
    for agency, year in STORED:
        assert any(x.split()[:2] == [agency, str(year)] for x in lines), (agency, year)
    assert not (tmp_path / "mine.db").exists() and not (tmp_path / "my-files").exists()
    assert not (tmp_path / "yingji.db").exists()
    db = sqlite3.connect(tmp_path / "yingji-demo.db")
    stored = sorted(db.execute("SELECT agency, year FROM current_reports").fetchall())
    assert stored == sorted(STORED)
    assert all(
        json.loads(rec)["applications"]
        for (rec,) in db.execute("SELECT record FROM report_versions")
    )
    assert (tmp_path / "files").is_dir()  # raw documents next to the database
    db.close()


def test_demo_refuses_a_database_that_holds_crawls_of_real_sites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    with Store(url) as store:
        run = store.start_run(seeds_count=1)
        store.record_site(run, site_url="http://www.mengjin.gov.cn/", status="none_found")
        store.finish_run(run)
    assert main(["demo", "--database", url]) == 2
    captured = capsys.readouterr()
    assert "serving" not in captured.out  # refused before anything was served
    assert captured.err.startswith("yingji: ") and captured.err.count("\n") == 1
    assert "holds crawls of real sites (http://www.mengjin.gov.cn/)" in captured.err
    with Store(url) as store:
        assert len(store.recent_runs()) == 1  # nothing added


def test_demo_takes_a_database_of_loopback_sites_only() -> None:
    from yingji.commands.demo import is_loopback

    assert is_loopback("http://127.0.0.7:41234/") and is_loopback("http://[::1]:8080/x")
    assert is_loopback("http://localhost:8000/")
    assert not is_loopback("http://www.mengjin.gov.cn/") and not is_loopback("http://10.0.0.1/")

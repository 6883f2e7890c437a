"""A sharded crawl on two real Scrapyd daemons writing to one real PostgreSQL.

The project egg is built from this checkout and deployed to both daemons (yingji.cluster, as
``yingji cluster deploy`` does); shards 1/2 and 2/2 of the bundled sites' seed list are
scheduled round-robin and watched until they finish; the database must then hold the same
reports as a single-process crawl of the whole list, each stored once.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.server import serve_sites
from tests.conftest import create_postgres_database, drop_postgres_database, postgres_admin_url
from tests.system.conftest import ScrapydNode
from tests.system.sitecrawl import FAST, run_crawl, snapshot
from yingji import cluster
from yingji.cli import main

ROOT = Path(__file__).resolve().parents[2]

EGG_CHECK = """
import sys
from scrapyd.runner import activate_egg
activate_egg(sys.argv[1])
import migrations
assert ".egg" in migrations.__file__, migrations.__file__
from storage import Store
Store(sys.argv[2]).close()
"""


@pytest.fixture
def two_databases() -> Iterator[tuple[str, str]]:
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("YINGJI_TEST_POSTGRES_URL is not set: the cluster test needs PostgreSQL")
    urls: list[str] = []
    try:
        urls = [create_postgres_database(admin), create_postgres_database(admin)]
        yield urls[0], urls[1]
    finally:
        for url in urls:
            drop_postgres_database(admin, url)


@pytest.fixture
def egg(tmp_path: Path) -> Path:
    """The project egg; the test is skipped (with the reason) if the egg cannot open a store."""
    built = cluster.build_egg(ROOT, tmp_path / "egg")
    assert "crawler/settings.py" in zipfile.ZipFile(built).namelist()
    check = subprocess.run(
        [sys.executable, "-c", EGG_CHECK, str(built), f"sqlite:///{tmp_path / 'egg.db'}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    # the zipped egg must be able to migrate a fresh database (Alembic needs a real directory)
    assert check.returncode == 0, check.stderr[-3000:]
    return built


@pytest.mark.slow
@pytest.mark.postgres
def test_two_shards_on_two_scrapyd_nodes_store_what_one_crawl_stores(
    scrapyd_nodes: list[ScrapydNode],
    two_databases: tuple[str, str],
    egg: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sharded_db, single_db = two_databases
    nodes = [n.url for n in scrapyd_nodes]
    for node in nodes:
        cluster.upload_egg(node, egg, "1")
    with serve_sites() as sites:
        seeds = sites.seeds_csv(tmp_path / "seeds.csv")
        argv = ["cluster", "schedule", "--nodes", ",".join(nodes), "--shards", "2"]
        argv += ["--seeds", str(seeds), "--database", sharded_db, "--jobdir", str(tmp_path / "j")]
        for name, value in FAST.items():
            argv += ["-s", f"{name}={value}"]
        assert main([*argv, "--wait", "--timeout", "90"]) == 0  # finished, and healthy
        out = capsys.readouterr().out
        assert "shard 1/2: job" in out and f"on {nodes[0]}" in out
        assert "shard 2/2: job" in out and f"on {nodes[1]}" in out
        assert main(["cluster", "status", "--nodes", ",".join(nodes)]) == 0
        assert capsys.readouterr().out.count("finished") == 2

        single = run_crawl(seeds, single_db, tmp_path, health=False)
        assert single.returncode == 0, single.stderr[-3000:]

    logs = "\n".join(n.job_logs() for n in scrapyd_nodes)
    assert logs.count("Spider closed (finished)") == 2, logs[-5000:]
    sharded, whole = snapshot(sharded_db), snapshot(single_db)
    keys = Counter((agency, year) for agency, year, *_ in sharded["versions"])
    assert keys and max(keys.values()) == 1  # each report stored once
    assert sharded["versions"] == whole["versions"], logs[-5000:]
    assert sharded["cells"] == whole["cells"]

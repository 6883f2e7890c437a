"""The database commands as a user meets them: honest about a missing database, the crawl's
own table in ``yingji runs``, a CSV that Excel on a Chinese Windows opens."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.runrecord import SiteRow, SiteTally, format_table
from storage import Store
from storage.labels import cell_labels
from tests.storage.helpers import kw, load_record
from tests.yingji.served import clean_env
from yingji.cli import main
from yingji_parser.vocabulary import TableSection

ROOT = Path(__file__).resolve().parents[2]
YINGJI = [sys.executable, "-c", "import sys; from yingji.cli import main; sys.exit(main())"]


@pytest.mark.parametrize(
    "command",
    [("export",), ("export", "--format", "csv"), ("runs",), ("db", "current"), ("reparse",)],
)
def test_a_read_only_command_on_no_database_says_so_and_creates_none(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    """From an empty directory with nothing configured: no ./yingji.db appears."""
    done = subprocess.run(
        [*YINGJI, *command], cwd=tmp_path, env=clean_env(), capture_output=True, text=True
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr == (
        f"yingji: no database at {tmp_path / 'yingji.db'}: give the right --database (or "
        "YINGJI_DATABASE_URL), or create one with `yingji crawl`, `yingji demo` or "
        "`yingji db upgrade`\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_db_current_of_an_empty_database_is_an_error_and_upgrade_creates_it(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if db_url.startswith("postgresql"):
        assert main(["db", "current", "--database", db_url]) == 2
        assert "holds no yingji data" in capsys.readouterr().err
    assert main(["db", "upgrade", "--database", db_url]) == 0
    assert main(["db", "current", "--database", db_url]) == 0
    assert "(head)" in capsys.readouterr().out


def test_yingji_runs_prints_the_table_the_crawl_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        SiteRow("http://127.0.0.2/", "孟津区人民政府", "河南省洛阳市孟津区", "reports found",
                SiteTally(insert=2, noop=1)),
        SiteRow("http://127.0.0.3/", None, None, "failed to parse", SiteTally(failed=2),
                "corrupt: not a PDF"),
        SiteRow("http://127.0.0.4/", "红旗区人民政府", "河南省新乡市红旗区", "unreachable",
                SiteTally(), "TCP connection refused: " + "x" * 90 + " 127.0.0.4:80"),
    ]  # fmt: skip
    url = f"sqlite:///{tmp_path / 'yingji.db'}"
    with Store(url) as store:
        run = store.start_run(seeds_count=3)
        for r in rows:
            store.record_site(
                run, site_url=r.site_url, status=r.status_code, site_name=r.site_name,
                region=r.region, reports_found=r.tally.stored, inserted=r.tally.insert,
                noop=r.tally.noop, new_versions=r.tally.new_version, failed=r.tally.failed,
                error=r.error,
            )  # fmt: skip
        store.finish_run(run)
    assert main(["runs", "--database", url]) == 0
    printed = [line.removeprefix("  ") for line in capsys.readouterr().out.splitlines()[2:]]
    assert printed == format_table(rows).splitlines()
    assert printed[-1].endswith("127.0.0.4:80")  # the note is whole: the host is not lost


def _stored(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'yingji.db'}"
    with Store(url) as store:
        store.store_report(load_record("synth0"), **kw())
    return url


def test_excel_csv_is_utf8_with_a_bom_crlf_and_chinese_labels(tmp_path: Path) -> None:
    url = _stored(tmp_path)
    env = {**clean_env(), "PYTHONIOENCODING": "ascii"}  # a locale that is not UTF-8
    done = subprocess.run(
        [*YINGJI, "export", "--database", url, "--format", "csv", "--excel"],
        env=env,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    data = done.stdout
    assert (
        data.startswith(b"\xef\xbb\xbf")
        and b"\r\n" in data
        and b"\n" not in data.replace(b"\r\n", b"")
    )
    header, row = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert header[:5] == ["机关", "报告所写机关名称", "行政区划代码", "地区", "年度"]
    assert len(set(header)) == len(header)
    record = load_record("synth0")
    cell = dict(zip(header, row, strict=True))
    assert cell["机关"] == "栾川县应急管理局"
    assert cell["三·本年新收政府信息公开申请数量·总计"] == str(
        record["applications"]["new"]["total"]
    )
    assert cell["四·行政复议·结果维持"] == str(record["review_litigation"]["review"]["upheld"])


def test_labels_without_excel_and_keys_with_excel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _stored(tmp_path)
    assert main(["export", "--database", url, "--format", "csv", "--labels", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("机关,") and "\r\n" not in out
    assert (
        main(["export", "--database", url, "--format", "csv", "--excel", "--labels", "keys"]) == 0
    )
    assert capsys.readouterr().out.startswith("\ufeffagency,agency_as_written,")
    assert main(["export", "--database", url, "--excel"]) == 2  # JSON lines have no labels
    assert "--format csv" in capsys.readouterr().err


def test_the_chinese_labels_are_the_official_labels_of_docs_record_md() -> None:
    docs = re.sub(r"\s", "", (ROOT / "docs" / "record.md").read_text("utf-8"))
    labels = cell_labels()
    assert len(labels) > 200 and len(set(labels.values())) == len(labels)
    for path, label in labels.items():
        numeral, *words = label.split("·")
        assert numeral == TableSection(path.split(".")[0]).numeral
        for word in words:
            for part in re.split(r"[（）]", word.removeprefix("办理结果")):
                assert part in docs, f"{path}: {part!r} is not in docs/record.md"

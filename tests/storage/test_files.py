"""The content-addressed file store and the original-name metadata of downloads."""

import hashlib
from pathlib import Path

import pytest

from storage.files import (
    FileStore,
    UrlEntry,
    filename_from_content_disposition,
    filename_from_url,
    original_filename,
    relative_path,
)


def test_blob_is_named_by_its_sha256_with_two_levels_of_fanout(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    data = b"%PDF-1.7 report"
    sha = hashlib.sha256(data).hexdigest()
    stored = store.put(data)
    assert stored.sha256 == sha
    assert stored.path == f"{sha[:2]}/{sha[2:4]}/{sha}"
    assert (tmp_path / stored.path).read_bytes() == data
    assert store.read(sha) == data and store.has(sha)


def test_same_bytes_are_stored_once(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    a = store.put(b"x" * 10)
    b = store.put(b"x" * 10)
    assert a == b
    assert sum(1 for p in tmp_path.rglob("*") if p.is_file()) == 1


def test_relative_path_refuses_anything_but_a_digest() -> None:
    with pytest.raises(ValueError):
        relative_path("../../etc/passwd")


def test_missing_blob_error_says_where_to_look(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="YINGJI_FILES_STORE"):
        FileStore(tmp_path).read("0" * 64)


def test_url_index_remembers_only_blobs_still_in_the_store(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    stored = store.put(b"doc")
    entry = UrlEntry(url="http://h/a.pdf", sha256=stored.sha256, size=3, etag='"e1"')
    store.remember_url(entry)
    assert store.lookup_url("http://h/a.pdf") == entry
    assert store.lookup_url("http://h/other.pdf") is None
    store.path_of(stored.sha256).unlink()
    assert store.lookup_url("http://h/a.pdf") is None


def test_rfc5987_filename_star_wins_over_plain_filename() -> None:
    header = (
        'attachment; filename="report.pdf"; '
        "filename*=UTF-8''2023%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf"
    )
    assert filename_from_content_disposition(header) == "2023年度报告.pdf"


@pytest.mark.parametrize(
    "raw",
    [
        'attachment; filename="2023年度报告.pdf"'.encode(),  # raw UTF-8 bytes
        "attachment; filename=2023年度报告.pdf".encode("gbk"),  # raw GBK bytes, no quotes
        b"attachment; filename=2023%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf",  # URL-encoded
    ],
)
def test_chinese_names_as_servers_really_send_them(raw: bytes) -> None:
    assert filename_from_content_disposition(raw) == "2023年度报告.pdf"


def test_a_name_that_climbs_out_keeps_only_its_last_component() -> None:
    assert filename_from_content_disposition('attachment; filename="../../x"') == "x"
    assert filename_from_content_disposition("attachment; filename=..\\..\\y.doc") == "y.doc"


def test_name_falls_back_to_link_text_then_url() -> None:
    assert original_filename(None, "附件：年报.docx", "http://h/f?id=1") == "附件：年报.docx"
    assert original_filename(b"inline", "  ", "http://h/up/%E5%B9%B4%E6%8A%A5.pdf") == "年报.pdf"
    assert filename_from_url("http://h/downfile.jsp?classid=0&filename=abc%20d.wps") == "abc d.wps"
    assert filename_from_url("http://h/") is None

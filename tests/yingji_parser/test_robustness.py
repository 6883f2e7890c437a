"""Hostile or damaged bytes: parse_document raises ParseError or returns, never anything else.

Property tests over arbitrary bytes (also behind real magic numbers, so they reach the readers)
and over sample files that are truncated or have bits flipped. Each example must finish within
the hypothesis deadline; LibreOffice-based examples are few because each starts a converter.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo import SAMPLES
from yingji_parser import parse_document
from yingji_parser.errors import ParseError, TooLarge
from yingji_parser.formats import ReadHints, docx, spreadsheet
from yingji_parser.limits import MAX_DOCUMENT_BYTES, check_size
from yingji_parser.result import ParseResult

OFFICE = Path(__file__).resolve().parents[1] / "fixtures" / "office"

MAGICS = [
    b"",
    b"%PDF-1.7\n",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"<html><body><table><tr><td>",
    b"\xef\xbb\xbf",
    "一、总体情况\n".encode("gb18030"),
]

FAST = settings(
    max_examples=150,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
SLOW = settings(
    max_examples=3,
    deadline=timedelta(seconds=90),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


def parse_or_refuse(data: bytes, filename: str | None = None) -> None:
    """The contract: a result or a ParseError with a readable reason; nothing else escapes."""
    try:
        result = parse_document(data, filename=filename)
    except ParseError as exc:
        assert str(exc).strip(), "a refusal must say why"
    else:
        assert isinstance(result, ParseResult)
        result.to_dict()  # and it serialises


def mutate(data: bytes, cut: float, flips: list[tuple[float, int]]) -> bytes:
    buf = bytearray(data[: max(1, int(len(data) * cut))])
    for where, bit in flips:
        buf[int(where * (len(buf) - 1))] ^= 1 << bit
    return bytes(buf)


flip_lists = st.lists(st.tuples(st.floats(0, 1), st.integers(0, 7)), max_size=8)
# mostly whole or nearly whole files, so the damage reaches the readers, not just the container
cuts = st.one_of(st.just(1.0), st.floats(0.5, 1.0), st.floats(0.0, 0.5))


@FAST
@given(magic=st.sampled_from(MAGICS), tail=st.binary(max_size=3000))
def test_arbitrary_bytes_are_parsed_or_refused(magic: bytes, tail: bytes) -> None:
    parse_or_refuse(magic + tail, filename="download.jsp")


@FAST
@given(
    name=st.sampled_from(["seed000.docx", "synth1.docx", "seed002.pdf", "synth2.pdf"]),
    cut=cuts,
    flips=flip_lists,
)
def test_truncated_or_bit_flipped_docx_and_pdf_are_parsed_or_refused(
    name: str, cut: float, flips: list[tuple[float, int]]
) -> None:
    parse_or_refuse(mutate((SAMPLES / name).read_bytes(), cut, flips), filename=name)


@FAST
@given(
    name=st.sampled_from(["seed000.xlsx", "seed000.xls"]),
    cut=cuts,
    flips=flip_lists,
)
def test_damaged_workbooks_are_parsed_or_refused(
    name: str, cut: float, flips: list[tuple[float, int]]
) -> None:
    parse_or_refuse(mutate((OFFICE / name).read_bytes(), cut, flips))


@FAST
@given(
    name=st.sampled_from(["seed000.docx", "quirks.docx", "numbered.docx", "seed000.xlsx"]),
    cut=cuts,
    flips=flip_lists,
)
def test_office_readers_themselves_refuse_only_with_parse_error(
    name: str, cut: float, flips: list[tuple[float, int]]
) -> None:
    """The readers' own contract (the API's catch-all is a last resort, not the design)."""
    folder = SAMPLES if name.startswith("seed") and name.endswith(".docx") else OFFICE
    data = mutate((folder / name).read_bytes(), cut, flips)
    read = (
        docx.read if name.endswith(".docx") else (lambda d: spreadsheet.read(d, ReadHints("xlsx")))
    )
    with contextlib.suppress(ParseError):
        read(data)


@pytest.mark.libreoffice
@SLOW
@given(cut=st.floats(0.3, 1.0), flips=flip_lists)
def test_damaged_doc_is_converted_or_refused(cut: float, flips: list[tuple[float, int]]) -> None:
    parse_or_refuse(mutate((SAMPLES / "synth3.doc").read_bytes(), cut, flips), filename="a.doc")


def test_oversized_input_is_refused_with_its_size_before_parsing() -> None:
    data = b"%PDF-1.7\n" + b"\0" * (60 * 1024 * 1024)
    with pytest.raises(TooLarge, match=r"60\.0 MB.*50\.0 MB"):
        check_size(data)
    with pytest.raises(TooLarge):
        parse_document(data, filename="big.pdf")
    check_size(b"x" * MAX_DOCUMENT_BYTES)  # the limit itself is allowed

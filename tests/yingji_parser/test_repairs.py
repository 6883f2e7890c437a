"""A row one cell too long or too short is read as the format's own sums confirm.

The stray cell can be anywhere in a row; taking it to be at one end shifts every column after
it. So every reading that drops (or leaves null) one cell is tried, and the one under which the
row adds up to its total and its columns agree with the rows above and below wins — when it is
the only one. Otherwise the positional reading is kept. The warning says which cell was dropped
(or which column left null) and whether the sums confirmed it; numbers are never changed.

The text fixtures (tests/fixtures/parser/repair_*.txt) are synth1 with one or two rows spoiled;
synth1's numbers are non-zero almost everywhere, so a shifted column cannot pass. The HTML and
DOCX variants spoil the same rows of the synth1 sample in those formats.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest

from demo import SAMPLES
from yingji_parser import parse_document
from yingji_parser.grid import Document, Paragraph, table_from_texts
from yingji_parser.mapping import map_document

from .conftest import QUIRKS, expected

SYNTH1 = expected("synth1")["applications"]
CONFIRMED = "confirmed by the format's sums"
POSITIONAL = "kept by position"


def parse(name: str) -> Any:
    return parse_document((QUIRKS / name).read_bytes(), filename=name)


def repairs(result: Any) -> list[Any]:
    return [w for w in result.warnings if w.code in ("row_too_long", "row_too_short")]


def nulled(row: str, column: str) -> dict[str, Any]:
    """synth1's table 三 with one cell null (the cell the document lacks)."""
    apps = {k: dict(v) for k, v in SYNTH1.items()}
    apps[row][column] = None
    return apps


@pytest.mark.parametrize(
    ("name", "row", "dropped"),
    [
        # an extra 0 before the numbers of the total row: the positional reading (drop the
        # last cell) would shift every column by one
        ("repair_stray_start.txt", "handled_total", "'0' (value cell 1 of 8)"),
        # the case: an extra 0 between the numbers of the total row
        ("repair_stray_middle.txt", "handled_total", "'0' (value cell 3 of 8)"),
        # at the end: the positional reading, and the sums say so
        ("repair_stray_end.txt", "new", "'0' (value cell 8 of 8)"),
    ],
)
def test_an_extra_cell_anywhere_is_the_one_the_sums_drop(name: str, row: str, dropped: str) -> None:
    result = parse(name)
    assert result.status == "parsed"
    assert result.record["applications"] == SYNTH1
    (w,) = repairs(result)
    assert w.code == "row_too_long" and w.message.startswith(f"三/{row}: 8 value cells")
    assert f"dropped the extra cell {dropped}" in w.message and CONFIRMED in w.message
    assert "the row adds up to its total" in w.message
    assert not [x for x in result.warnings if x.code == "check_failed"]


@pytest.mark.parametrize(
    ("name", "row", "column"),
    [
        ("repair_missing_start.txt", "granted", "natural_person"),
        ("repair_missing_middle.txt", "new", "research"),
    ],
)
def test_a_missing_cell_is_the_column_the_sums_leave_null(name: str, row: str, column: str) -> None:
    result = parse(name)
    assert result.record["applications"] == nulled(row, column)  # the rest in their columns
    (w,) = repairs(result)
    assert w.code == "row_too_short" and w.message.startswith(f"三/{row}: 6 value cells")
    assert f"column {column} to be missing" in w.message and CONFIRMED in w.message
    assert "agree with the rows above and below" in w.message


def test_a_missing_last_cell_and_a_stray_one_in_the_same_table() -> None:
    result = parse("row_cells_wrong.txt")
    apps = result.record["applications"]
    assert apps["granted"] == SYNTH1["granted"]  # the stray 999 in the middle dropped
    assert apps == nulled("rejected_duplicate", "total")
    long, short = repairs(result)
    assert "'999' (value cell 3 of 8)" in long.message and CONFIRMED in long.message
    assert "column total to be missing" in short.message and CONFIRMED in short.message


def test_two_rows_off_in_the_same_columns_are_both_decided() -> None:
    # 予以公开 and 部分公开 both feed handled_total: each is judged with the other as read so far
    result = parse("repair_two_rows_off.txt")
    assert result.record["applications"] == SYNTH1
    granted, partial = repairs(result)
    assert "'0' (value cell 1 of 8)" in granted.message and CONFIRMED in granted.message
    assert "'7' (value cell 4 of 8)" in partial.message and CONFIRMED in partial.message


def _three(*rows: list[str]) -> Document:
    table = table_from_texts(list(rows))
    return Document("text", [Paragraph("三、收到和处理政府信息公开申请情况"), table])


NEW = "一、本年新收政府信息公开申请数量"


def test_when_several_readings_add_up_the_positional_one_is_kept() -> None:
    # dropping the first 1 or the second 1 both make the row add up; nothing else to ask
    mapped = map_document(_three([NEW, "1", "0", "0", "1", "0", "0", "0", "1"]), "2021")
    assert list(mapped.applications["new"].values()) == [1, 0, 0, 1, 0, 0, 0]
    (w,) = [w for w in mapped.warnings if w.code == "row_too_long"]
    assert "dropped the extra cell '1' (value cell 8 of 8)" in w.message
    assert f"{POSITIONAL}: 2 readings make the sums hold" in w.message


def test_when_no_reading_adds_up_the_positional_one_is_kept() -> None:
    mapped = map_document(_three([NEW, "1", "2", "3", "4", "5", "6", "7", "8"]), "2021")
    assert list(mapped.applications["new"].values()) == [1, 2, 3, 4, 5, 6, 7]
    (w,) = [w for w in mapped.warnings if w.code == "row_too_long"]
    assert f"{POSITIONAL}: no reading makes the sums hold" in w.message


def test_a_row_of_equal_cells_reads_the_same_whichever_is_dropped() -> None:
    mapped = map_document(_three([NEW, *["0"] * 8]), "2021")
    assert list(mapped.applications["new"].values()) == [0] * 7
    (w,) = [w for w in mapped.warnings if w.code == "row_too_long"]
    assert f"{POSITIONAL}: every reading gives the same numbers" in w.message


def test_a_row_two_cells_off_is_read_by_position_and_said() -> None:
    mapped = map_document(_three([NEW, "1", "2", "3", "4", "5"]), "2021")
    assert list(mapped.applications["new"].values()) == [1, 2, 3, 4, 5, None, None]
    (w,) = [w for w in mapped.warnings if w.code == "row_too_short"]
    assert "the last 2 column(s) left null" in w.message
    assert f"{POSITIONAL}: 2 cells off" in w.message


def test_a_rule_broken_by_another_row_does_not_block_the_repair() -> None:
    # 予以公开 is wrong in the document (9 for 8 under 科研机构): the research column's rule
    # fails whatever the stray total row does, so its own sum and the other columns decide
    text = (QUIRKS / "repair_stray_middle.txt").read_text("utf-8")
    text = text.replace("（一）予以公开\t\t1\t5\t8\t", "（一）予以公开\t\t1\t5\t9\t")
    result = parse_document(text.encode("utf-8"), filename="broken.txt")
    assert result.record["applications"]["handled_total"] == SYNTH1["handled_total"]
    (w,) = repairs(result)
    assert CONFIRMED in w.message
    failed = [x.where for x in result.warnings if x.code == "check_failed"]
    assert failed == ["三/granted", "三/research"]  # the document's own error, still reported


def test_the_numbers_are_never_changed_only_placed() -> None:
    for name in ("repair_stray_start.txt", "repair_missing_middle.txt", "row_cells_wrong.txt"):
        text = (QUIRKS / name).read_text("utf-8")
        printed = {int(n) for n in re.findall(r"(?<![\d.])\d+(?![\d.])", text)}
        apps = parse(name).record["applications"]
        got = {v for row in apps.values() for v in row.values() if v is not None}
        assert got <= printed, name


FOUR = ["1", "1", "4", "2", "8", "4", "4", "3", "2", "13", "0", "3", "3", "3", "9"]  # synth1


def _four(cells: list[str]) -> Any:
    four = table_from_texts([cells])
    doc = Document("text", [Paragraph("四、政府信息公开行政复议、行政诉讼情况"), four])
    return map_document(doc, "2021")


def _flat(review: dict[str, dict[str, Any]]) -> list[Any]:
    return [v for group in review.values() for v in group.values()]


@pytest.mark.parametrize(
    ("where", "stray"),
    [(0, "7"), (1, "0"), (6, "0"), (9, "5"), (12, "6"), (15, "0")],
    ids=["start", "second", "middle", "before-a-total", "last-group", "end"],
)
def test_review_row_with_a_stray_cell_anywhere_is_decided_by_its_groups_sums(
    where: int, stray: str
) -> None:
    mapped = _four([*FOUR[:where], stray, *FOUR[where:]])
    assert mapped.review_litigation == expected("synth1")["review_litigation"]
    (w,) = [w for w in mapped.warnings if w.code == "row_too_long"]
    assert f"dropped the extra cell '{stray}' (value cell {where + 1} of 16)" in w.message
    assert CONFIRMED in w.message and "the row adds up to its total" in w.message


@pytest.mark.parametrize(
    ("lost", "column"),
    [(4, "review.total"), (9, "litigation_direct.total"), (14, "litigation_after_review.total")],
    ids=["first-group", "middle-group", "end"],
)
def test_review_row_without_a_groups_total_leaves_that_total_null(lost: int, column: str) -> None:
    # the other groups add up only with the cells where they are; the group that lacks its
    # total has it null: any of its four counts missing instead would need a negative total
    mapped = _four(FOUR[:lost] + FOUR[lost + 1 :])
    want = [int(v) for v in FOUR]
    want[lost] = None
    assert _flat(mapped.review_litigation) == want
    (w,) = [w for w in mapped.warnings if w.code == "row_too_short"]
    assert f"column {column} to be missing" in w.message and CONFIRMED in w.message


def test_review_row_without_a_count_cannot_be_placed_by_the_sums_and_is_said() -> None:
    # 结果维持 of 行政复议 lost: its group's total fits whichever of its four counts is the
    # missing one, so several readings add up and the positional one is kept, with the warning
    mapped = _four(FOUR[1:])
    (w,) = [w for w in mapped.warnings if w.code == "row_too_short"]
    assert "column litigation_after_review.total to be missing" in w.message
    assert f"{POSITIONAL}: 5 readings make the sums hold" in w.message
    assert _flat(mapped.review_litigation) == [int(v) for v in FOUR[1:]] + [None]


def test_a_stray_zero_beside_a_zero_of_its_group_is_ambiguous_and_said() -> None:
    # 0 3 0 3 3 9: dropping either 0 makes 复议后起诉 add up, to different counts
    mapped = _four([*FOUR[:12], "0", *FOUR[12:]])
    (w,) = [w for w in mapped.warnings if w.code == "row_too_long"]
    assert f"{POSITIONAL}: 2 readings make the sums hold" in w.message


def test_section_two_has_no_sums_so_its_repairs_stay_positional() -> None:
    two = table_from_texts([["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                            ["规章", "2", "0", "0", "2"]])  # fmt: skip
    doc = Document("text", [Paragraph("二、主动公开政府信息情况"), two])
    mapped = map_document(doc, "2021")
    assert mapped.active_disclosure["rules"] == {"issued": 2, "repealed": 0, "in_force": 0}
    (w,) = [w for w in mapped.warnings if w.code == "row_too_long"]
    assert f"{POSITIONAL}: this table has no sums to decide by" in w.message


# --- the same repairs in formats with a grid: HTML and DOCX ----------------------------------


def _spoil(
    row: str, cells: list[str], label: str, extra_after: int | None, drop: int | None
) -> str:
    """``row`` with an extra cell "0" after value cell ``extra_after`` or without value cell
    ``drop`` (1-based; the last seven cells of a row of 三 are its values)."""
    if label not in "".join(re.sub(r"<[^>]+>", "", c) for c in cells):
        return row
    values = cells[-7:]
    if extra_after is not None:
        i = extra_after - 1
        zero = re.sub(r">(\d+)<", ">0<", values[i], count=1)
        values = [*values[: i + 1], zero, *values[i + 1 :]]
    if drop is not None:
        values = values[: drop - 1] + values[drop:]
    return row.replace("".join(cells[-7:]), "".join(values))


def _spoiled(text: str, row_re: str, cell_re: str) -> str:
    def each(m: re.Match[str]) -> str:
        row = m.group(0)
        cells = re.findall(cell_re, row, flags=re.S)
        row = _spoil(row, cells, "（七）总计", extra_after=2, drop=None)
        return _spoil(row, cells, "本年新收", extra_after=None, drop=3)

    return re.sub(row_re, each, text, flags=re.S)


def _check_grid_repairs(result: Any) -> None:
    apps = result.record["applications"]
    assert apps["handled_total"] == SYNTH1["handled_total"]
    assert apps == nulled("new", "research")
    by_row = {w.message.split(":")[0]: w for w in repairs(result)}
    assert set(by_row) == {"三/handled_total", "三/new"}
    assert CONFIRMED in by_row["三/handled_total"].message
    assert "'0' (value cell 3 of 8)" in by_row["三/handled_total"].message
    assert CONFIRMED in by_row["三/new"].message
    assert "column research to be missing" in by_row["三/new"].message


def test_html_row_with_an_extra_td_and_one_without_a_td() -> None:
    html = (SAMPLES / "synth1.body.html").read_text("utf-8")
    spoiled = _spoiled(html, r"<tr>.*?</tr>", r"<td[^>]*>.*?</td>")
    assert spoiled != html
    _check_grid_repairs(parse_document(spoiled.encode("utf-8"), filename="synth1.html"))


def test_docx_row_with_an_extra_cell_and_one_without_a_cell() -> None:
    source = zipfile.ZipFile(SAMPLES / "synth1.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                spoiled = _spoiled(xml, r"<w:tr[ >].*?</w:tr>", r"<w:tc>.*?</w:tc>")
                assert spoiled != xml
                data = spoiled.encode("utf-8")
            target.writestr(item, data)
    _check_grid_repairs(parse_document(out.getvalue(), filename="synth1.docx"))

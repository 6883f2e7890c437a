"""The one merged-cell expansion every format reader uses: spans in, a rectangle out."""

from __future__ import annotations

from yingji_parser.grid import Cell, Span, expand


def test_a_merged_cell_covers_every_position_and_counts_once() -> None:
    rows = expand(
        [Span(0, 0, "信息内容", rows=2), Span(0, 1, "本年", cols=2), Span(1, 1, "新制作")]
    )
    assert [[c.text for c in row] for row in rows] == [
        ["信息内容", "本年", "本年"],
        ["信息内容", "新制作", ""],
    ]
    assert [[c.merged for c in row] for row in rows] == [[False, False, True], [True, False, False]]


def test_the_span_listed_first_keeps_a_contested_position() -> None:
    rows = expand([Span(0, 0, "a", cols=2), Span(0, 1, "b")])
    assert rows == [[Cell("a"), Cell("a", merged=True)]]


def test_spans_past_the_given_size_are_cut_and_gaps_are_blank() -> None:
    rows = expand([Span(0, 0, "x", rows=99, cols=99), Span(5, 5, "far")], nrows=2, ncols=2)
    assert rows == [[Cell("x"), Cell("x", True)], [Cell("x", True), Cell("x", True)]]
    assert expand([Span(1, 1, "y")]) == [[Cell(""), Cell("")], [Cell(""), Cell("y")]]


def test_pieces_sharing_a_key_are_one_cell_even_when_not_a_rectangle() -> None:
    # a DOCX vertical merge continued under a cell of another width
    pieces = [Span(0, 0, "label", key=1), Span(1, 0, "label", key=1), Span(1, 1, "label", key=1)]
    rows = expand([*pieces, Span(0, 1, "n")])
    assert [[c.merged for c in row] for row in rows] == [[False, False], [True, True]]

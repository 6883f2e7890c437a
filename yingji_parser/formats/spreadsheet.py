"""XLSX (openpyxl) and XLS (xlrd) reader: each sheet's used range becomes one grid table.

Some agencies publish the report's tables as a workbook. Each sheet gives its name and its
title-like leading rows as paragraphs (so the mapper can find the agency and year) and its used
range as a :class:`Table` with merged ranges expanded like every other format. Values are given
as a person sees them: 1.0 stored as a float reads "1", a formula shows its cached result.

openpyxl's read-only mode does not expose merged ranges, so XLSX is loaded in normal mode;
the ZIP is checked by :func:`yingji_parser.limits.safe_zip` first and the cell count is capped,
which bounds the cost.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
from collections.abc import Iterable
from typing import Any

from yingji_parser.errors import CorruptDocument, EncryptedDocument, ParseError, TooLarge
from yingji_parser.formats.hints import ReadHints
from yingji_parser.grid import Document, Paragraph, Span, Table, expand
from yingji_parser.limits import check_workbook, safe_zip

_GENERIC_SHEET = re.compile(r"^(sheet|工作表|表)\s*\d*$", re.IGNORECASE)

#: Unzipped size of a workbook openpyxl is allowed to load: a report's sheets take a few KB,
#: and openpyxl's normal mode (needed for merged ranges) costs about 1 s per 10 MB of XML.
MAX_XLSX_UNZIPPED = 48 * 1024 * 1024
#: Cells per sheet beyond which a sheet is refused: report tables have a few hundred.
MAX_CELLS_PER_SHEET = 2_000_000


XLSX = ReadHints("xlsx")


def read(data: bytes, hints: ReadHints = XLSX) -> Document:
    """Read an XLSX or XLS workbook into a :class:`Document` (one table per non-empty sheet)."""
    if hints.doc_type == "xls":
        return _read_xls(data)
    return _read_xlsx(data)


def display_number(value: float | int, number_format: str = "General") -> str:
    """A number as a spreadsheet shows it: integral floats without ".0", percents as "50%"."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return ""
    fmt = (number_format or "General").split(";", 1)[0]
    if "%" in fmt:
        decimals = fmt.split(".", 1)[1].count("0") if "." in fmt else 0
        return f"{value * 100:.{decimals}f}%"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    if "." in fmt and "0" in fmt.split(".", 1)[1]:
        decimals = fmt.split(".", 1)[1].count("0")
        return f"{value:.{decimals}f}"
    return f"{value:.10g}"


def _display(value: Any, number_format: str = "General") -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return display_number(value, number_format)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _table_blocks(
    name: str, texts: list[list[str]], merges: Iterable[tuple[int, int, int, int]]
) -> list[Paragraph | Table]:
    """Sheet name, title rows and the grid (merges given as 0-based inclusive r0, c0, r1, c1)."""
    # Merged ranges first (they own their positions), then every other cell as it stands.
    spans = [
        Span(r0, c0, texts[r0][c0] if c0 < len(texts[r0]) else "", r1 - r0 + 1, c1 - c0 + 1)
        for r0, c0, r1, c1 in merges
        if r0 < len(texts)
    ]
    spans += [Span(r, c, t) for r, row in enumerate(texts) for c, t in enumerate(row)]
    width = max((len(row) for row in texts), default=0)
    cells = expand(spans, len(texts), width)
    blocks: list[Paragraph | Table] = []
    # Leading rows that hold one text only (a title merged across the sheet) come first, as
    # they are read on screen: the title search looks at what precedes the first heading.
    for row in cells:
        distinct = {c.text.strip() for c in row if c.text.strip()}
        if len(distinct) != 1:
            break
        blocks.append(Paragraph(distinct.pop()))
    if name.strip() and not _GENERIC_SHEET.match(name.strip()):
        blocks.append(Paragraph(name.strip()))
    if cells:
        blocks.append(Table(rows=cells))
    return blocks


def _trim(texts: list[list[str]]) -> list[list[str]]:
    """Drop trailing empty rows and columns (formatting often extends the used range)."""
    while texts and not any(t.strip() for t in texts[-1]):
        texts.pop()
    width = max((i + 1 for row in texts for i, t in enumerate(row) if t.strip()), default=0)
    return [row[:width] + [""] * (width - len(row)) for row in texts]


def _check_cells(name: str, rows: int, cols: int) -> None:
    if rows * cols > MAX_CELLS_PER_SHEET:
        raise TooLarge(
            f"sheet {name!r} spans {rows} x {cols} cells, over the limit of {MAX_CELLS_PER_SHEET}"
        )


def _read_xlsx(data: bytes) -> Document:
    import openpyxl  # imported here: only spreadsheets pay for it

    check_workbook(safe_zip(data, max_total=MAX_XLSX_UNZIPPED))  # before openpyxl loads it
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except ParseError:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged workbooks
        detail = " ".join(str(exc).split())  # one line: openpyxl's messages span three
        raise CorruptDocument(
            f"the Excel workbook cannot be read ({type(exc).__name__}: {detail})"
        ) from exc
    doc = Document(doc_type="xlsx")
    try:
        if wb.properties is not None and (wb.properties.title or "").strip():
            doc.title_hints.append(wb.properties.title.strip())
        for ws in wb.worksheets:
            max_row, max_col = ws.max_row or 0, ws.max_column or 0
            _check_cells(ws.title, max_row, max_col)
            texts = [
                [_display(c.value, c.number_format) for c in row]
                for row in ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col)
            ]
            texts = _trim(texts)
            merges = [
                (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
                for m in ws.merged_cells.ranges
            ]
            if any(any(t.strip() for t in row) for row in texts):
                doc.blocks.extend(_table_blocks(ws.title, texts, merges))
    finally:
        wb.close()
    return doc


def _read_xls(data: bytes) -> Document:
    import xlrd

    try:
        try:
            book = xlrd.open_workbook(
                file_contents=data, formatting_info=True, on_demand=True, logfile=_NullLog()
            )
        except NotImplementedError:  # Excel 2-4 files: no formatting, hence no merged ranges
            book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=_NullLog())
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise EncryptedDocument("a password-protected Excel 97 workbook") from exc
        raise CorruptDocument(f"the Excel 97 workbook cannot be read ({exc})") from exc
    except ParseError:
        raise
    except Exception as exc:  # xlrd raises assertion, struct and index errors on damage
        raise CorruptDocument(
            f"the Excel 97 workbook is damaged ({type(exc).__name__}: {exc})"
        ) from exc
    doc = Document(doc_type="xls")
    try:
        for index in range(book.nsheets):
            try:
                sh = book.sheet_by_index(index)
            except Exception as exc:
                raise CorruptDocument(
                    f"sheet {index + 1} of the workbook is damaged ({exc})"
                ) from exc
            _check_cells(sh.name, sh.nrows, sh.ncols)
            texts = [[_xls_text(book, sh, r, c) for c in range(sh.ncols)] for r in range(sh.nrows)]
            texts = _trim(texts)
            merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sh.merged_cells]
            if any(any(t.strip() for t in row) for row in texts):
                doc.blocks.extend(_table_blocks(sh.name, texts, merges))
    finally:
        book.release_resources()
    return doc


class _NullLog:
    """xlrd writes its warnings to stdout by default, which would corrupt `yingji parse` JSON."""

    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def _xls_text(book: Any, sh: Any, r: int, c: int) -> str:
    import xlrd

    cell = sh.cell(r, c)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return str(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return _display(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        except Exception:
            return display_number(cell.value)
    fmt = "General"
    try:
        xf = book.xf_list[cell.xf_index]
        fmt = book.format_map[xf.format_key].format_str
    except (AttributeError, IndexError, KeyError, TypeError):
        pass
    return display_number(cell.value, fmt)

"""Every tolerance and bound of the PDF reader, in one frozen value passed down the stages.

Like pdfplumber's table settings: what counts as the same line, a touching line, a word gap, a
row or a column is a number of points (or a fraction of the font size), and a caller that
needs other values (a test, a benchmark, an odd producer) passes its own :class:`PdfSettings`
instead of patching module constants. All lengths are PDF points (1/72 inch).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PdfSettings:
    # --- bounds on the work -------------------------------------------------------------------
    max_pages: int = 200  # an annual report has 3-15 pages; a 1000-page PDF is not one
    time_budget: float = 30.0  # seconds of reading and layout before the rest is skipped
    max_objects: int = 100_000  # page objects walked (a map of 10^5 strokes is not a table)
    max_chars: int = 60_000  # characters read per page
    max_form_depth: int = 8  # nested form XObjects followed
    max_segments: int = 4000  # more strokes than this on one page: a chart, not a table
    max_lines: int = 600  # nor more whole lines once touching strokes are joined
    # --- what a page holds --------------------------------------------------------------------
    min_glyphs_per_page: int = 20  # fewer, on pages with images: the report is in the images
    margin_band: float = 0.07  # top/bottom fraction of a page where running heads sit
    angle_samples: int = 24  # characters whose angle is sampled to find sideways pages
    absurd_loose_box: float = 36.0  # a loose glyph box bigger than this is PDFium's artefact
    # --- ruling lines -------------------------------------------------------------------------
    axis_tolerance: float = 1.0  # a path segment this close to level/plumb is a ruling line
    thin_rect: float = 4.0  # a filled rectangle thinner than this is a rule, not a shaded cell
    snap_tolerance: float = 2.0  # lines closer than this are one (double borders, rounding)
    join_tolerance: float = 3.0  # collinear pieces closer than this are one line
    intersection_tolerance: float = 2.5  # a horizontal and a vertical this close touch
    min_line: float = 3.0  # shorter strokes are glyph fragments or dots, not rulings
    sliver: float = 4.0  # a band narrower than this with no text of its own is an artefact
    # --- glyph runs (glyphs touching on one baseline read as one piece) --------------------
    run_gap: float = 1.0
    run_overlap: float = 1.0
    run_level: float = 0.5
    run_wall: float = 0.5  # a run never crosses a vertical ruling line closer than this
    # --- words and lines ----------------------------------------------------------------------
    space_gap: float = 0.45  # a gap wider than this fraction of the line height is a space
    # --- tables over page breaks --------------------------------------------------------------
    edge_tolerance: float = 6.0  # the same table's outer edges on two pages
    max_header_rows: int = 5  # rows a table may repeat at the top of a new page
    # --- tables without ruling lines (rebuilt from character positions) -----------------------
    row_gap: float = 0.9  # lines of one cell stand closer than this many font sizes apart
    column_gap: float = 0.8  # a gap this wide (font sizes) parts cells: Word leaves 2 x 0.19 cm
    min_rows: int = 1  # lines of several cells, one with a number, that make a table


DEFAULT_SETTINGS = PdfSettings()

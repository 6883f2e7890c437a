"""Every OCR tolerance and bound in one frozen value, so a caller can change them per call."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """Bounds and tolerances of the OCR reader.

    ``time_limit`` bounds the whole document (pages after it are skipped with an
    ``ocr_time_limit`` note); ``YINGJI_OCR_TIME_LIMIT`` sets its default, below the parse
    pool's own timeout so a scan comes back partial rather than killed. ``min_confidence`` is
    the engine's score under which a read is not trusted: such a cell is marked unreadable
    (its value null with ``number_unreadable``), never taken as a guess.
    """

    time_limit: float = _env_float("YINGJI_OCR_TIME_LIMIT", 90.0)
    max_pages: int = 40
    render_dpi: float = 150.0  # pages are rendered at this resolution (a 110 dpi scan gains a bit)
    threads: int = 1  # onnxruntime threads: the parse pool already runs one parse per core
    min_confidence: float = 0.6
    second_look: float = 0.8  # a short cell line read less sure than this is read twice more
    title_lines: int = 2  # text lines OCR'd at the top of the first page (the title block)
    max_angle: float = 3.0  # the deskew search range, in degrees either way
    min_table_width: float = 0.25  # a table's ruling lines span at least this share of the page


DEFAULT_SETTINGS = OcrSettings()

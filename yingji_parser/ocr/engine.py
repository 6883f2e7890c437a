"""The OCR engine: RapidOCR's PP-OCRv4 recogniser on ONNX Runtime, models from the wheel.

Only the recognition model is used: the page layout (tables, cells, text lines) is found from
the image itself (:mod:`.rules`, :mod:`.lines`), which is both faster than PP-OCR's detector
on a whole page and exact about which cell a word belongs to. The models ship inside the
``rapidocr-onnxruntime`` wheel and are loaded from its package directory; nothing is fetched
at run time. One engine per process, built on first use (about half a second).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from yingji_parser.errors import ParseError

INSTALL_HINT = "pip install 'yingji[ocr]'"


class OcrUnavailable(ParseError):
    """The OCR extra is not installed (the message says how to install it)."""


@dataclass(frozen=True, slots=True)
class Read:
    """What the recogniser read in one text-line image, and how sure it is (0…1)."""

    text: str
    confidence: float


_LOCK = threading.Lock()
_ENGINES: dict[int, object] = {}
# The recogniser pads every line to at least this width/height ratio; PP-OCR's default of
# 320/48 makes a one-digit cell cost as much as a line of text. Numbers are most cells.
_MIN_RATIO = 1.0
_BATCH = 16


def available() -> bool:
    """Whether the OCR extra is installed and not switched off (``YINGJI_OCR=0``), without
    loading the models."""
    if os.environ.get("YINGJI_OCR", "1").strip().lower() in ("0", "off", "false", "no"):
        return False
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except Exception:
        return False
    return True


def _recogniser(threads: int) -> object:
    with _LOCK:
        rec = _ENGINES.get(threads)
        if rec is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except Exception as exc:
                raise OcrUnavailable(
                    f"OCR is not installed ({exc.__class__.__name__}); enable it with "
                    f"{INSTALL_HINT}"
                ) from exc
            engine = RapidOCR(
                intra_op_num_threads=threads, inter_op_num_threads=1, print_verbose=False
            )
            rec = engine.text_rec
            c, h, _ = rec.rec_image_shape[:3]
            rec.rec_image_shape = [c, h, int(h * _MIN_RATIO)]
            rec.rec_batch_num = _BATCH
            _ENGINES[threads] = rec
        return rec


def recognise(images: Sequence[np.ndarray], threads: int = 1) -> list[Read]:
    """Read each text-line image (BGR uint8); the order of the answers is the order given."""
    if not images:
        return []
    rec = _recogniser(threads)
    results, _elapsed = rec(list(images))  # type: ignore[operator]
    return [Read(str(text).strip(), float(score)) for text, score in results]

"""OCR on the scanned samples: seconds per report and cells right, RapidOCR against Tesseract.

Run by hand: ``taskset -c 0 python bench/bench_ocr.py`` (needs ``pip install -e '.[ocr]'``;
``--tesseract`` also needs Debian's ``tesseract-ocr tesseract-ocr-chi-sim``). The target
(issue 10) is a scanned 6-page report in under 30 s on one core. Time is CPU time (this
process's plus its children's), so other jobs on a shared machine slow the wall clock but not
the figure; the first parse loads the models and is reported apart.

``--tesseract`` runs the same reader (page images, ruling lines, the cells' text lines) with
Tesseract 5 (``chi_sim``, one process per page over all that page's line images stacked, as a
per-line process would mostly time Tesseract's start-up) in place of the RapidOCR recogniser:
the engines are compared on exactly the same line images.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from demo import SAMPLES
from yingji_parser import parse_document

KEYS = ("agency", "year", "title", "active_disclosure", "applications", "review_litigation")


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else key)
    else:
        yield path, value


def cells_right(record: dict[str, Any], name: str) -> tuple[int, int]:
    """(values equal to the answer's, values in the answer) over the record's compared keys."""
    want = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    expected = dict(_leaves({k: want[k] for k in KEYS if k in want}))
    got = dict(_leaves({k: record.get(k) for k in KEYS if k in want}))
    return sum(got.get(k) == v for k, v in expected.items()), len(expected)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def tesseract_recognise(images: Sequence[np.ndarray], threads: int = 1) -> list[Any]:
    """The recogniser's interface answered by the ``tesseract`` command: the line images
    stacked on one white page, one process, words put back on their line by position."""
    import cv2

    from yingji_parser.ocr.engine import Read

    if not images:
        return []
    gap = 24
    width = max(i.shape[1] for i in images) + 2 * gap
    tops, y = [], gap
    for image in images:
        tops.append(y)
        y += image.shape[0] + gap
    sheet = np.full((y, width), 255, np.uint8)
    for image, top in zip(images, tops, strict=True):
        grey = image[:, :, 0]
        sheet[top : top + grey.shape[0], gap : gap + grey.shape[1]] = grey
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lines.png"
        cv2.imwrite(str(path), sheet)
        out = subprocess.run(
            ["tesseract", str(path), "-", "-l", "chi_sim", "--psm", "6", "tsv"],
            capture_output=True, text=True, check=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        ).stdout  # fmt: skip
    words: list[list[tuple[int, str, float]]] = [[] for _ in images]
    for row in out.splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or not parts[11].strip() or float(parts[10]) < 0:
            continue
        left, top, height = int(parts[6]), int(parts[7]), int(parts[9])
        centre = top + height / 2
        for index, start in enumerate(tops):
            if start - gap / 2 <= centre < start + images[index].shape[0] + gap / 2:
                words[index].append((left, parts[11].strip(), float(parts[10]) / 100))
                break
    reads = []
    for found in words:
        found.sort()
        text = "".join(w for _, w, _ in found)
        reads.append(Read(text, min((c for _, _, c in found), default=0.0)))
    return reads


def run(names: list[str], label: str) -> None:
    total_pages = 0
    total_cpu = 0.0
    right = cells = 0
    for name in names:
        data = (SAMPLES / f"{name}.scan.pdf").read_bytes()
        started, wall = _cpu(), time.perf_counter()
        result = parse_document(data)
        took, wall = _cpu() - started, time.perf_counter() - wall
        pages = _pages(data)
        good, count = cells_right(result.record, name)
        total_pages += pages
        total_cpu += took
        right += good
        cells += count
        print(
            f"{label:9} {name:8} {pages} pages {took:6.1f} s CPU ({wall:6.1f} s wall) "
            f"{good}/{count} cells right  {result.status}"
        )
    print(
        f"{label:9} total: {right}/{cells} cells right, {total_cpu / total_pages:.2f} s CPU a "
        f"page, {6 * total_cpu / total_pages:.1f} s for a 6-page report"
    )


def _pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def _with_recogniser(recognise: Callable[..., list[Any]]) -> None:
    import yingji_parser.ocr.page as page

    page.recognise = recognise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tesseract", action="store_true", help="also measure Tesseract")
    parser.add_argument("--only", nargs="*", help="sample names (default: every *.scan.pdf)")
    args = parser.parse_args()
    os.environ.setdefault("YINGJI_OCR_TIME_LIMIT", "3600")  # measure, never cut short
    names = args.only or sorted(p.name.split(".")[0] for p in SAMPLES.glob("*.scan.pdf"))
    started = _cpu()
    parse_document((SAMPLES / f"{names[0]}.scan.pdf").read_bytes())
    print(f"first parse (models loaded): {_cpu() - started:.1f} s CPU")
    run(names, "RapidOCR")
    if args.tesseract:
        _with_recogniser(tesseract_recognise)
        run(names, "Tesseract")


if __name__ == "__main__":
    main()

"""OCR speed on the scanned samples: pages/s and seconds per report, on one core.

Run by hand: ``taskset -c 0 python bench/bench_ocr.py`` (needs ``pip install -e '.[ocr]'``).
The target (issue 10) is a scanned 6-page report in under 30 s on one core. The first parse
loads the models (about half a second) and is reported apart.
"""

from __future__ import annotations

import time

from demo import SAMPLES
from yingji_parser import parse_document


def main() -> None:
    scans = sorted(SAMPLES.glob("*.scan.pdf"))
    started = time.perf_counter()
    parse_document(scans[0].read_bytes())
    print(f"first parse (models loaded): {time.perf_counter() - started:.1f} s")
    total_pages = 0
    total_time = 0.0
    for path in scans:
        data = path.read_bytes()
        started = time.perf_counter()
        result = parse_document(data)
        took = time.perf_counter() - started
        pages = result.record.get("pages") or _pages(data)
        total_pages += pages
        total_time += took
        print(f"{path.name:22} {pages} pages {took:6.1f} s  {result.status}")
    print(f"OCR: {total_pages / total_time:.2f} pages/s ({total_time / total_pages:.1f} s a page)")


def _pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


if __name__ == "__main__":
    main()

"""The demo and test sites: realistic government sites served on loopback, and the sample reports.

``demo/server.py`` serves the sites of ``demo/sites/manifest.json``; ``demo/samples/`` holds the
sample reports in every format with the JSON of their correct parse — the only copy in the
tree: the demo sites serve them and the parser's tests read them. Imports nothing of yingji.
"""

from __future__ import annotations

from pathlib import Path

#: the sample reports (``NAME.txt/.body.html/.docx/.doc/.pdf`` and ``NAME.json``, the answer)
SAMPLES = Path(__file__).resolve().parent / "samples"

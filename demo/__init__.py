"""The demo and test sites: realistic government sites served on loopback, and the sample reports.

``demo/server.py`` serves the sites of ``demo/sites/manifest.json`` (its public API; the parts:
``manifest`` groups of sites, ``sites`` the running set and its counters, ``handler`` HTTP and
ETag/304, ``pages`` page files and includes, ``behaviours/`` one module per CMS quirk,
registered in ``behaviours/__init__.py``). ``demo/samples/`` holds the sample reports in every
format with the JSON of their correct parse — the only copy in the tree: the demo sites serve
them and the parser's tests read them; ``samples/variants/`` derives more years from them
(``demo/variants.py``). Imports nothing of the project.
"""

from __future__ import annotations

from pathlib import Path

#: the sample reports (``NAME.txt/.body.html/.docx/.doc/.pdf`` and ``NAME.json``, the answer)
SAMPLES = Path(__file__).resolve().parent / "samples"

"""Realistic government sites on loopback, for tests and ``yingji demo``: no network needed.

This module is the public face of the demo server; the work is split by concern:

- ``demo/manifest.py``: the manifest of the sites, its site groups, the package roots
- ``demo/sites.py``: :class:`Sites`, the running sites (addresses, seeds, counters, expectations)
- ``demo/handler.py``: the HTTP handler (routing, ETag/304, per-path request and byte counters)
- ``demo/pages.py``: page files and their includes
- ``demo/behaviours/``: one module per server-side quirk of a CMS family (Hanweb dataproxy.jsp,
  gkmlpt's JSON API, downfile.jsp, redirects, a calendar trap, a 60 MB decoy, a WAF …),
  registered in ``demo/behaviours/__init__.py`` under the manifest key that switches it on.

    with serve_sites() as sites:
        sites.seeds_csv(tmp / "seeds.csv")
        sites.url_for("mengjin")          # http://127.0.0.2:41234/
        sites.requests("mengjin", "/robots.txt")
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Iterable

from demo import sites as _sites
from demo.exchange import SiteRuntime
from demo.handler import make_handler
from demo.manifest import DEFAULT_GROUP, SAMPLES_ROOT, SITES_ROOT, all_groups, load_manifest
from demo.pages import render
from demo.sites import Sites

__all__ = [
    "SAMPLES_ROOT",
    "SITES_ROOT",
    "SiteRuntime",
    "Sites",
    "load_manifest",
    "main",
    "make_handler",
    "render",
    "serve_sites",
]


def serve_sites(
    first_host: int = 2, groups: Iterable[str] = (DEFAULT_GROUP,)
) -> contextlib.AbstractContextManager[Sites]:
    """Serve the bundled sites of ``groups`` for the duration of a ``with`` block.

    The samples are read from this module's ``SAMPLES_ROOT`` at call time, so a test that
    edits a copy of the samples points it there (monkeypatch) and the served reports change.
    """
    return _sites.serve_sites(first_host, groups, samples_root=SAMPLES_ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the bundled test sites until Ctrl-C.")
    parser.add_argument("--seeds", help="write a seed CSV for the served sites to this path")
    parser.add_argument(
        "--group",
        action="append",
        choices=all_groups(),
        help="serve this group of sites (repeatable; default: the crawler's tested sites)",
    )
    args = parser.parse_args(argv)
    with serve_sites(groups=args.group or ("default",)) as sites:
        if args.seeds:
            sites.seeds_csv(args.seeds)
        for s in sites.sites.values():
            print(f"{s.key:12} {s.url:28} {s.spec['name']}")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

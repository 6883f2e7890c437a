"""The running sites: start/stop, addresses, a seed list for them, counters and expectations.

Each site gets its own address (127.0.0.2, 127.0.0.3 …; Linux routes all of 127/8 to
loopback) so that hosts differ as they do between real sites and the spider's "stay on the
seed's site" rule is exercised for real.
"""

from __future__ import annotations

import contextlib
import csv
import socket
import threading
from collections.abc import Iterable, Iterator
from http.server import ThreadingHTTPServer
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from demo.exchange import SiteRuntime
from demo.handler import make_handler
from demo.manifest import DEFAULT_GROUP, SAMPLES_ROOT, load_manifest


def _unused_port(host: str) -> int:
    """A port on ``host`` that nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class Sites:
    """The running sites: addresses, a seed list for them, and their counters."""

    def __init__(
        self,
        manifest: dict[str, Any],
        first_host: int = 2,
        samples_root: Traversable = SAMPLES_ROOT,
    ) -> None:
        self.manifest = manifest
        self.sites: dict[str, SiteRuntime] = {}
        for i, spec in enumerate(manifest["sites"]):
            host = f"127.0.0.{first_host + i}"
            self.sites[spec["key"]] = SiteRuntime(spec=spec, host=host, samples=samples_root)
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        urls: dict[str, str] = {}  # filled below, read by handlers at request time
        for site in self.sites.values():
            if site.spec.get("unreachable"):
                site.port = _unused_port(site.host)
                urls[site.key] = site.url
                continue
            server = ThreadingHTTPServer((site.host, 0), make_handler(site, urls))
            server.daemon_threads = True
            site.server = server
            site.port = int(server.server_address[1])
            urls[site.key] = site.url
            t = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},  # shutdown() waits up to one interval per site
                name=f"site-{site.key}",
                daemon=True,
            )
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        for site in self.sites.values():
            if site.server is not None:
                site.server.shutdown()
                site.server.server_close()
        for t in self._threads:
            t.join(timeout=5)

    def _site(self, name: str) -> SiteRuntime:
        for site in self.sites.values():
            if name in (site.key, site.spec["name"]):
                return site
        raise KeyError(name)

    def url_for(self, name: str) -> str:
        """The start URL of a site, by key (``mengjin``) or by name (``孟津区人民政府``)."""
        return self._site(name).url

    def seeds(self) -> list[dict[str, str]]:
        return [
            {"name": s.spec["name"], "region": s.spec["region"], "url": s.url}
            for s in self.sites.values()
            if s.spec.get("seed", True)
        ]

    def seeds_csv(self, path: str | Path, keys: list[str] | None = None) -> Path:
        """Write a seed list ``name,region,url`` of the seed sites (or of ``keys``)."""
        p = Path(path)
        with p.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["name", "region", "url"])
            for site in self.sites.values():
                if (keys is None and site.spec.get("seed", True)) or (keys and site.key in keys):
                    w.writerow([site.spec["name"], site.spec["region"], site.url])
        return p

    def requests(self, name: str, path: str | None = None) -> int:
        site = self._site(name)
        with site.lock:
            return site.counts[path] if path else sum(site.counts.values())

    def bytes_sent(self, name: str, path: str | None = None) -> int:
        site = self._site(name)
        with site.lock:
            return site.bytes_sent[path] if path else sum(site.bytes_sent.values())

    def request_times(self, name: str) -> list[float]:
        """When (``time.monotonic()``) each request to a site was answered: the gaps show
        whether a crawler kept the site's Crawl-delay."""
        site = self._site(name)
        with site.lock:
            return list(site.times)

    def total_bytes(self) -> int:
        return sum(self.bytes_sent(k) for k in self.sites)

    def expected_reports(self) -> list[dict[str, Any]]:
        """Every report the sites hold, with the absolute URL the spider should yield."""
        out = []
        for site in self.sites.values():
            for report in site.spec.get("reports", []):
                out.append(
                    {
                        **report,
                        "site": site.key,
                        "site_url": site.url,
                        "url": site.url.rstrip("/") + report["path"],
                        "attachments": [
                            site.url.rstrip("/") + a for a in report.get("attachments", [])
                        ],
                    }
                )
        return out

    def expected_status(self) -> dict[str, str]:
        """Seed URL -> the site status a crawl should report."""
        return {s.url: s.spec["status"] for s in self.sites.values() if s.spec.get("seed", True)}


@contextlib.contextmanager
def serve_sites(
    first_host: int = 2,
    groups: Iterable[str] = (DEFAULT_GROUP,),
    samples_root: Traversable = SAMPLES_ROOT,
) -> Iterator[Sites]:
    """Serve the bundled sites of ``groups`` (by default the crawler's tested sites), each on
    its own loopback address, for the duration of the block; documents and report bodies come
    from ``samples_root`` (a test may serve an edited copy)."""
    sites = Sites(load_manifest(groups), first_host=first_host, samples_root=samples_root)
    sites.start()
    try:
        yield sites
    finally:
        sites.stop()

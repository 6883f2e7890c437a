"""Where the demo sites and samples live, and the manifest that describes the sites.

Sites belong to groups: ``default`` (no ``group`` key) are the sites today's crawler is tested
against; ``discovery`` are sites whose reports the crawler cannot find yet (the capabilities of
issue 9); ``heldout`` are the same capabilities in shapes the discovery sites do not have,
built afterwards to judge whether the generic path generalises. They share one manifest so
that one list names every site, and are filtered here so that a test or the demo only ever
sees the group it asks for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from importlib.abc import Traversable
from typing import Any

SITES_ROOT: Traversable = resources.files("demo") / "sites"
SAMPLES_ROOT: Traversable = resources.files("demo") / "samples"
DEFAULT_GROUP = "default"


def site_group(spec: dict[str, Any]) -> str:
    return str(spec.get("group", DEFAULT_GROUP))


def load_manifest(groups: Iterable[str] = (DEFAULT_GROUP,)) -> dict[str, Any]:
    """The manifest with only the sites of ``groups`` (by default the crawler's tested sites)."""
    manifest: dict[str, Any] = json.loads((SITES_ROOT / "manifest.json").read_text("utf-8"))
    wanted = set(groups)
    manifest["sites"] = [s for s in manifest["sites"] if site_group(s) in wanted]
    return manifest


def all_groups() -> list[str]:
    """Every group the manifest names, default first."""
    sites = json.loads((SITES_ROOT / "manifest.json").read_text("utf-8"))["sites"]
    found = {site_group(s) for s in sites}
    return sorted(found, key=lambda g: (g != DEFAULT_GROUP, g))

"""The registry of server behaviours, keyed by the manifest key that switches each one on.

This tuple is the ONE place a behaviour is registered: adding a CMS family to the demo means one
module here (a :class:`Behaviour`) and its fixture site under ``demo/sites/``. Order is
precedence: robots.txt is answered even on a blocked site, a blocked site answers nothing else,
faults come before content, and page files (``demo/pages.py``) answer whatever no behaviour did.
"""

from __future__ import annotations

from typing import Any

from demo.behaviours import (
    blocked,
    decoy,
    downfile,
    endless,
    faults,
    files,
    gkmlpt,
    hanweb,
    jsonlist,
    redirects,
    robots,
    search,
    trap,
)
from demo.behaviours.base import Behaviour
from demo.pages import Include

REGISTRY: tuple[Behaviour, ...] = (
    robots.BEHAVIOUR,
    blocked.BEHAVIOUR,
    faults.SLOW,
    faults.FAIL_ONCE,
    redirects.BEHAVIOUR,
    decoy.BEHAVIOUR,
    trap.BEHAVIOUR,
    endless.BEHAVIOUR,
    downfile.BEHAVIOUR,
    hanweb.BEHAVIOUR,
    gkmlpt.BEHAVIOUR,
    jsonlist.BEHAVIOUR,
    search.BEHAVIOUR,
    files.BEHAVIOUR,
)
BY_NAME: dict[str, Behaviour] = {b.name: b for b in REGISTRY}
assert len(BY_NAME) == len(REGISTRY), "behaviour names are unique"


def active(spec: dict[str, Any]) -> tuple[Behaviour, ...]:
    """The behaviours of a site, in precedence order."""
    return tuple(b for b in REGISTRY if b.always or b.name in spec)


def includes(spec: dict[str, Any]) -> tuple[Include, ...]:
    return tuple(i for b in active(spec) for i in b.includes)


__all__ = ["BY_NAME", "REGISTRY", "Behaviour", "active", "includes"]

"""Moved columns: ``redirects`` maps a path to the Location of a 301 (absolute or relative, as
the site's own config has it; relative links on the target must resolve against the target)."""

from __future__ import annotations

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply


def respond(ex: Exchange) -> Reply | None:
    target = ex.spec["redirects"].get(ex.path)
    if not target:
        return None
    return Reply(301, b"", headers={"Location": target}, cacheable=False)


BEHAVIOUR = Behaviour("redirects", respond)

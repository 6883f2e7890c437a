"""robots.txt: every site has one; the manifest's ``robots`` text replaces the permissive default
(``Disallow: /`` for a site that refuses crawlers, ``Crawl-delay``, ``Sitemap:`` lines)."""

from __future__ import annotations

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply

DEFAULT = "User-agent: *\nDisallow:\n"


def respond(ex: Exchange) -> Reply | None:
    if ex.path != "/robots.txt":
        return None
    return Reply(200, str(ex.spec.get("robots", DEFAULT)).encode("utf-8"), "text/plain")


BEHAVIOUR = Behaviour("robots", respond, always=True)

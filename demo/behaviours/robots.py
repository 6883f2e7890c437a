"""robots.txt: every site has one; the manifest's ``robots`` text replaces the permissive default
(``Disallow: /`` for a site that refuses crawlers, ``Crawl-delay``, ``Sitemap:`` lines, whose
absolute URLs name the served address as ``{{site:KEY}}``)."""

from __future__ import annotations

import re

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply

DEFAULT = "User-agent: *\nDisallow:\n"


def respond(ex: Exchange) -> Reply | None:
    if ex.path != "/robots.txt":
        return None
    text = str(ex.spec.get("robots", DEFAULT))
    text = re.sub(r"\{\{site:(\w+)\}\}", lambda m: ex.urls.get(m.group(1), "").rstrip("/"), text)
    return Reply(200, text.encode("utf-8"), "text/plain")


BEHAVIOUR = Behaviour("robots", respond, always=True)

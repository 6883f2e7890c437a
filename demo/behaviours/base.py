"""The shape of a behaviour: a name the manifest uses as a key, and a reply function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from demo.exchange import Exchange, Reply
from demo.pages import Include


@dataclass(frozen=True)
class Behaviour:
    """A server-side quirk of a real site that page files cannot express.

    It applies to a site whose manifest entry has the key ``name`` (its value is the
    behaviour's configuration), or to every site when ``always``. ``respond`` answers the
    request or returns None to let the next behaviour (and finally the page files) answer;
    ``includes`` are page includes the behaviour renders.
    """

    name: str
    respond: Callable[[Exchange], Reply | None]
    always: bool = False
    includes: tuple[Include, ...] = ()

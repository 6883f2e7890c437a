"""Hanweb's ``/module/download/downfile.jsp?filename=<hash>.doc``: the document's real name is
only in Content-Disposition (``downfiles``: hash name -> sample file and real name). Like the
real one it sends neither ETag nor Last-Modified: the document cannot be revalidated itself."""

from __future__ import annotations

from urllib.parse import quote

from demo.behaviours.base import Behaviour
from demo.exchange import NOT_FOUND, Exchange, Reply

PATH = "/module/download/downfile.jsp"


def respond(ex: Exchange) -> Reply | None:
    if ex.path != PATH:
        return None
    filename = ex.params.get("filename", "")
    entry = ex.spec["downfiles"].get(filename)
    if not entry:
        return NOT_FOUND
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(entry['name'])}"
    return Reply(
        200,
        (ex.site.samples / entry["file"]).read_bytes(),
        "application/octet-stream",
        {"Content-Disposition": disposition},
        cacheable=False,
    )


BEHAVIOUR = Behaviour("downfiles", respond)

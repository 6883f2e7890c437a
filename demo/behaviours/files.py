"""Documents at their site URL (``files``: path, or ``path?query`` for download handlers such
as ``/attach/download.do?fileId=…``, -> sample file): served from demo/samples, the one copy of
each sample, with the content type its extension implies."""

from __future__ import annotations

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
}


def respond(ex: Exchange) -> Reply | None:
    files = ex.spec["files"]
    alias = (ex.query and files.get(f"{ex.path}?{ex.query}")) or files.get(ex.path)
    if not alias:
        return None
    ctype = CONTENT_TYPES.get(alias.rsplit(".", 1)[-1], "application/octet-stream")
    return Reply(200, (ex.site.samples / alias).read_bytes(), ctype)


BEHAVIOUR = Behaviour("files", respond)

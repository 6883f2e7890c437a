"""A 60 MB archive (``decoys``: paths; size ``decoy_bytes``) made on the fly: a crawler must
refuse it by its headers or stop reading, and the counters show how much it took."""

from __future__ import annotations

from collections.abc import Iterator

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply

CHUNK = b"\0" * 65536


def respond(ex: Exchange) -> Reply | None:
    if ex.path not in ex.spec["decoys"]:
        return None
    size = int(ex.spec.get("decoy_bytes", 60 * 1024 * 1024))

    def chunks() -> Iterator[bytes]:
        sent = 0
        while sent < size:
            chunk = CHUNK[: size - sent]
            yield chunk
            sent += len(chunk)

    return Reply(
        200,
        content_type="application/octet-stream",
        headers={"Content-Disposition": "attachment; filename=archive.zip"},
        cacheable=False,
        stream=chunks,
        length=size,
    )


BEHAVIOUR = Behaviour("decoys", respond)

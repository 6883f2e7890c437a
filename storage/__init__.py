"""The storage layer: yingji's database and raw-file store.

Imports models/ and migrations/ (and the parser's vocabulary) only; no Scrapy, no Twisted.

- ``config``: where the database and the files store are; ``errors``: UserError
- ``db``: engines, the schema guard (migrations), transient-error retries
- ``files``: the content-addressed raw-file store and original file names
- ``identity``: which agency a name means (divisions, aliases, predecessors)
- ``content``: what makes two records the same content; the cells of tables 二/三/四
- ``reports``, ``documents``, ``runs``: one module per aggregate, written inside a transaction
- ``queries``: read models for ``yingji runs``/``reparse``; ``health``, ``export``: their reports
- ``runtable``: the per-site table of a run (the crawl's end and ``yingji runs``); ``labels``:
  the export's Chinese column labels; ``writable``: the real write a crawl makes before it starts
- ``store``: :class:`Store`, the database opened once, with the callers' operations

``from storage import Store``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.store import Store

__all__ = ["Store"]


def __getattr__(name: str) -> Any:
    # lazy: a parse worker reading the files store need not load SQLAlchemy and Alembic
    if name == "Store":
        from storage.store import Store

        return Store
    raise AttributeError(f"module 'storage' has no attribute {name!r}")

"""Parse stored raw documents again, with no network: the function behind ``yingji reparse``.

Also home of :func:`parse_stored`, the one unit of parsing work that both the crawl's parse
pipeline (in a worker process) and the re-parse command run, so the two can never disagree
about how a stored document becomes a record.
"""

from __future__ import annotations

from typing import Any


def parse_stored(
    root: str, sha256: str, filename: str | None, content_type: str | None
) -> dict[str, Any]:
    """Parse the stored document ``sha256`` under the file store ``root``.

    Returns ``{"result": ParseResult.to_dict()}`` or ``{"error": reason, "code": code}``.
    Module-level and given only plain values, so a process pool can run it: the bytes are read
    in the worker rather than pickled across.
    """
    from yingji.files import FileStore
    from yingji_parser import ParseError, parse_document

    try:
        data = FileStore(root).read(sha256)
    except OSError as exc:
        return {"error": str(exc), "code": "missing_file"}
    try:
        result = parse_document(data, filename=filename, content_type=content_type)
    except ParseError as exc:
        return {"error": str(exc) or exc.code, "code": exc.code}
    except Exception as exc:  # a parser bug must cost one document, never the crawl
        return {"error": f"parser crashed: {type(exc).__name__}: {exc}", "code": "parser_crash"}
    return {"result": result.to_dict()}

"""yingji_parser: one call from a report document's bytes to the record of docs/record.md.

Importable without Scrapy or a database::

    from yingji_parser import parse_document
    result = parse_document(open("report.pdf", "rb").read(), filename="report.pdf")
    result.record["applications"]["new"]["total"]
"""

from yingji_parser.errors import ParseError
from yingji_parser.result import ParseResult, ParseWarning
from yingji_parser.version import PARSER_VERSION

__all__ = ["PARSER_VERSION", "ParseError", "ParseResult", "ParseWarning", "parse_document"]


def parse_document(
    data: bytes, filename: str | None = None, content_type: str | None = None
) -> ParseResult:
    """Parse one document (type detected from the bytes; name and content type are hints only).

    Raises :class:`ParseError` (with a readable reason) for unsupported, encrypted, corrupt or
    oversized input; never anything else for any bytes.
    """
    from yingji_parser.api import parse_document as _parse

    return _parse(data, filename=filename, content_type=content_type)

"""Errors a document can be refused with; each carries a reason meant for a person."""

from __future__ import annotations


class ParseError(Exception):
    """Base class: the document could not be parsed. ``code`` is stable, ``str()`` is readable."""

    code = "parse_error"


class UnsupportedFormat(ParseError):
    code = "unsupported_format"


class EncryptedDocument(ParseError):
    code = "encrypted"


class CorruptDocument(ParseError):
    code = "corrupt"


class TooLarge(ParseError):
    """Over a size or expansion limit (a 60 MB PDF, a DOCX zip bomb): refused, not loaded."""

    code = "too_large"


class ConverterMissing(ParseError):
    """A legacy format needs LibreOffice and it is not installed."""

    code = "converter_missing"


class ConversionFailed(ParseError):
    code = "conversion_failed"


class TimedOut(ParseError):
    """Over a time limit (a conversion LibreOffice did not finish): stopped, not waited for."""

    code = "timed_out"

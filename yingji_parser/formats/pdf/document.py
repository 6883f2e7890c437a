"""A PDF document opened with PDFium's C API (``pypdfium2_raw``), without pypdfium2's helpers.

Importing ``pypdfium2`` (or ``pypdfium2.raw``, a module of that package) loads all its helper
classes and with them logging, traceback, uuid and pypdfium2's settings: a fifth of the start-up
of ``yingji parse``, for a document open, a page count and one metadata value. The bindings
module ``pypdfium2_raw`` is the same ctypes library without them. PDFium must then be set up
here, as pypdfium2 would on import (with the same configuration); a later ``import pypdfium2``
(OCR renders scans with its helpers) sets it up again, which PDFium ignores.

Refusals keep pypdfium2's wording: an unreadable file is "Failed to load document (PDFium: Data
format error)." and so on.
"""

from __future__ import annotations

import ctypes
from codecs import decode

import pypdfium2_raw as pdfium_c


def _init_library() -> None:
    config = pdfium_c.FPDF_LIBRARY_CONFIG(
        version=2, m_pUserFontPaths=None, m_pIsolate=None, m_v8EmbedderSlot=0
    )
    pdfium_c.FPDF_InitLibraryWithConfig(config)


_init_library()

#: PDFium's error codes as pypdfium2 names them in its messages
_ERRORS = {
    pdfium_c.FPDF_ERR_SUCCESS: "Success",
    pdfium_c.FPDF_ERR_UNKNOWN: "Unknown error",
    pdfium_c.FPDF_ERR_FILE: "File access error",
    pdfium_c.FPDF_ERR_FORMAT: "Data format error",
    pdfium_c.FPDF_ERR_PASSWORD: "Incorrect password error",
    pdfium_c.FPDF_ERR_SECURITY: "Unsupported security scheme error",
    pdfium_c.FPDF_ERR_PAGE: "Page not found or content error",
}


class OpenError(Exception):
    """PDFium could not open the document; ``code`` is its ``FPDF_ERR_*``."""

    def __init__(self, code: int) -> None:
        name = _ERRORS.get(code, f"Unhandled constant {code}")
        super().__init__(f"Failed to load document (PDFium: {name}).")
        self.code = code


class PdfDocument:
    """An open document: ``raw`` is its FPDF_DOCUMENT handle, valid until :meth:`close`."""

    def __init__(self, data: bytes) -> None:
        self._data = data  # PDFium reads from the buffer for as long as the document is open
        self.raw = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
        if pdfium_c.FPDF_GetPageCount(self.raw) < 1:
            code = pdfium_c.FPDF_GetLastError()
            self.close()
            raise OpenError(code)

    def __len__(self) -> int:
        return int(pdfium_c.FPDF_GetPageCount(self.raw))

    def metadata_value(self, key: str) -> str:
        """A value of the document information ("" if absent), as pypdfium2 reads it."""
        name = (key + "\x00").encode("utf-8")
        size = pdfium_c.FPDF_GetMetaText(self.raw, name, None, 0)
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDF_GetMetaText(self.raw, name, buffer, size)
        return decode(memoryview(buffer)[: size - 2], "utf-16-le")

    def close(self) -> None:
        if self.raw:
            pdfium_c.FPDF_CloseDocument(self.raw)
        self.raw = None

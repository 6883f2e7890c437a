"""Document type from the bytes, never from the extension.

Government sites serve ``.doc`` files that are DOCX, HTML pages saved as ``.doc``, PDFs as
``application/octet-stream`` and everything as ``download.jsp``. The name and the content type
are therefore only tie-breakers (a Word 97 file named ``.wps`` is labelled ``wps``); the
decision is made from magic numbers and, for containers, from what they contain: the parts of a
ZIP (OOXML) and the stream names of an OLE2 compound file (Word 97, Excel 97, encrypted OOXML).
Anything that is not a report document gets a refusal that says what it is instead.
"""

from __future__ import annotations

import io
import posixpath
import re
from functools import cache
from typing import TYPE_CHECKING

from yingji_parser.errors import CorruptDocument, EncryptedDocument, UnsupportedFormat
from yingji_parser.grid import DocType
from yingji_parser.limits import check_size

if TYPE_CHECKING:  # lxml, olefile and zipfile are imported where a ZIP or OLE2 file needs
    import zipfile  # them: a PDF or a page never does, and `yingji parse` starts faster

    import olefile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
IMAGE_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # PNG, JPEG
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

# Leading bytes of formats that are certainly not reports, with what to call them.
_NOT_DOCUMENTS: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"ID3", "an MP3 audio file"),
    (b"FWS", "a Flash file"),
    (b"CWS", "a Flash file"),
)

_OOXML_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
)


def sniff(data: bytes, filename: str | None = None, content_type: str | None = None) -> DocType:
    """Return the document type of ``data``; raise a :class:`ParseError` with a reason if none.

    Input over :data:`yingji_parser.limits.MAX_DOCUMENT_BYTES` is refused here with
    :class:`TooLarge`, since every parse starts by sniffing.
    ``filename`` and ``content_type`` never override what the bytes say; they only label a
    Word-97-compatible OLE file as ``wps`` when it was published as ``.wps``.
    """
    if not data:
        raise UnsupportedFormat("the file is empty (0 bytes)")
    check_size(data)  # first, so an oversized file is refused before anything opens it
    head = data[:1024]
    if b"%PDF-" in head:  # also after junk some servers prepend (BOM, whitespace, HTTP header)
        return "pdf"
    if data.startswith(ZIP_MAGICS):
        return _sniff_zip(data)
    if data.startswith(OLE_MAGIC):
        return _sniff_ole(data, filename)
    if data.startswith(IMAGE_MAGICS):
        return "image"  # a scanned or photographed page: read by OCR (yingji_parser.ocr)
    for magic, what in _NOT_DOCUMENTS:
        if data.startswith(magic):
            raise UnsupportedFormat(f"{what}, not a report document")
    if data[:12].startswith(b"RIFF") and data[8:12] == b"WEBP":
        raise UnsupportedFormat("a WebP image, not a report document")
    markup = _markup_head(data[:65536])
    if markup is not None:
        if markup.startswith("{\\rtf"):
            return "doc"  # RTF (often served as .doc): LibreOffice reads it like Word 97
        if _looks_like_word_xml(markup):
            return "doc"  # Word 2003 XML / flat OpenDocument: also through LibreOffice
        if _looks_like_html(markup):
            return "html"  # includes Word "Save as web page" files named .doc and MHT archives
        text = _decode_head(data[:65536])
        if text is not None and _looks_like_text(text):
            return "text"
    raise UnsupportedFormat(
        "not a document type yingji can read (neither PDF, Word, WPS, Excel, HTML nor text)"
    )


def is_mht(data: bytes) -> bool:
    """A MIME "single file web page" (.mht, and Word's "save as web archive" named .doc)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf\r\n\t ").lower()
    return head.startswith(b"mime-version:") or (
        b"content-type: multipart/related" in head and head.startswith(b"content-")
    )


def mht_html(data: bytes) -> tuple[bytes, str | None] | None:
    """The HTML part of an MHT archive, decoded from its transfer encoding, with its charset.

    Sniffing labels MHT as ``html``; the HTML reader calls this to unwrap it (None when the
    bytes are not MHT or hold no HTML part). The standard library's MIME parser does the work.
    """
    if not is_mht(data):
        return None
    import email
    import email.policy

    try:
        msg = email.message_from_bytes(
            data.lstrip(b"\xef\xbb\xbf\r\n\t "), policy=email.policy.compat32
        )
        for part in msg.walk():
            if part.get_content_type() == "text/html":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes) and payload:
                    return payload, part.get_content_charset()
    except Exception:  # a malformed MIME header: not something we can unwrap
        return None
    return None


def _sniff_zip(data: bytes) -> DocType:
    """OOXML is a ZIP: its parts (or the package relationships) say which application."""
    import zipfile  # here: a PDF batch never needs it (nor shutil, bz2, lzma behind it)

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise CorruptDocument(f"a damaged or truncated ZIP file ({exc})") from exc
    except (NotImplementedError, RuntimeError) as exc:
        raise CorruptDocument(f"an unreadable ZIP file ({exc})") from exc
    main = _ooxml_main_part(zf, names)
    top = main.split("/", 1)[0] if main else ""
    if top == "word" or "word/document.xml" in names:
        return "docx"  # also Kingsoft .wps saved in OOXML form
    if top == "xl" or "xl/workbook.xml" in names:
        return "xlsx"
    if top == "ppt" or "ppt/presentation.xml" in names:
        raise UnsupportedFormat("a PowerPoint presentation, not a report document")
    if "mimetype" in names:
        mime = _zip_small_member(zf, "mimetype")
        if mime.startswith(b"application/vnd.oasis.opendocument.text"):
            return "doc"  # ODT: LibreOffice converts it to DOCX like Word 97
        if mime.startswith(b"application/vnd.oasis.opendocument"):
            raise UnsupportedFormat(
                f"an OpenDocument file ({mime.decode('ascii', 'replace')}), not a text document"
            )
    if any(n.endswith(".xml") for n in names) and "[Content_Types].xml" in names:
        raise UnsupportedFormat("an Office Open XML package that is neither Word nor Excel")
    raise UnsupportedFormat("a ZIP archive that holds no Word or Excel document")


def _zip_small_member(zf: zipfile.ZipFile, name: str, limit: int = 4096) -> bytes:
    try:
        with zf.open(name) as fh:
            return fh.read(limit)
    except Exception:  # a damaged member only means we cannot use it as a hint
        return b""


def _ooxml_main_part(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    """The officeDocument target of ``_rels/.rels`` (e.g. ``word/document2.xml``), if any."""
    if "_rels/.rels" not in names:
        return None
    from lxml import etree

    raw = _zip_small_member(zf, "_rels/.rels", 256 * 1024)
    try:
        root = etree.fromstring(raw, parser=_safe_xml())
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    for rel in root:
        if rel.get("Type") in _OOXML_OFFICE_DOCUMENT:
            target = rel.get("Target") or ""
            return posixpath.normpath(target.lstrip("/"))
    return None


@cache
def _safe_xml() -> object:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


def _sniff_ole(data: bytes, filename: str | None) -> DocType:
    """OLE2 compound file: its stream names tell Word, Excel, encrypted OOXML apart."""
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:  # olefile raises OSError and assorted errors on damaged headers
        raise CorruptDocument(f"a damaged OLE2 (Office 97) file ({exc})") from exc
    try:
        try:
            streams = {"/".join(p).lower() for p in ole.listdir(streams=True, storages=True)}
        except Exception as exc:
            raise CorruptDocument(f"a damaged OLE2 (Office 97) file directory ({exc})") from exc
        if "encryptedpackage" in streams or "encryptioninfo" in streams:
            raise EncryptedDocument(
                "a password-protected (encrypted) Office document; "
                "it cannot be read without the password"
            )
        if "worddocument" in streams:
            if _word97_encrypted(ole):
                raise EncryptedDocument("a password-protected Word 97 document")
            is_wps = (filename or "").lower().endswith(".wps") or any(
                "kingsoft" in s or s.startswith("wps") for s in streams
            )
            return "wps" if is_wps else "doc"
        if "workbook" in streams or "book" in streams:
            return "xls"
        if "contents" in streams and ("matost" in streams or "spelling" in streams):
            return "wps"  # Microsoft Works word processor: LibreOffice reads it
        if "powerpoint document" in streams:
            raise UnsupportedFormat("a PowerPoint 97 presentation, not a report document")
        if "visiodocument" in streams:
            raise UnsupportedFormat("a Visio drawing, not a report document")
        raise UnsupportedFormat(
            "an OLE2 compound file that is neither a Word nor an Excel document"
        )
    finally:
        ole.close()


def _word97_encrypted(ole: olefile.OleFileIO) -> bool:
    """fEncrypted bit of the Word 97 FIB (offset 0x0B, bit 0x01 of the flags word)."""
    try:
        with ole.openstream("WordDocument") as fh:
            fib = fh.read(12)
    except Exception:
        return False
    return len(fib) >= 12 and fib[:2] == b"\xec\xa5" and bool(fib[11] & 0x01)


def _markup_head(chunk: bytes) -> str | None:
    """Lower-cased start of the file for ASCII markers (tags, RTF), whatever its encoding.

    Decoded as Latin-1 so that a page with a few broken GBK bytes is still seen as HTML; None
    for binary data (NUL bytes in an 8-bit file).
    """
    if chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
        return chunk[: len(chunk) - len(chunk) % 2].decode("utf-16", "replace").lstrip().lower()
    if chunk.startswith(b"\xef\xbb\xbf"):
        chunk = chunk[3:]
    if b"\x00" in chunk[:4096]:
        return None
    return chunk.decode("latin-1").lstrip().lower()


def _decode_head(chunk: bytes) -> str | None:
    """Decode a prefix as UTF-16 (with BOM), UTF-8 or GB18030, whichever reads best.

    A multi-byte character cut at the end of the prefix does not count against it; a few
    undecodable bytes (mixed encodings are common) become U+FFFD and are judged by
    :func:`_looks_like_text`.
    """
    if chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
        return chunk[: len(chunk) - len(chunk) % 2].decode("utf-16", "replace")
    if chunk.startswith(b"\xef\xbb\xbf"):
        chunk = chunk[3:]
    for enc in ("utf-8", "gb18030"):
        try:
            return chunk.decode(enc)
        except UnicodeDecodeError as exc:
            incomplete = exc.reason.startswith(("unexpected end", "incomplete"))
            if incomplete and exc.start >= len(chunk) - 4:
                try:
                    return chunk[: exc.start].decode(enc)
                except UnicodeDecodeError:
                    pass
    candidates = [chunk.decode(enc, "replace") for enc in ("utf-8", "gb18030")]
    return min(candidates, key=lambda t: t.count("\ufffd"))


def _looks_like_word_xml(low: str) -> bool:
    if not low.startswith("<?xml"):
        return False
    head = low[:4096]
    return (
        'progid="word.document"' in head
        or "<w:worddocument" in head
        or "<pkg:package" in head
        or ("<office:document" in head and "opendocument.text" in head)
    )


_HTML_MARKERS = (
    "<!doctype html",
    "<html",
    "<head",
    "<body",
    "<meta ",
    "<title",
    "<table",
    "<div",
    "<p>",
    "<p ",
    "<span",
    "<br",
    "<ucapcontent",
    "<font",
    "<style",
    "<script",
)


def _looks_like_html(low: str) -> bool:
    if low.startswith("mime-version:") or (
        low.startswith("content-") and "content-type: multipart/related" in low[:4096]
    ):
        return "text/html" in low[:65536]  # MHT ("single file web page"): see mht_html()
    if low.startswith("<!--") or low.startswith("<?xml") or low.startswith("<"):
        return any(m in low[:65536] for m in _HTML_MARKERS)
    # an HTML fragment after some leading text (a CMS returning a bare article body): several
    # closing block tags, not just a mention of a tag in prose
    return len(_CLOSING_TAGS.findall(low[:65536])) >= 3


_CLOSING_TAGS = re.compile(r"</(?:p|td|tr|th|div|table|span|li|h[1-6])\s*>")


def _looks_like_text(text: str) -> bool:
    """Text if almost no control characters: random bytes that happen to decode fail this."""
    if not text.strip():
        return False
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\x7f")
    bad += sample.count("\ufffd")
    return bad <= max(1, len(sample) // 200)

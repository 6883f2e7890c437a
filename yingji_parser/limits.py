"""Bounds on what one document may cost, checked before any parsing work is done.

Crawled documents come from thousands of sites and some are broken or hostile: a 60 MB scan
posted as "the report", a DOCX that inflates to gigabytes. Every reader therefore goes through
these checks first, so that memory and time per document stay bounded and a refused document
gets a reason a person can act on (the size, the limit) instead of an exhausted worker.

- :func:`check_size` refuses raw input over :data:`MAX_DOCUMENT_BYTES` (the API calls it
  before sniffing, so an oversized PDF is never opened).
- :func:`safe_zip` opens an OOXML container after checking its central directory (entry count,
  declared uncompressed sizes, compression ratios) *before* anything is inflated.
- :func:`read_member` reads one member with a hard cap on the bytes produced.
- :func:`check_markup` bounds the elements of a part the DOCX reader parses;
  :func:`check_workbook` streams an XLSX's parts before openpyxl loads them (entities, cells);
  :func:`check_before_conversion` does the same for what LibreOffice is given (ODT bombs,
  entities, element counts of ODT, FODT and Word 2003 XML) — see :mod:`yingji_parser.xmlsafe`.
"""

from __future__ import annotations

import io
import zlib
from typing import TYPE_CHECKING

from yingji_parser.errors import CorruptDocument, TooLarge
from yingji_parser.xmlsafe import MAX_SHEET_CELLS, MAX_XML_ELEMENTS, XmlShape, scan_xml

if TYPE_CHECKING:  # imported by the functions that open a ZIP: a PDF batch never needs zipfile
    import zipfile

MB = 1024 * 1024

#: Largest input accepted, in bytes. Real reports are well under 10 MB; 50 MB leaves room for
#: PDFs with embedded fonts and images while refusing whole scanned archives.
MAX_DOCUMENT_BYTES = 50 * MB
#: Sum of the declared uncompressed sizes of all members of an OOXML container.
MAX_UNZIPPED_TOTAL = 256 * MB
#: Largest single member a reader will inflate (word/document.xml, a worksheet).
MAX_MEMBER_BYTES = 128 * MB
#: More members than this is not an office document but an archive (or an attack).
MAX_ZIP_ENTRIES = 10_000
#: Compression ratio above which a *large* member is taken for a bomb. Real XML parts compress
#: 3-40x; a run of zeros deflates about 1000x.
MAX_RATIO = 300
#: Members smaller than this are never judged by ratio (tiny files can compress absurdly well).
RATIO_MIN_SIZE = 8 * MB


def _human(n: int) -> str:
    """Size for a message: '60.0 MB', '512 bytes'."""
    if n >= MB:
        return f"{n / MB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def check_size(data: bytes, limit: int = MAX_DOCUMENT_BYTES) -> None:
    """Refuse input over ``limit`` bytes before anything looks inside it."""
    if len(data) > limit:
        raise TooLarge(
            f"the document is {_human(len(data))}, over the {_human(limit)} limit; "
            "it was refused without being parsed"
        )


def safe_zip(
    data: bytes,
    *,
    max_total: int = MAX_UNZIPPED_TOTAL,
    max_entries: int = MAX_ZIP_ENTRIES,
    max_ratio: int = MAX_RATIO,
    ratio_min_size: int = RATIO_MIN_SIZE,
) -> zipfile.ZipFile:
    """Open a ZIP (DOCX/XLSX) whose central directory promises bounded expansion.

    Only the central directory is read here; nothing is decompressed. Python's zipfile never
    yields more than a member's declared size, so the declared sizes checked here are a real
    bound on what the readers can inflate later.
    """
    import zipfile

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise CorruptDocument(f"a damaged or truncated ZIP container ({exc})") from exc
    except (NotImplementedError, RuntimeError) as exc:  # odd ZIP features, or reading past EOF
        raise CorruptDocument(f"an unreadable ZIP container ({exc})") from exc
    if len(infos) > max_entries:
        raise TooLarge(
            f"the ZIP container has {len(infos)} entries, over the limit of {max_entries}"
        )
    total = sum(i.file_size for i in infos)
    if total > max_total:
        raise TooLarge(
            f"the ZIP container would expand to {_human(total)}, over the {_human(max_total)} "
            "limit (a zip bomb?); refused before extraction"
        )
    for info in infos:
        if info.file_size >= ratio_min_size and info.file_size > max_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise TooLarge(
                f"ZIP member {info.filename!r} expands {ratio}x "
                f"to {_human(info.file_size)} (a zip bomb?); refused before extraction"
            )
    return zf


def read_member(zf: zipfile.ZipFile, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
    """Read one member, refusing it if it would produce more than ``limit`` bytes.

    Raises KeyError when the member is absent (callers decide whether that is corruption).
    """
    import zipfile

    info = zf.getinfo(name)
    if info.file_size > limit:
        raise TooLarge(
            f"ZIP member {name!r} is {_human(info.file_size)}, over the {_human(limit)} limit"
        )
    try:
        with zf.open(info) as fh:
            out = fh.read(limit + 1)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
    ) as exc:
        raise CorruptDocument(f"ZIP member {name!r} is damaged ({exc})") from exc
    except (NotImplementedError, RuntimeError) as exc:  # encrypted member, unknown compression
        raise CorruptDocument(f"ZIP member {name!r} cannot be read ({exc})") from exc
    if len(out) > limit:  # pragma: no cover - zipfile stops at the declared size
        raise TooLarge(f"ZIP member {name!r} is over the {_human(limit)} limit")
    return out


# --------------------------------------------------------------------- before a reader or converter

#: Unzipped size of an ODT LibreOffice is given (a 1 GB ODT bomb named .doc cost it 3.2 GB).
MAX_CONVERTED_UNZIPPED = 64 * MB
#: A flat XML document (FODT, Word 2003 XML) LibreOffice is given: 40 MB took 60 s and 2 GB.
MAX_FLAT_XML_BYTES = 16 * MB
#: XML elements in all parts of a document LibreOffice converts (a report has ~20,000).
MAX_CONVERTED_ELEMENTS = 300_000
#: Tags (``<``) in one part the DOCX reader parses: a 50-page report has ~100,000.
MAX_XML_TAGS = 2_000_000
#: Cells in all worksheets of a workbook (each sheet is also capped by xmlsafe.MAX_SHEET_CELLS).
MAX_WORKBOOK_CELLS = 500_000


def _xml_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [i for i in zf.infolist() if i.filename.lower().endswith((".xml", ".rels"))]


def _scan_member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    *,
    max_elements: int = MAX_XML_ELEMENTS,
    max_cells: int | None = None,
    counted: int = 0,
    what: str = "part",
) -> XmlShape:
    """Stream one member through :func:`xmlsafe.scan_xml` (never more than its declared size).

    ``what="document"`` names the whole document in messages (its element cap is the whole's).
    """
    import zipfile

    name = f"the part {info.filename!r}"
    if what == "document":
        name = f"the document (at its part {info.filename!r})"
    try:
        with zf.open(info) as fh:
            return scan_xml(
                fh, name, max_elements=max_elements, max_cells=max_cells, counted=counted
            )
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise CorruptDocument(f"ZIP member {info.filename!r} is damaged ({exc})") from exc
    except (NotImplementedError, RuntimeError) as exc:
        raise CorruptDocument(f"ZIP member {info.filename!r} cannot be read ({exc})") from exc


def check_markup(xml: bytes, what: str, max_tags: int = MAX_XML_TAGS) -> bytes:
    """Refuse XML with more than ``max_tags`` tags before lxml builds its tree.

    For parsers that already ignore entities (the DOCX reader): counting ``<`` (start, end and
    empty-element tags) is an upper bound of the elements at memory speed, so a 128 MB part of
    empty elements (gigabytes as an lxml tree) is refused in milliseconds.
    Returns ``xml`` so that the call wraps the read.
    """
    tags = xml.count(b"<")
    if tags > max_tags:
        raise TooLarge(f"{what} has {tags:,} XML tags, over the limit of {max_tags:,}; refused")
    return xml


def check_workbook(zf: zipfile.ZipFile) -> zipfile.ZipFile:
    """Refuse an XLSX before openpyxl loads it: entities in any part, oversized sheets.

    openpyxl's normal mode builds every cell in memory, so the cells are counted (or taken from
    each sheet's ``<dimension>``) while streaming, and the whole workbook is capped too.
    Returns ``zf`` so that the call wraps :func:`safe_zip`.
    """
    cells = 0
    for info in _xml_members(zf):
        sheet = info.filename.startswith("xl/worksheets/")
        shape = _scan_member(zf, info, max_cells=MAX_SHEET_CELLS if sheet else None)
        cells += shape.cells
        if cells > MAX_WORKBOOK_CELLS:
            raise TooLarge(
                f"the workbook has over {MAX_WORKBOOK_CELLS:,} cells; refused before loading"
            )
    return zf


def _drain(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate a member to nowhere: a size that lies (more data than declared) fails its CRC.

    zipfile stops at the declared size, LibreOffice may not; so every member of what it is
    given is checked to hold what the central directory says (bounded by the declared total).
    """
    import zipfile

    try:
        with zf.open(info) as fh:
            while fh.read(1 << 20):
                pass
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise CorruptDocument(f"ZIP member {info.filename!r} is damaged ({exc})") from exc
    except (NotImplementedError, RuntimeError) as exc:
        raise CorruptDocument(f"ZIP member {info.filename!r} cannot be read ({exc})") from exc


def _flat_xml(data: bytes) -> bool:
    return data[:64].lstrip(b"\xef\xbb\xbf\xff\xfe\r\n\t ").startswith((b"<", b"\0<", b"<\0"))


def check_before_conversion(data: bytes) -> None:
    """Refuse what LibreOffice must not be given: ODT bombs, entities, oversized XML.

    An ODT (also one named ``.doc``) is checked like an OOXML container — declared sizes,
    entries, ratios — and its XML parts are streamed; flat XML (FODT, Word 2003 XML) is capped
    in size and streamed. Binary Word 97/WPS and RTF have no XML to check.
    """
    if data.startswith(b"PK"):
        zf = safe_zip(data, max_total=MAX_CONVERTED_UNZIPPED)
        counted = 0
        xml_parts = _xml_members(zf)
        for info in xml_parts:
            shape = _scan_member(
                zf, info, max_elements=MAX_CONVERTED_ELEMENTS, counted=counted, what="document"
            )
            counted += shape.elements
        for info in set(zf.infolist()) - set(xml_parts):
            _drain(zf, info)
        return
    if _flat_xml(data):
        if len(data) > MAX_FLAT_XML_BYTES:
            raise TooLarge(
                f"the XML document is {_human(len(data))}, over the {_human(MAX_FLAT_XML_BYTES)} "
                "limit for conversion; refused"
            )
        scan_xml(data, "the XML document", max_elements=MAX_CONVERTED_ELEMENTS)

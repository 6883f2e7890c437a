"""RTF's structure, checked before LibreOffice is given the file.

RTF has no container to measure: a "huge RTF" (millions of paragraphs or table cells, groups
nested thousands deep) took LibreOffice 60 s and up to 3 GB before anything could stop it. So
one pass over the control words, at memory speed, bounds what the import will build — size,
nesting depth, paragraphs/cells/rows (the same element cap as converted XML) — and checks that
the file is RTF at all: it starts with ``{\\rtf``, control words are at most 32 letters with
parameters of at most 10 digits (the specification's limits), and no group closes before it
opened. Binary data (``\\binN``) is skipped, not scanned. A refusal names the limit it hit.
"""

from __future__ import annotations

import re

from yingji_parser.errors import CorruptDocument, TooLarge

MB = 1024 * 1024

#: Largest RTF converted. Reports are under 2 MB of text; pictures (hex, twice their size)
#: can make a real one 10-20 MB.
MAX_RTF_BYTES = 24 * MB
#: Group nesting: Word writes 10-30 levels; thousands are an attack on the importer's stack.
MAX_RTF_DEPTH = 256
#: Paragraphs, table cells and rows together (the element cap of converted XML documents).
MAX_RTF_ELEMENTS = 300_000
#: The specification's bounds on one control word (letters) and its numeric parameter (digits).
MAX_WORD_LETTERS = 32
MAX_PARAM_DIGITS = 10

_TOKEN = re.compile(rb"[{}]|\\(?:([A-Za-z]+)(-?[0-9]*)|.)", re.DOTALL)
_ELEMENTS = frozenset({b"par", b"cell", b"row", b"line", b"page", b"sect", b"nestcell"})


def is_rtf(data: bytes) -> bool:
    return data[:64].lstrip().startswith(b"{\\rtf")


def check_rtf(data: bytes) -> None:
    """Refuse an RTF over the bounds above (:class:`TooLarge`) or not RTF-shaped
    (:class:`CorruptDocument`), before it is converted."""
    if len(data) > MAX_RTF_BYTES:
        raise TooLarge(
            f"the RTF document is {len(data) / MB:.1f} MB, over the {MAX_RTF_BYTES // MB} MB "
            "limit for conversion; refused"
        )
    start = len(data) - len(data.lstrip())
    if not data.startswith(b"{\\rtf", start):
        raise CorruptDocument("the document does not start like RTF ({\\rtf); refused")
    depth = elements = 0
    pos = start
    search = _TOKEN.search
    while (token := search(data, pos)) is not None:
        pos = token.end()
        char = data[token.start()]
        if char == 0x7B:  # {
            depth += 1
            if depth > MAX_RTF_DEPTH:
                raise TooLarge(f"the RTF document nests groups over {MAX_RTF_DEPTH} deep; refused")
        elif char == 0x7D:  # }
            depth -= 1
            if depth < 0:
                raise CorruptDocument(
                    "the RTF document closes a group it never opened (its braces do not "
                    "balance); refused"
                )
        elif (word := token.group(1)) is not None:
            param = token.group(2)
            if len(word) > MAX_WORD_LETTERS or len(param.lstrip(b"-")) > MAX_PARAM_DIGITS:
                shown = (word[:20] + b"...").decode("ascii")
                raise CorruptDocument(
                    f"the RTF document has a malformed control word (\\{shown}); refused"
                )
            if word == b"bin" and param:  # raw bytes follow: skip them, braces and all
                pos += max(0, int(param)) + (data[pos : pos + 1] == b" ")
            elif word in _ELEMENTS:
                elements += 1
                if elements > MAX_RTF_ELEMENTS:
                    raise TooLarge(
                        f"the RTF document has over {MAX_RTF_ELEMENTS:,} paragraphs and table "
                        "cells; refused before conversion"
                    )

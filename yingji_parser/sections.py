"""Free text of sections 一 (总体情况), 五 (存在的主要问题及改进情况) and 六 (其他需要报告的事项).

The text between a section heading and the next one, paragraphs joined by newlines, tables
left out (they are the numbers of 二/三/四). The signature that closes a report (the agency's
name and a date) is not part of section 六 and is dropped.
"""

from __future__ import annotations

import re

from yingji_parser.grid import Document, Paragraph, Table
from yingji_parser.mapping.rows import heading_section
from yingji_parser.vocabulary import TEXT_SECTIONS

SECTION_KEYS = TEXT_SECTIONS
_DATE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?$")
_SIGNATURE = re.compile(r"(局|委员会|委|办公室|政府|中心|管理处)$")


_TRAILING = re.compile(r"([一二三四五六][、.．][^。，,;；]{2,30})$")


def _trailing_heading(text: str) -> str | None:
    """A heading run onto the end of the line before it ("…年度报告一、总体情况")."""
    m = _TRAILING.search(text.strip())
    return heading_section(m.group(1)) if m and m.start() > 0 else None


def _is_signature(text: str) -> bool:
    t = text.strip()
    return bool(_DATE.match(t)) or (len(t) <= 25 and bool(_SIGNATURE.search(t)))


def free_text(doc: Document) -> dict[str, str | None]:
    """{"overview", "problems", "other"}: the sections' text, None where a section is absent."""
    parts: dict[str, list[str]] = {k: [] for k in SECTION_KEYS.values()}
    seen: set[str] = set()
    current: str | None = None
    for block in doc.blocks:
        if isinstance(block, Table):
            continue
        if not isinstance(block, Paragraph):
            continue
        h = heading_section(block.text) or _trailing_heading(block.text)
        if h:
            current = SECTION_KEYS.get(h)
            if current:
                seen.add(current)
            continue
        if current:
            parts[current].append(block.text.strip().lstrip("#").strip())
    other = parts["other"]
    while other and _is_signature(other[-1]):
        other.pop()
    return {k: ("\n".join(p for p in v if p) if k in seen else None) for k, v in parts.items()}


def all_text(doc: Document) -> str:
    """Every paragraph and table cell in reading order: what an unstructured report keeps."""
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [c.text.replace("\n", "") for c in row if not c.merged]
                if any(cells):
                    lines.append("\t".join(cells))
    return "\n".join(lines)

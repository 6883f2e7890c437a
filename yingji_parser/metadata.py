"""Report metadata: title, agency, reporting year and national format (template).

The title is looked for where reports put it — the first short lines of the body (possibly over
two lines, possibly with spaces inside "2023 年") — and only then in the hints a reader found
(HTML ``<title>``/``ArticleTitle``, PDF Title metadata), because hints are often the site's or
a generic "政府信息公开工作年度报告". Agency and year come from the title; the year is the
*reporting* year ("统计期限自2023年1月1日" when the title has none), never the publication date.
The template is decided by labels only one of the two formats has, the year breaking ties.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from yingji_parser.grid import Document, Paragraph
from yingji_parser.labels import cn_digits, core, squash
from yingji_parser.mapping import catalogue as cat
from yingji_parser.mapping.rows import heading_section
from yingji_parser.result import ParseWarning
from yingji_parser.warnings import warn

_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_YEAR = r"((?:19|20)\d{2}|[〇零○一二][〇零○一二三四五六七八九]{3})"
TITLE_RE = re.compile(_YEAR + r"年度?.{0,20}?(?:政府信息公开|政务公开|信息公开).{0,12}?报告")
# "XX局政府信息公开工作年度报告（2023年度）": the year after the report word, in brackets
TITLE_TAIL_RE = re.compile(
    r"(?:政府信息公开|政务公开|信息公开).{0,12}?报告[(（]" + _YEAR + r"年?度?[)）]"
)
_STAT_PERIOD = re.compile(r"((?:19|20)\d{2})年1月1日(?:起)?(?:至|到|-|—|～|~)")
_MAX_TITLE = 80
_ORGANISATION = re.compile(r"(局|委员会|委|办公室|办|人民政府|中心|院|署|厅)$")
_PLACE = re.compile(r"[省市区县旗州盟镇乡]")


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    warnings: list[ParseWarning] = field(default_factory=list)


def _clean_title(text: str) -> str:
    """Spaces removed; anything after the report word (a site's suffix) cut, except the
    bracketed year some titles end with."""
    text = _SPACES.sub("", text).lstrip("#*")
    end = text.rfind("报告")
    if end < 0:
        return text
    bracket = re.match(r"[(（][^()（）]{4,8}[)）]", text[end + 2 :])
    return text[: end + 2 + (bracket.end() if bracket else 0)]


def _is_title(text: str) -> bool:
    flat = unicodedata.normalize("NFKC", text)
    if len(flat) > _MAX_TITLE or any(p in flat for p in ",;。"):  # a sentence, not a title
        return False
    return TITLE_RE.search(flat) is not None or TITLE_TAIL_RE.search(flat) is not None


_ENDS_AS_TITLE = re.compile(r"报告(?:[(（][^()（）]{4,8}[)）])?$")
_NEXT_HEADING = re.compile(r"^[一二三四五六][、.．]")


def _title_at_start(line: str) -> str | None:
    """A title run together with the heading after it ("…年度报告一、总体情况")."""
    end = line.find("报告")
    if end < 0:
        return None
    head, rest = line[: end + 2], line[end + 2 :]
    if rest and not _NEXT_HEADING.match(rest):
        return None
    return _clean_title(head) if _is_title(head) else None


def _with_agency_above(lines: list[str], i: int, title: str) -> str:
    """ "2023年…报告" under a line naming the agency: the title was broken after the agency."""
    if i > 0 and split_title(title)[0] is None:
        above = _clean_title(lines[i - 1] + title)
        if _is_title(above) and split_title(above)[0]:
            return above
    return title


def title_from_lines(lines: list[str]) -> str | None:
    """The title among the first lines: one line, or two/three lines that only read as one."""
    lines = [_SPACES.sub("", ln).lstrip("#*") for ln in lines if ln.strip()]
    for i, line in enumerate(lines):
        found = _title_at_start(line)
        if found:
            return _with_agency_above(lines, i, found)
    for n in (1, 2, 3):
        for i in range(len(lines) - n + 1):
            joined = "".join(lines[i : i + n])
            if any(len(part) > _MAX_TITLE for part in lines[i : i + n]):
                continue
            if _is_title(joined) and _ENDS_AS_TITLE.search(joined.rstrip("。")):
                return _with_agency_above(lines, i, _clean_title(joined))
    return None


def _leading_lines(doc: Document, limit: int = 8) -> list[str]:
    """Paragraphs before the first section heading (where a title can be)."""
    out: list[str] = []
    for block in doc.blocks:
        if not isinstance(block, Paragraph):
            break
        if heading_section(block.text):
            break
        out.append(block.text)
        if len(out) >= limit:
            break
    return out


def find_title(doc: Document) -> tuple[str | None, bool]:
    """(title, came_from_hint)."""
    title = title_from_lines(_leading_lines(doc))
    if title:
        return title, False
    for hint in doc.title_hints:
        cleaned = _clean_title(hint)
        if _is_title(cleaned) and split_title(cleaned)[0]:
            return cleaned, True
    for hint in doc.title_hints:
        cleaned = _clean_title(hint)
        if _is_title(cleaned):
            return cleaned, True
    return None, False


def split_title(title: str) -> tuple[str | None, int | None]:
    """(agency, year) as the title states them."""
    flat = unicodedata.normalize("NFKC", title)
    m = TITLE_RE.search(flat)
    if not m:
        tail = TITLE_TAIL_RE.search(flat)
        if not tail:
            return None, None
        agency = re.sub(r"(关于|的)$", "", flat[: tail.start()]).strip("-—_:：") or None
        return agency, int(cn_digits(tail.group(1)))
    year = int(cn_digits(m.group(1)))
    agency = flat[: m.start()]
    agency = re.sub(r"^[【\[(（].*?[】\])）]", "", agency)
    agency = re.sub(r"(关于|的)$", "", agency).strip("-—_:：")
    if not agency:  # "2023年XX局政府信息公开工作年度报告"
        middle = re.match(r"年度?(.*?)(?:政府信息公开|政务公开|信息公开)", flat[m.start() + 4 :])
        agency = middle.group(1) if middle else ""
        if not _ORGANISATION.search(agency):
            agency = ""
    return (agency or None), (year if 1990 <= year <= 2100 else None)


def agency_is_incomplete(agency: str) -> bool:
    """True when the name holds no place ("区应急管理局", "本局"): the site must complete it."""
    m = _PLACE.search(agency)
    return m is None or m.start() == 0


def year_from_text(doc: Document) -> int | None:
    """ "统计期限自2023年1月1日起至12月31日止" → 2023."""
    for text in doc.paragraphs[:40]:
        m = _STAT_PERIOD.search(squash(text))
        if m:
            return int(m.group(1))
    return None


def read_metadata(doc: Document) -> Metadata:
    meta = Metadata()
    title, from_hint = find_title(doc)
    if title is None:
        meta.warnings.append(warn("title_missing", "no report title found in text or metadata"))
    else:
        meta.title = title
        if from_hint:
            meta.warnings.append(warn("title_from_hint", f"title {title!r} taken from metadata"))
        meta.agency, meta.year = split_title(title)
        if meta.agency is None:
            meta.warnings.append(warn("agency_missing", f"no agency in title {title!r}"))
        elif agency_is_incomplete(meta.agency):
            meta.warnings.append(
                warn(
                    "agency_incomplete",
                    f"agency {meta.agency!r} names no place; complete it from the site",
                    "agency",
                )
            )
    if meta.year is None:
        meta.year = year_from_text(doc)
    if meta.year is None:
        meta.warnings.append(warn("year_missing", "reporting year not found", "year"))
    return meta


def detect_template(doc: Document, year: int | None) -> tuple[str, bool]:
    """("2021" | "2019", decided_by_labels). Labels of one format only; else the year decides."""
    seen: set[str] = set()
    for table in doc.tables:
        for row in table.rows:
            for cell in row:
                if cell.text and not cell.merged:
                    seen.add(core(cell.text))
    text = "|".join(seen)
    m19 = sum(1 for mk in cat.MARKERS_2019 if core(mk) in text)
    m21 = sum(1 for mk in cat.MARKERS_2021 if core(mk) in text)
    if m19 != m21:
        return ("2019" if m19 > m21 else "2021"), True
    return ("2019" if year is not None and year <= 2020 else "2021"), False

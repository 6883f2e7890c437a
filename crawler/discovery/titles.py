"""Report titles: whether a link's text names an emergency bureau's annual report, and its year."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

#: Names of an emergency-management bureau, including merged bureaus (政法和应急管理局,
#: 应急管理和综合执法局) and the predecessors before the 2018-2019 reform
#: (安全生产监督管理局, 安监局).
EM_AGENCY_RE = re.compile(
    r"应急(?:管理)?局|应急管理(?:厅|部)|应急管理和[^\s，,。：:（(]{1,10}?局"
    r"|安全生产监督(?:管理)?(?:总)?局|安监局|安全监管局"
)

#: The report phrase. 年度 may sit before it (2023年度…政府信息公开工作报告) or inside it.
REPORT_PHRASE_RE = re.compile(
    r"(?:政府|政务)?(?:信息)?公开(?:工作)?(?:年度)?(?:工作)?(?:年度报告|年报|工作报告|报告)"
)

#: Titles that talk ABOUT reports without being one.
NOT_A_REPORT_RE = re.compile(
    r"通知|说明|总结|要点|方案|解读|公示|公告|意见|征求|关于(?:做好|印发|报送|开展|编制|发布|公布)"
    r"|目录|指南|制度|统计表$"
)

#: Image-only versions: no text for a parser, and a text version is published beside them.
GRAPHIC_RE = re.compile(r"图解|图片版|一图(?:读懂|看懂|了解)|长图|海报|视频")

#: Anything left of a title that still names an organisation once year and phrase are removed.
ORG_SUFFIX_RE = re.compile(r"政府|局|委员会|委|办公室|办|中心|院|厅|部|署|所|队|站|馆|处|室|会")

_CN_DIGITS = str.maketrans("〇零○ＯO一二三四五六七八九", "00000123456789")
YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
CN_YEAR_RE = re.compile(r"([〇零○ＯO一二三四五六七八九]{4})\s*年")
FIRST_REPORT_YEAR = 2008  # the disclosure regulations took effect on 2008-05-01


@dataclass(frozen=True)
class TitleVerdict:
    """A title judged to be an emergency-management bureau's annual report."""

    year: int
    graphic: bool  # an image version (图解): the spider skips it, the text version is the report
    names_agency: bool  # False when the title names no agency (the column said whose it is)


def normalise_title(title: str) -> str:
    """Collapse whitespace (incl. full-width) so that regexes see one spelling."""
    return re.sub(r"[\s\u3000\xa0]+", "", title or "")


def title_year(title: str) -> int | None:
    """The reporting year a title names: the first year, arabic or Chinese numerals.

    The first, because "2024年度政府信息公开工作年度报告" names it once and publishing dates
    ("2025年1月发布") come after the year reported on.
    """
    t = normalise_title(title)
    candidates = [(m.start(), int(m.group(1))) for m in YEAR_RE.finditer(t)]
    candidates += [
        (m.start(), int(m.group(1).translate(_CN_DIGITS))) for m in CN_YEAR_RE.finditer(t)
    ]
    for _, year in sorted(candidates):
        if FIRST_REPORT_YEAR <= year <= _dt.date.today().year:
            return year
    return None


TRUNCATED_RE = re.compile(r"(?:…|\.{2,}|。。+)$")
#: What a list title cut short still shows of the report phrase.
TRUNCATED_PHRASE_RE = re.compile(r"(?:政府|政务)信息公开|政务公开|信息公开(?:工作)?年")


def is_truncated(title: str) -> bool:
    """Lists cut long titles ("…年度报…"); the article's own title then decides."""
    return bool(TRUNCATED_RE.search(normalise_title(title)))


def classify_title(title: str, em_context: bool = False) -> TitleVerdict | None:
    """Is this the title of an emergency-management bureau's annual report, and for which year?

    ``em_context`` says the title was listed inside the bureau's own section (its column path or
    the link that led there named the bureau): there, "2024年度政府信息公开工作年度报告" with no
    agency is the bureau's report. A title naming another organisation is never accepted.
    """
    t = normalise_title(title)
    if not t or NOT_A_REPORT_RE.search(t):
        return None
    if not REPORT_PHRASE_RE.search(t) and not (is_truncated(t) and TRUNCATED_PHRASE_RE.search(t)):
        return None
    year = title_year(t)
    if year is None:
        return None
    graphic = bool(GRAPHIC_RE.search(t))
    if EM_AGENCY_RE.search(t):
        return TitleVerdict(year=year, graphic=graphic, names_agency=True)
    if not em_context:
        return None
    rest = REPORT_PHRASE_RE.sub("", t)
    rest = YEAR_RE.sub("", CN_YEAR_RE.sub("", rest))
    rest = re.sub(r"年度|[（(][^）)]*[）)]", "", rest)
    if ORG_SUFFIX_RE.search(rest):
        return None
    return TitleVerdict(year=year, graphic=graphic, names_agency=False)

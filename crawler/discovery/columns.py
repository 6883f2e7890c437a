"""Columns: which links lead towards the reports (disclosure sections, bureaus, report columns)."""

from __future__ import annotations

import re
from enum import IntEnum
from urllib.parse import urlsplit

from crawler.discovery.documents import is_document_url
from crawler.discovery.titles import (
    CN_YEAR_RE,
    EM_AGENCY_RE,
    NOT_A_REPORT_RE,
    ORG_SUFFIX_RE,
    REPORT_PHRASE_RE,
    YEAR_RE,
    normalise_title,
)


class ColumnKind(IntEnum):
    """How promising a link is as the way to a report list; higher is followed first."""

    DISCLOSURE = 1  # 政府信息公开 / 部门信息公开 hubs: lead to the bureau's section
    BUREAU = 2  # the emergency-management bureau's own section
    REPORTS = 3  # an annual-report column (年报, 年度报告 …)


REPORT_COLUMN_TEXT_RE = re.compile(r"年报|年度报告|工作报告|年度工作报告|公开年度")
REPORT_COLUMN_SLUG_RE = re.compile(
    r"^(?:zf)?xxgk(?:gz)?n(?:d)?b(?:g)?(?:\d*|_\d+)$|^ndbg(?:_\d+)?$|^gknb(?:_\d+)?$|^nianbao$"
    r"|^(?:zf)?xxgkndbg(?:_\d+)?$|^\d{4}n(?:zfxxgkndbg)?$|^nb\w*$|^zfxxgkgzndbg$|^bmnb$"
)
BUREAU_SLUG_RE = re.compile(r"^(?:\w*ajj|q?yjj|yjglj?|yjgl\w*|ajglj|aqjg\w*)(?:_\d+)?$")
DISCLOSURE_TEXT_RE = re.compile(
    r"信息公开|政务公开|公开目录|主动公开|部门|机构|区直|县直|市直|政府组成|法定公开"
)
DISCLOSURE_SLUG_RE = re.compile(
    r"^(?:zf|bm|zw|xx)?(?:xxgk|zwgk|gk)\w*$|^bm\w*$|^zcbm$|^qzbm$|^gkml\w*$|^xxgkml$"
)
#: Links that are never a column: actions, other channels, files.
SKIP_LINK_TEXT_RE = re.compile(
    r"登录|注册|English|无障碍|关怀|长者|搜索|检索|邮箱|留言|信箱|投诉|办事|互动|打印|关闭|收藏"
    r"|依申请|申请表|指南$|上一页|首页$|预算|决算|招标|采购|招聘|视频|图片"
)


def _path_segments(url: str) -> list[str]:
    return [s.lower() for s in urlsplit(url).path.split("/") if s and "." not in s]


def column_kind(text: str, url: str) -> ColumnKind | None:
    """Does a link lead towards an annual-report column, and how directly?

    The link text decides first (it is what a visitor reads); the URL's path segments second,
    for CMS slugs seen on real sites (zfxxgknb, xxgkndbg, ndbg; ajj/yjglj/yjj for the bureau).
    """
    t = normalise_title(text)
    if t and SKIP_LINK_TEXT_RE.search(t):
        return None
    if is_document_url(url):
        return None
    if t and _names_dated_org(t):
        return None  # an organisation's dated document (孟津区人民政府2023年…), not a column
    segs = _path_segments(url)
    last = segs[-1] if segs else ""
    if t and REPORT_COLUMN_TEXT_RE.search(t) and not NOT_A_REPORT_RE.search(t):
        return ColumnKind.REPORTS
    if last and REPORT_COLUMN_SLUG_RE.match(last):
        return ColumnKind.REPORTS
    if t and EM_AGENCY_RE.search(t):
        return ColumnKind.BUREAU
    if last and BUREAU_SLUG_RE.match(last):
        return ColumnKind.BUREAU
    if t and DISCLOSURE_TEXT_RE.search(t) and len(t) <= 16:
        return ColumnKind.DISCLOSURE
    if last and DISCLOSURE_SLUG_RE.match(last) and len(t) <= 16:
        return ColumnKind.DISCLOSURE
    return None


def _names_dated_org(text: str) -> bool:
    """Whether a link text is some organisation's document of a year: an article, not a column.

    "2023年度" and "2023年度政府信息公开工作年度报告汇总" are per-year columns; "区应急管理局2023年
    安全生产工作要点" and "孟津区人民政府2023年政府信息公开工作年度报告" are articles.
    """
    if not (YEAR_RE.search(text) or CN_YEAR_RE.search(text)):
        return False
    rest = REPORT_PHRASE_RE.sub("", text)
    return bool(EM_AGENCY_RE.search(rest) or ORG_SUFFIX_RE.search(rest))


def is_under(url: str, base: str) -> bool:
    """Whether ``url`` lies in the directory of ``base`` (same host): a sub-column of a section."""
    u, b = urlsplit(url), urlsplit(base)
    directory = b.path[: b.path.rfind("/") + 1] or "/"
    return u.netloc.lower() == b.netloc.lower() and (u.path or "/").startswith(directory)


def is_bureau_url(url: str) -> bool:
    """Whether a URL lies inside an emergency-management bureau's section (ajj/yjglj/yjj …)."""
    return any(BUREAU_SLUG_RE.match(s) for s in _path_segments(url))


YEAR_LINK_RE = re.compile(r"^((?:19|20)\d{2})\s*(年度?)?$")


def is_year_link(text: str, url: str) -> bool:
    """Whether a link (or a ``<select>`` option) of a report column opens one year's column:
    its text is only a year ("2023年度", "2023年", or a bare "2023" whose URL names it)."""
    m = YEAR_LINK_RE.match(normalise_title(text))
    return bool(m) and (bool(m.group(2)) or m.group(1) in url)


#: A report collection's branch named after a kind of body: 区直部门, 市政府部门, 县直单位,
#: 乡镇街道, 部门年报, "2024年部门年报" (the bureau's report is usually in the departments').
BODY_KIND_RE = re.compile(
    r"^(?:(?:19|20)\d{2}\s*年?度?)?"
    r"(?:[省市区县州旗盟]?(?:人民)?(?:政府)?(?:直属|直)?(?:工作)?(?:部门|单位|机关)"
    r"|乡镇(?:[（(]?街道[)）]?)?|街道|镇街|乡镇办)"
    r"(?:政府信息公开)?(?:工作)?(?:年报|年度报告)?$"
)


def is_body_kind_link(text: str) -> bool:
    """Whether a link of a report collection opens the branch of one kind of body
    (:data:`BODY_KIND_RE`): entered like a year column, whatever its folder's slug."""
    return bool(BODY_KIND_RE.match(normalise_title(text)))

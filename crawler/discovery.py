"""What the spider decides from text: plain functions, no Scrapy, so each rule is testable alone.

Real sites name the same thing a dozen ways (see the real-report-pages notes): a report title may
drop 工作, say 年度 twice, name no agency at all when it sits in the bureau's own column, or carry
(文字版)/(图解) suffixes. The rules below are written against those variants, and against the
look-alikes that must NOT be taken for a report (the government's own report, other bureaus',
notices about compiling reports, 工作总结, 说明 pages).
"""

from __future__ import annotations

import datetime as _dt
import posixpath
import re
from dataclasses import dataclass
from enum import IntEnum
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

# --------------------------------------------------------------------------- titles

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


# --------------------------------------------------------------------------- columns


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


# --------------------------------------------------------------------------- documents

DOCUMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "rtf")
ARCHIVE_EXTENSIONS = (
    "zip",
    "rar",
    "7z",
    "gz",
    "tar",
    "exe",
    "apk",
    "iso",
    "mp4",
    "avi",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "bmp",
    "mp3",
    "flv",
    "wmv",
    "swf",
    "dmg",
    "msi",
)
_EXT_RE = re.compile(r"\.([a-z0-9]{1,5})$", re.I)


def _ext(name: str) -> str | None:
    m = _EXT_RE.search(name)
    return m.group(1).lower() if m else None


def is_document_url(url: str) -> str | None:
    """The document type a link points to (pdf, doc …), from its path or its query string.

    Download endpoints name the file only in the query (``downfile.jsp?classid=0&filename=
    3a2d….doc``), so query values count too.
    """
    parts = urlsplit(url)
    ext = _ext(unquote(parts.path))
    if ext in DOCUMENT_EXTENSIONS:
        return ext
    for _, value in parse_qsl(parts.query, keep_blank_values=True):
        ext = _ext(unquote(value))
        if ext in DOCUMENT_EXTENSIONS:
            return ext
    return None


def is_skippable_url(url: str) -> bool:
    """Links the spider must never fetch as a page: archives, media, other schemes."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return True
    ext = _ext(unquote(parts.path))
    return ext in ARCHIVE_EXTENSIONS


# --------------------------------------------------------------------------- URLs

#: Query parameters that only track visitors: dropping them merges duplicate URLs.
TRACKING_PARAM_RE = re.compile(
    r"^(?:utm_\w+|spm|fbclid|gclid|wxfrom|isappinstalled|share\w*|clicktime|enterid|jsessionid)$",
    re.I,
)
#: Cache busters: dropped only when their value looks like a timestamp or a random number, so
#: that a meaningful ``from=news`` or ``v=2`` is kept.
CACHE_BUSTER_RE = re.compile(
    r"^(?:_t|t|_|ts|_ts|timestamp|time|rnd|random|r|v|nocache|from)$", re.I
)
CACHE_BUSTER_VALUE_RE = re.compile(
    r"^(?:\d{8,}|0?\.\d{4,}|[a-z]+(?:message|timeline|singlemessage|groupmessage))$", re.I
)


def is_tracking_param(key: str, value: str) -> bool:
    """Whether a query parameter only tracks the visitor or busts caches."""
    if TRACKING_PARAM_RE.match(key):
        return True
    return bool(CACHE_BUSTER_RE.match(key) and CACHE_BUSTER_VALUE_RE.match(value))


def canonical_url(url: str) -> str:
    """One spelling per page: no fragment, no tracking parameters, no ;jsessionid, sorted query.

    Keeps ``#`` out except for gkmlpt's ``/gkmlpt/index#catId``, which is how that app names a
    column (the spider reads the fragment before calling this).
    """
    parts = urlsplit(url.strip())
    path = re.sub(r";jsessionid=[^/?#]*", "", parts.path, flags=re.I) or "/"
    if ".." in path or "/./" in path:
        trailing = path.endswith("/")
        path = posixpath.normpath(path)
        if trailing and not path.endswith("/"):
            path += "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k, v)
    ]
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, urlencode(sorted(query)), "")
    )


_TEMPLATE_DIGITS = re.compile(r"\d+")


def url_template(url: str) -> str:
    """The shape of a URL with every number replaced: pages of one trap share one template.

    ``/list?date=2023-01-02`` and ``/list?date=2023-01-03`` both give ``/list?date=N-N-N``; a
    per-template cap stops calendar-style traps however many dates they invent.
    """
    parts = urlsplit(canonical_url(url))
    query = "&".join(f"{k}={_TEMPLATE_DIGITS.sub('N', v)}" for k, v in parse_qsl(parts.query, True))
    return f"{parts.netloc}{_TEMPLATE_DIGITS.sub('N', parts.path)}?{query}"


# --------------------------------------------------------------------------- pagination

NEXT_PAGE_TEXT_RE = re.compile(r"^(?:下一?页|后一?页|下页|尾页|末页|最后一页|下一页>+|>|>>|›|»)$")
PAGE_PARAM_RE = re.compile(
    r"(?:^|&)(page|pageno|pagenum|pageindex|currpage|cur_page|curpage|p|pn|pagenumber)=(\d+)",
    re.I,
)
INDEX_PAGE_RE = re.compile(r"(?:index|list|column-index)[_-](\d+)\.s?html?$", re.I)


def is_pagination_link(text: str, href: str) -> bool:
    """Whether an anchor moves along the same list: 下一页/尾页 text, or a bare page number whose
    URL carries a page parameter or an ``index_N.html`` name."""
    t = normalise_title(text)
    if NEXT_PAGE_TEXT_RE.match(t):
        return True
    if t.isdigit() and len(t) <= 4:
        parts = urlsplit(href)
        return bool(PAGE_PARAM_RE.search(parts.query) or INDEX_PAGE_RE.search(parts.path))
    return False


# --------------------------------------------------------------------------- block pages

BLOCK_MARKERS = (
    "访问过于频繁",
    "访问频率过高",
    "安全验证",
    "请输入验证码",
    "输入验证码",
    "滑动验证",
    "人机验证",
    "您的访问被拒绝",
    "访问被拦截",
    "已被拦截",
    "网站防火墙",
    "Web应用防火墙",
    "Access Denied",
    "Request blocked",
    "captcha",
)
_CHALLENGE_RE = re.compile(
    r"document\.cookie|location\.(?:href|replace|reload)|window\.location|setTimeout", re.I
)


SCRIPT_REDIRECT_RE = re.compile(
    r"""(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=\s*["']([^"']+)["']"""
    r"""|location\.(?:replace|assign)\(\s*["']([^"']+)["']\s*\)""",
    re.I,
)


def script_redirect(text: str) -> str | None:
    """The target of a tiny page whose only job is a JavaScript redirect (common on gov.cn
    home pages: ``<script>location.href="xxgk/index.shtml"</script>``), or None."""
    body = text or ""
    if len(body) > 3000:
        return None
    m = SCRIPT_REDIRECT_RE.search(body)
    if not m:
        return None
    target = (m.group(1) or m.group(2) or "").strip()
    return target if target and not target.startswith(("javascript:", "#")) else None


def block_reason(text: str) -> str | None:
    """Why a page served with status 200 is a WAF or captcha page rather than content, or None.

    Markers count only on short pages with hardly any links (a real page may ask for a 验证码 in
    its comment box, but it has navigation); a tiny page whose only content is a script that
    sets a cookie or reloads is a JS challenge.
    """
    body = text or ""
    if len(body) > 20000:
        return None
    visible = re.sub(
        r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", " ", body, flags=re.S | re.I
    )
    lowered = visible.lower()
    if len(re.findall(r"<a\s", body, flags=re.I)) >= 10:
        return None  # a page with navigation is content, whatever its comment box asks
    for marker in BLOCK_MARKERS:
        if marker.lower() in lowered:
            return f"block page ({marker})"
    if script_redirect(body):
        return None  # a plain redirect, followed by the spider
    if (
        len(body) < 3000
        and "<a " not in body.lower()
        and _CHALLENGE_RE.search(body)
        and len(re.sub(r"\s+", "", visible)) < 200
    ):
        return "block page (script challenge)"
    return None


def absolute(base: str, href: str) -> str:
    """Resolve a link (relative ``../`` ones included) against the page it was found on."""
    return urljoin(base, href.strip())

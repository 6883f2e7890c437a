"""What inline scripts say about a list: page URLs built by a pagination call, and the URL
pattern a ``<select onchange>`` builds from its option's value.

CMS builds differ in function names (``createPageHTML``, ``initPagination``, ``laypage``,
``pageNav`` …) but not in what the call must carry: a page count and a page URL pattern with a
placeholder. Reading those two by shape, whatever the function, covers builds never seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A key or variable naming how many pages a list has (pageCount, totalPage, pages, countPage …).
PAGE_COUNT_RE = re.compile(
    r"""\b['"]?(?:page_?count|page_?total|total_?pages?|count_?pages?|pages|page_?num|max_?page|"""
    r"""page_?size_?total|total_?page_?num)['"]?\s*[:=]\s*['"]?(\d{1,4})\b""",
    re.I,
)
#: A quoted page URL with a page placeholder: 'list_{page}.html', "index_{0}.html", '?p=[page]'.
PAGE_PATTERN_RE = re.compile(
    r"""(['"])([^'"\s]*?(?:\{\{?\s*(?:page|pageno|pagenum|p|n|num|0|i)\s*\}?\}|\[page\]|%d)"""
    r"""[^'"\s]*)\1""",
    re.I,
)
PLACEHOLDER_RE = re.compile(
    r"\{\{?\s*(?:page|pageno|pagenum|p|n|num|0|i)\s*\}?\}|\[page\]|%d", re.I
)
#: Pages read from one script call at most; the site guard bounds what is fetched further.
MAX_SCRIPT_PAGES = 200

#: ``'prefix' + this.value + 'suffix'`` (or ``this.options[this.selectedIndex].value``).
ONCHANGE_RE = re.compile(
    r"""(['"])([^'"]*)\1\s*\+\s*(?:this|[\w$]+)(?:\.options\[[^\]]*\])?\.value"""
    r"""(?:\s*\+\s*(['"])([^'"]*)\3)?"""
)


def script_page_urls(script: str) -> list[str]:
    """Relative URLs of pages 2..N of a list from one inline script: the call must hold both a
    page count and a page URL pattern with a placeholder (page 1 is the page itself)."""
    count = PAGE_COUNT_RE.search(script)
    pattern = PAGE_PATTERN_RE.search(script)
    if not count or not pattern:
        return []
    pages = min(int(count.group(1)), MAX_SCRIPT_PAGES)
    template = pattern.group(2)
    return [PLACEHOLDER_RE.sub(str(n), template, count=1) for n in range(2, pages + 1)]


def onchange_target(onchange: str, value: str) -> str | None:
    """The URL a ``<select onchange="location.href='nb.jsp?year='+this.value">`` opens for an
    option of ``value``, or None when the handler builds no URL from it."""
    m = ONCHANGE_RE.search(onchange or "")
    if not m:
        return None
    return f"{m.group(2)}{value}{m.group(4) or ''}"


#: An AJAX call naming its endpoint: $.ajax({url: …}), $.get/$.getJSON/$.post('…'), fetch('…').
ENDPOINT_RE = re.compile(
    r"""(?:\$\.(?:get|getJSON|post|ajax)\s*\(\s*|\burl\s*:\s*|\bfetch\s*\(\s*|axios\.get\s*\(\s*)"""
    r"""(['"])([^'"\s]+)\1""",
    re.I,
)
OBJECT_RE = re.compile(r"\{([^{}]*)\}")
PAIR_RE = re.compile(r"""['"]?([\w$]+)['"]?\s*:\s*(['"][^'"]*['"]|-?\d+|[\w$.]+)""")
FUNCTION_PARAM_RE = re.compile(r"function\s*[\w$]*\s*\(\s*([\w$]+)\s*[,)]")
FUNCTION_ARGS_RE = re.compile(r"function\s*[\w$]*\s*\(([\w$\s,]*)\)")
#: Argument names that carry a year (year, nf 年份, nd 年度) or a page number.
YEAR_ARG_RE = re.compile(r"year|^nf$|^nd$|^niandu$", re.I)
PAGE_ARG_RE = re.compile(r"page|^pn$|^p$|^no$|index|curr|^num$", re.I)
VAR_RE = r"""(?:var|let|const)\s+{name}\s*=\s*(['"][^'"]*['"]|\d+)"""
#: Keys of a call's options object that are never query parameters.
AJAX_OPTIONS = {"url", "type", "method", "datatype", "async", "cache", "success", "error"}
POST_RE = re.compile(r"""\b(?:type|method)\s*:\s*['"]post['"]|\$\.post\s*\($""", re.I)


def _method(script: str, call: re.Match[str], end: int) -> str:
    """POST when the call is ``$.post(…)`` or its options object says ``type: "post"``: read
    from the call's opening (``$.ajax({`` up to 300 characters before the URL) to the end of
    its data object."""
    if POST_RE.search(call.group(0).split("(")[0] + "("):
        return "POST"
    opening = max(script.rfind("ajax", max(0, call.start() - 300), call.start()), 0)
    return "POST" if POST_RE.search(script[opening or call.start() : end]) else "GET"


@dataclass(frozen=True)
class Endpoint:
    """A list endpoint an inline script fetches: its URL, fixed parameters, and the name of
    the parameter that carries the page number (None when the script sends none)."""

    url: str
    params: tuple[tuple[str, str], ...]
    page_param: str | None
    method: str = "GET"  # POST: the parameters go as form data (``$.post``, ``type: "post"``)
    #: the parameter fed by the function's year argument (``loadList(year, pageNo)``): the list
    #: is asked for once per year the page offers (its year tabs)
    year_param: str | None = None


def _literal(value: str, script: str) -> str | None:
    if value[:1] in "'\"":
        return value[1:-1]
    if value.lstrip("-").isdigit():
        return value
    m = re.search(VAR_RE.format(name=re.escape(value)), script)
    return _literal(m.group(1), script) if m else None


def script_endpoints(script: str) -> list[Endpoint]:
    """The list endpoints an inline script calls, with the parameters it sends: literals and
    variables read from the script; the enclosing function's argument is the page number."""
    args = {a.strip() for group in FUNCTION_ARGS_RE.findall(script) for a in group.split(",")}
    year_args = {a for a in args if a and YEAR_ARG_RE.search(a)}
    page_args = (
        set(FUNCTION_PARAM_RE.findall(script)) | {a for a in args if a and PAGE_ARG_RE.search(a)}
    ) - year_args
    out: list[Endpoint] = []
    for m in ENDPOINT_RE.finditer(script):
        url = m.group(2)
        if url.startswith(("#", "javascript:")) or re.search(r"\.(?:js|css)(?:\?|$)", url):
            continue
        obj = OBJECT_RE.search(script, m.end(), m.end() + 600)
        params: list[tuple[str, str]] = []
        page_param = year_param = None
        for key, value in PAIR_RE.findall(obj.group(1)) if obj else []:
            if key.lower() in AJAX_OPTIONS:
                continue
            if value in year_args:
                year_param = key
                continue
            if value in page_args:
                page_param = key
                continue
            literal = _literal(value, script)
            if literal is not None:
                params.append((key, literal))
        method = _method(script, m, obj.end() if obj else m.end())
        callback = url.replace("=?", "=jsonpCallback")
        out.append(Endpoint(callback, tuple(params), page_param, method, year_param))
    return out


#: ``function name(arg[, more]) { … "prefix" + arg [+ "suffix"] … }``: a handler that builds a
#: URL from its first argument (``download(fileId, fileName)`` names the file by its id).
HANDLER_RE = re.compile(
    r"""function\s+([\w$]+)\s*\(\s*([\w$]+)\s*(?:,[\w$\s,]*)?\)\s*\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}""",
)
#: A handler call in an ``onclick`` or a ``javascript:`` link: ``downloadFile('ff80…')``,
#: ``goPage(3)``, ``download('id', 'name.pdf')`` (the first argument counts).
CALL_ARG_RE = re.compile(r"""([\w$]+)\s*\(\s*(?:(['"])([^'"]+)\2|(\d{1,9}))\s*[,)]""")
#: A URL written out in the code itself: ``window.open('/c/x.html')``, ``location.href='…'``.
LITERAL_URL_RE = re.compile(
    r"""(?:window\.open|location\.(?:href\s*=|assign|replace)|openWin\w*|openUrl)\s*\(?\s*"""
    r"""(['"])((?:https?://|/|\.{1,2}/)?[\w./%?=&;:+~-]+)\1""",
    re.I,
)
#: What makes a prefix/suffix pair a URL pattern rather than string building of another kind.
_URLISH_RE = re.compile(r"[/?=]|\.\w{2,5}$")


def script_handlers(scripts: list[str]) -> dict[str, tuple[str, str]]:
    """Functions of the page's inline scripts that build a URL from their first argument, as
    name -> (prefix, suffix); a function that only calls another with its argument
    (``function downLoad(id) { downloadFile(id); }``) takes that one's pattern. A pattern is
    one whose prefix holds a path or query character, or whose suffix is an extension
    (``"index_" + n + ".html"``)."""
    direct: dict[str, tuple[str, str]] = {}
    calls: dict[str, str] = {}
    for script in scripts:
        for name, arg, body in HANDLER_RE.findall(script):
            a = re.escape(arg)
            m = re.search(rf"""(['"])([^'"]*)\1\s*\+\s*{a}\b(?:\s*\+\s*(['"])([^'"]*)\3)?""", body)
            if m and (_URLISH_RE.search(m.group(2)) or _URLISH_RE.search(m.group(4) or "")):
                direct[name] = (m.group(2), m.group(4) or "")
                continue
            inner = re.search(rf"([\w$]+)\s*\(\s*{a}\s*[,)]", body)
            if inner:
                calls[name] = inner.group(1)
    for name, target in calls.items():
        if target in direct:
            direct.setdefault(name, direct[target])
    return direct


def handler_url(code: str, handlers: dict[str, tuple[str, str]]) -> str | None:
    """The URL an ``onclick``/``javascript:`` call opens: a known handler's pattern around the
    call's first argument, or a URL written out in the code (``window.open('…')``); None."""
    for name, _, value, number in CALL_ARG_RE.findall(code or ""):
        if name in handlers:
            prefix, suffix = handlers[name]
            return f"{prefix}{value or number}{suffix}"
    m = LITERAL_URL_RE.search(code or "")
    if m and not m.group(2).lower().startswith("javascript"):
        return m.group(2)
    return None

"""HTML reports: a whole CMS page or just an article body, in any charset.

Sites publish the report as an article page: the report sits inside page chrome (menus, a
metadata table, related links, footers). The reader finds the block that holds the report by
what it contains — the tables with the national format's labels and the section headings —
and falls back on the content containers of the CMS families seen so far (TRS ``.TRS_Editor``,
Hanweb ``#zoom``, Jiangsu ``<ucapcontent>``/``#zoomcon``, ``.article-content``, TRS
``<!--ContentStart-->`` comments) only when the content does not say it, so pages never seen
still work.

Tables become the shared grid with rowspan/colspan expanded (copies marked ``merged``). Cell
text concatenates every text node, because Word-pasted HTML splits words and even digits across
``<span>`` s. Bytes are decoded with w3lib (HTTP header → BOM → ``<meta>`` charset), and a page
that declares nothing is tried as UTF-8, then GB18030: never assumed UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.etree
import lxml.html
from w3lib.encoding import html_to_unicode

from yingji_parser.errors import CorruptDocument, TooLarge
from yingji_parser.formats.hints import ReadHints
from yingji_parser.grid import Block, Document, Paragraph, Span, Table, expand
from yingji_parser.sniff import mht_html

# Bounds that no report table comes near (the biggest, 三, is about 30 x 10) and that keep a
# broken or hostile page from expanding into millions of cells.
MAX_SPAN = 100  # one rowspan/colspan
MAX_WIDTH = 64  # columns kept per table
MAX_ROWS = 1000  # rows kept per table
MAX_CELLS = 200_000  # expanded cells per page: beyond that the page is refused

_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "select", "button", "svg"}
_BLOCK = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
    "blockquote", "center", "dd", "dt", "dl", "pre", "form", "header", "footer", "main", "nav",
    "aside", "tr", "td", "th", "caption", "hr", "address", "figure", "figcaption", "body",
    "ucapcontent", "ucaptitle",
}  # fmt: skip
# Words that only the report's own tables contain: how the report is told from page chrome.
_TABLE_MARKERS = (
    "第二十条",
    "信息内容",
    "本年新收",
    "申请人情况",
    "上年结转",
    "本年度办理结果",
    "行政复议",
    "复议后起诉",
    "尚未审结",
    "结果维持",
    "本年制发",
    "处理决定",
    "本年收费金额",
    "本年新制作",
    "上一年项目",
    "采购项目",
)
_HEADING = re.compile(
    r"^[一二三四五六][、.．]\s*(总体情况|主动公开|收到和处理|.*行政复议|存在的主要问题|其他需要报告)"
)
# Content containers of known CMS families, tried only when the content gives no clue.
_KNOWN_CONTAINERS = (
    "//*[contains(concat(' ', translate(normalize-space(@class), 'TRSEDIO', 'trsedio'), ' '),"
    " ' trs_editor ')]",
    "//*[@id='zoom']",
    "//ucapcontent",
    "//*[@id='zoomcon']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
)


def _detect(body: bytes) -> str | None:
    """No declared charset: UTF-8 if it decodes, else GB18030 (covers GBK and GB2312)."""
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def decode(data: bytes, content_type: str | None = None) -> str:
    _, text = html_to_unicode(content_type, data, default_encoding="utf-8", auto_detect_fun=_detect)
    return text


def _parse(text: str) -> lxml.html.HtmlElement:
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=False, huge_tree=False)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise CorruptDocument(f"HTML could not be parsed: {exc}") from exc
    if root is None:
        raise CorruptDocument("HTML page is empty")
    return root


def _squash_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _near_title(content: lxml.html.HtmlElement) -> list[str]:
    """Short texts just before the content that read like a report title, nearest first.

    Pages put the article title outside the article body (a div, a p, a td above it); links
    (related articles) are never a title.
    """
    found: list[str] = []
    ancestors = [content, *content.iterancestors()]
    for node in ancestors:
        for sib in node.itersiblings(preceding=True):
            if not isinstance(sib.tag, str) or sib.tag in _SKIP or sib.tag == "a":
                continue
            text = _squash_ws(sib.text_content())
            is_link = _squash_ws(sib.xpath("string(.//a)")) == text
            if text and len(text) <= 120 and "报告" in text and "年" in text and not is_link:
                found.append(text)
            if len(found) >= 3:
                return found
    return found


def _title_hints(root: lxml.html.HtmlElement) -> list[str]:
    hints: list[str] = []
    for name in ("ArticleTitle", "articletitle", "title", "Title", "og:title"):
        for meta in root.xpath(f"//meta[@name='{name}' or @property='{name}']"):
            if meta.get("content"):
                hints.append(_squash_ws(meta.get("content")))
    for el in root.xpath("//title | //h1 | //ucaptitle"):
        text = _squash_ws(el.text_content())
        if text and len(text) < 200:
            hints.append(text)
    return list(dict.fromkeys(hints))


def _innermost_tables(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [t for t in root.iter("table") if not t.xpath(".//table")]


def _is_report_table(table: lxml.html.HtmlElement) -> bool:
    text = re.sub(r"\s+", "", table.text_content())
    # two of the format's words: one alone may be a link in the chrome ("行政复议" in a menu)
    return sum(1 for m in _TABLE_MARKERS if m in text) >= 2


def _headings(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Block elements whose text is a section heading ("三、收到和处理…").

    Each block's text is measured once: a page of thousands of numbered lines in one block
    must not cost thousands of passes over that block.
    """
    found: list[lxml.html.HtmlElement] = []
    checked: dict[lxml.html.HtmlElement, bool] = {}
    for node in root.xpath("//text()[normalize-space()]"):
        text = node.strip()
        if text[:1] not in "一二三四五六" or len(text) > 40:
            continue
        el = node.getparent()
        while el is not None and isinstance(el.tag, str) and el.tag not in _BLOCK:
            el = el.getparent()
        if el is None or not isinstance(el.tag, str) or el.tag in _SKIP or el in checked:
            continue
        full = _squash_ws(el.text_content())
        checked[el] = len(full) <= 40 and bool(_HEADING.match(full.lstrip("#")))
        if checked[el]:
            found.append(el)
    return found


def _common_ancestor(elements: list[lxml.html.HtmlElement]) -> lxml.html.HtmlElement:
    paths = [[el, *el.iterancestors()][::-1] for el in elements]
    common = paths[0][0]
    for level in zip(*paths, strict=False):
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    return common


def find_content(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element that holds the report: the smallest one around its tables and headings."""
    anchors = [t for t in _innermost_tables(root) if _is_report_table(t)] + _headings(root)
    if anchors:
        return _common_ancestor(anchors)
    for xpath in _KNOWN_CONTAINERS:
        found = root.xpath(xpath)
        if found:
            return max(found, key=lambda el: len(el.text_content()))
    for comment in root.iter(lxml.etree.Comment):
        if "ContentStart" in (comment.text or "") and comment.getparent() is not None:
            return comment.getparent()
    body = root.find("body")
    return body if body is not None else root


def _span(value: str | None) -> int:
    try:
        n = int(re.sub(r"\D", "", value or "") or 1)
    except ValueError:
        n = 1
    return max(1, min(n, MAX_SPAN))


def cell_text(el: lxml.html.HtmlElement) -> str:
    """All text nodes joined as they are (split digits rejoin); block children become lines."""
    blocks = el.xpath(".//br | .//p | .//div | .//li | .//script | .//style")
    if not blocks or (len(blocks) == 1 and blocks[0].tag in ("p", "div")):
        # the usual cell: text (in one <p>) without line structure, joined in C
        return re.sub(r"[ \t\r\n\f\v\u00a0]+", " ", "".join(el.itertext())).strip()
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP:
            return
        if tag == "br" or (tag in _BLOCK and parts):
            parts.append("\n")
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    lines = [re.sub(r"[ \t\r\f\v\u00a0]+", " ", ln).strip() for ln in "".join(parts).split("\n")]
    return "\n".join(ln for ln in lines if ln)


def read_table(table: lxml.html.HtmlElement, budget: list[int] | None = None) -> Table:
    """A ``<table>`` as a rectangle of cells with rowspan/colspan expanded.

    Columns past MAX_WIDTH and rows past MAX_ROWS are dropped; ``budget`` (cells left for the
    page) is spent, and a page that overspends it is refused with TooLarge.
    """
    trs = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")[:MAX_ROWS]
    taken: set[tuple[int, int]] = set()  # HTML's table model: a cell goes right of rowspans
    spans: list[Span] = []
    n_rows = len(trs)
    for r, tr in enumerate(trs):
        c = 0
        for td in tr.xpath("./td | ./th"):
            while (r, c) in taken:
                c += 1
            if c >= MAX_WIDTH:
                break
            rs = min(_span(td.get("rowspan")), n_rows - r)
            cs = min(_span(td.get("colspan")), MAX_WIDTH - c)
            spans.append(Span(r, c, cell_text(td), rs, cs))
            taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
            c += cs
    width = max((c for _, c in taken), default=-1) + 1
    if budget is not None:
        budget[0] -= width * n_rows
        if budget[0] < 0:
            raise TooLarge(f"HTML page has tables of more than {MAX_CELLS} cells: not a report")
    rows = expand(reversed(spans), n_rows, width)  # a later cell wins an overlap, as before
    return Table(rows=[row for row in rows if any(cell.text for cell in row)])


def _events(el: lxml.html.HtmlElement, budget: list[int]) -> Iterator[str | Table | None]:
    """Text pieces, ``None`` for a paragraph break, and tables, in reading order."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "table":
        if el.xpath(".//table"):  # a layout table around the content: read its cells as blocks
            for tr in el.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
                for td in tr.xpath("./td | ./th"):
                    yield None
                    yield from _events(td, budget)
                    yield None
        else:
            yield read_table(el, budget)
        return
    if tag in _SKIP or not isinstance(el.tag, str):
        return
    block = tag in _BLOCK
    if tag == "br" or block:
        yield None
    if el.text:
        yield el.text
    for child in el:
        yield from _events(child, budget)
        if child.tail:
            yield child.tail
    if block:
        yield None


def blocks_of(content: lxml.html.HtmlElement) -> list[Block]:
    blocks: list[Block] = []
    buf: list[str] = []

    def flush() -> None:
        text = _squash_ws("".join(buf))
        buf.clear()
        if text:
            blocks.append(Paragraph(text))

    for event in _events(content, [MAX_CELLS]):
        if event is None:
            flush()
        elif isinstance(event, Table):
            flush()
            if event.rows:
                blocks.append(event)
        else:
            buf.append(event)
    flush()
    return blocks


HTML = ReadHints("html")


def read(data: bytes, hints: ReadHints = HTML) -> Document:
    """An HTML page (or a Word web archive) as its report content's blocks.

    ``hints.content_type`` (the HTTP header) supplies a charset the bytes may not declare.
    """
    content_type = hints.content_type
    # Word's "web archive" (.mht, often served as .doc) wraps the HTML in MIME: unwrap it first.
    unwrapped = mht_html(data)
    if unwrapped is not None:
        data, charset = unwrapped
        content_type = f"text/html; charset={charset}" if charset else content_type
    root = _parse(decode(data, content_type))
    content = find_content(root)
    hints = _title_hints(root) + _near_title(content)
    return Document(
        doc_type="html", blocks=blocks_of(content), title_hints=list(dict.fromkeys(hints))
    )

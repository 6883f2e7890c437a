"""Page files of a site and the includes they are rendered with.

Pages are files under ``demo/sites/<site>/``: ``.html`` is appended to names that lack it (so the
package data glob ships them), ``dir/`` is ``dir/index.html``, and a URL's query selects
``file@k=v&k2=v2``. Path parameters (``;jsessionid=…``, ``;page=2``) are read as Tomcat does:
the session id is ignored, other parameters select a file like a query. ``<!--#report NAME-->``
pulls in the HTML body of a bundled sample and ``{{site:KEY}}`` the address of another served
site; behaviours add their own includes (Hanweb's ``<!--#datastore COLUMN N-->``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from importlib.abc import Traversable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from demo.manifest import SAMPLES_ROOT, SITES_ROOT
from demo.variants import body_page

#: ``<!--#report NAME-->`` or ``<!--#report variants/NAME 2/2-->`` (page 2 of an article in two)
REPORT = re.compile(r"<!--#report ([\w/]+)(?: (\d)/(\d))?-->")
#: query parameters that real servers ignore (analytics, cache busters)
TRACKING = re.compile(r"^(utm_\w+|spm|_t|from)$")
#: path parameters that select nothing: the servlet container's session id
SESSION = re.compile(r"^jsessionid$", re.IGNORECASE)

#: an include: a pattern in the page and what replaces it, given the site's manifest entry
Include = tuple[re.Pattern[str], Callable[[dict[str, Any], re.Match[str]], str]]


def read_site_file(site_dir: str, rel: str) -> bytes | None:
    """A page file of a site, or None. Files whose URL does not end in .html (``.shtml``,
    ``.htm``, ``list.jsp@page=2``) are stored with ``.html`` appended."""
    parts = rel.split("/")
    if any(not p or p in (".", "..") for p in parts):
        return None
    node = SITES_ROOT / site_dir
    for part in parts[:-1]:
        node = node / part
    for name in (parts[-1], parts[-1] + ".html"):
        if (node / name).is_file():
            return (node / name).read_bytes()
    return None


def split_path_params(path: str) -> tuple[str, list[tuple[str, str]]]:
    """``/a;jsessionid=X/list.jsp;page=2`` -> (``/a/list.jsp``, [("page", "2")])."""
    segments, params = [], []
    for segment in path.split("/"):
        name, *rest = segment.split(";")
        segments.append(name)
        for p in rest:
            k, _, v = p.partition("=")
            if k and not SESSION.match(k):
                params.append((k, v))
    return "/".join(segments), params


def file_for(path: str, query: str) -> list[str]:
    """Candidate files for a URL, most specific first."""
    path, path_params = split_path_params(path)
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    params = sorted([(k, v) for k, v in parse_qsl(query) if not TRACKING.match(k)] + path_params)
    out = []
    if params:
        out.append(f"{rel}@{urlencode(params)}")
    out.append(rel)
    if "." not in rel.rsplit("/", 1)[-1]:
        out.append(rel + ".html")  # /gkmlpt/index
    return out


def _report(root: Traversable, m: re.Match[str]) -> str:
    page, pages = int(m.group(2) or 1), int(m.group(3) or 1)
    return body_page(m.group(1), page, pages, root)


def render(
    spec: dict[str, Any],
    raw: bytes,
    urls: dict[str, str] | None = None,
    includes: Iterable[Include] = (),
    samples: Traversable = SAMPLES_ROOT,
) -> bytes:
    """Expand the includes of a page and encode it in the site's charset."""
    text = raw.decode("utf-8")
    text = re.sub(
        r"\{\{site:(\w+)\}\}", lambda m: (urls or {}).get(m.group(1), "").rstrip("/"), text
    )
    text = REPORT.sub(lambda m: _report(samples, m), text)
    for pattern, expand in includes:
        text = pattern.sub(lambda m, expand=expand: expand(spec, m), text)  # type: ignore[misc]
    encoding = spec.get("encoding", "utf-8")
    return text.encode(encoding, errors="xmlcharrefreplace")

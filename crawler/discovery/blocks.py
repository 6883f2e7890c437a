"""Block pages: WAF, captcha and script-challenge pages served with status 200; script redirects."""

from __future__ import annotations

import re

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
    r"""(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=\s*["']([^"']+)["'](?!\s*\+)"""
    r"""|location\.(?:replace|assign)\(\s*["']([^"']+)["']\s*\)""",
    re.I,
)


def script_redirect(text: str) -> str | None:
    """The target of a tiny page whose only job is a JavaScript redirect (common on gov.cn
    home pages: ``<script>location.href="xxgk/index.shtml"</script>``), or None. A URL built
    by concatenation (``location.href='nb.jsp?year='+this.value`` in a select's onchange) is
    where a visitor's choice leads, not a redirect."""
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

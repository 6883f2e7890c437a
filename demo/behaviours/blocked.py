"""A site behind a web application firewall: every page (but robots.txt) is a captcha page
(status 200, as WAFs answer) or, with ``blocked_status`` 521, a JavaScript cookie challenge."""

from __future__ import annotations

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply

BLOCK_PAGE = (
    "<html><head><title>安全验证</title></head><body><div class='waf'>"
    "<h3>访问过于频繁，请输入验证码后继续访问</h3><img src='/captcha.jpg'>"
    "<input name='code'></div></body></html>"
)
CHALLENGE_PAGE = (
    "<html><script>document.cookie='__jsl_clearance=1600000000.123|0|abc';"
    "location.href=location.pathname+location.search</script></html>"
)


def respond(ex: Exchange) -> Reply | None:
    if not ex.spec.get("blocked"):
        return None
    status = int(ex.spec.get("blocked_status", 200))
    page = BLOCK_PAGE if status == 200 else CHALLENGE_PAGE
    return Reply(status, page.encode("utf-8"), "text/html; charset=utf-8", cacheable=False)


BEHAVIOUR = Behaviour("blocked", respond)

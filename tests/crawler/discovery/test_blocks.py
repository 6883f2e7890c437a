"""The block-page rules: WAF and captcha pages, script redirects."""

from __future__ import annotations

import pytest

from crawler.discovery import (
    block_reason,
    script_redirect,
)


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><h3>访问过于频繁，请稍后再试</h3></body></html>",
        "<html><body><form>请输入验证码：<input name=code></form></body></html>",
        "<html><head><title>安全验证</title></head><body></body></html>",
        "<html><script>document.cookie='c=1';location.reload()</script></html>",
    ],
)
def test_block_pages_are_detected(page: str) -> None:
    assert block_reason(page) is not None


def test_ordinary_pages_are_not_block_pages() -> None:
    article = "<html><body>" + "<p>主动公开政府信息</p>" * 50 + "<a href='/'>首页</a></body></html>"
    assert block_reason(article) is None
    login_box = "<html><body>" + "<a href='/x'>新闻</a>" * 3000 + "请输入验证码</body></html>"
    assert block_reason(login_box) is None
    comment_form = (
        "<html><body>" + "<a href='/x'>栏目</a>" * 12 + "<p>详见附件</p>"
        "<form>留言：<textarea></textarea>请输入验证码<input name=code></form></body></html>"
    )
    assert block_reason(comment_form) is None


@pytest.mark.parametrize(
    ("page", "target"),
    [
        ('<script>window.location.href="xxgk/index.shtml";</script>', "xxgk/index.shtml"),
        ("<script>location.replace('/portal/')</script>", "/portal/"),
        ("<script>location.href=location.pathname+'?x'</script>", None),
    ],
)
def test_script_redirect_pages_are_followed_not_blocked(page: str, target: str | None) -> None:
    assert script_redirect(page) == target
    if target:
        assert block_reason(page) is None


def test_a_url_built_from_a_select_value_is_no_redirect() -> None:
    from crawler.discovery import script_redirect

    page = (
        "<html><body><select onchange=\"window.location.href='nb.jsp?year='"
        "+this.options[this.selectedIndex].value\"><option value='2024'>2024年</option>"
        "</select><a href='info.jsp?id=1'>x</a></body></html>"
    )
    assert script_redirect(page) is None
    assert script_redirect("<script>location.href = 'xxgk/';</script>") == "xxgk/"

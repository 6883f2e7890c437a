"""What the spider decides from text: plain functions, no Scrapy, so each rule is testable alone.

Real sites name the same thing a dozen ways (see the real-report-pages notes): a report title may
drop 工作, say 年度 twice, name no agency at all when it sits in the bureau's own column, or carry
(文字版)/(图解) suffixes. The rules are written against those variants, and against the
look-alikes that must NOT be taken for a report (the government's own report, other bureaus',
notices about compiling reports, 工作总结, 说明 pages). One module per subject:

- :mod:`.titles`: is this link text a bureau's annual report, of which year;
- :mod:`.columns`: which links lead towards the reports;
- :mod:`.documents`: which URLs are files, which are never worth a request;
- :mod:`.urls`: canonical URLs, URL templates, joins;
- :mod:`.pagination`: the links to a list's other pages;
- :mod:`.blocks`: WAF and captcha pages, script redirects.

The names are re-exported here, so callers say ``discovery.classify_title``.
"""

from __future__ import annotations

from crawler.discovery.blocks import (
    BLOCK_MARKERS,
    SCRIPT_REDIRECT_RE,
    block_reason,
    script_redirect,
)
from crawler.discovery.columns import (
    BUREAU_SLUG_RE,
    DISCLOSURE_SLUG_RE,
    DISCLOSURE_TEXT_RE,
    REPORT_COLUMN_SLUG_RE,
    REPORT_COLUMN_TEXT_RE,
    SKIP_LINK_TEXT_RE,
    ColumnKind,
    column_kind,
    is_body_kind_link,
    is_bureau_url,
    is_under,
    is_year_link,
)
from crawler.discovery.documents import (
    ARCHIVE_EXTENSIONS,
    DOCUMENT_EXTENSIONS,
    is_document_url,
    is_skippable_url,
    unwrap_document_url,
)
from crawler.discovery.pagination import (
    INDEX_PAGE_RE,
    NEXT_PAGE_TEXT_RE,
    PAGE_PARAM_RE,
    article_next_page,
    filled_pages,
    is_page_option,
    is_pagination_link,
)
from crawler.discovery.scripts import (
    handler_url,
    onchange_target,
    script_handlers,
    script_page_urls,
)
from crawler.discovery.titles import (
    CN_YEAR_RE,
    EM_AGENCY_RE,
    FIRST_REPORT_YEAR,
    GRAPHIC_RE,
    NOT_A_REPORT_RE,
    ORG_SUFFIX_RE,
    REPORT_PHRASE_RE,
    TRUNCATED_PHRASE_RE,
    TRUNCATED_RE,
    YEAR_RE,
    TitleVerdict,
    classify_title,
    is_truncated,
    normalise_title,
    title_year,
)
from crawler.discovery.urls import (
    CACHE_BUSTER_RE,
    CACHE_BUSTER_VALUE_RE,
    TRACKING_PARAM_RE,
    absolute,
    canonical_url,
    is_tracking_param,
    link_base,
    url_template,
)

__all__ = [
    "ARCHIVE_EXTENSIONS",
    "BLOCK_MARKERS",
    "BUREAU_SLUG_RE",
    "CACHE_BUSTER_RE",
    "CACHE_BUSTER_VALUE_RE",
    "CN_YEAR_RE",
    "DISCLOSURE_SLUG_RE",
    "DISCLOSURE_TEXT_RE",
    "DOCUMENT_EXTENSIONS",
    "EM_AGENCY_RE",
    "FIRST_REPORT_YEAR",
    "GRAPHIC_RE",
    "INDEX_PAGE_RE",
    "NEXT_PAGE_TEXT_RE",
    "NOT_A_REPORT_RE",
    "ORG_SUFFIX_RE",
    "PAGE_PARAM_RE",
    "REPORT_COLUMN_SLUG_RE",
    "REPORT_COLUMN_TEXT_RE",
    "REPORT_PHRASE_RE",
    "SCRIPT_REDIRECT_RE",
    "SKIP_LINK_TEXT_RE",
    "TRACKING_PARAM_RE",
    "TRUNCATED_PHRASE_RE",
    "TRUNCATED_RE",
    "YEAR_RE",
    "ColumnKind",
    "TitleVerdict",
    "absolute",
    "article_next_page",
    "block_reason",
    "canonical_url",
    "classify_title",
    "column_kind",
    "filled_pages",
    "handler_url",
    "is_body_kind_link",
    "is_bureau_url",
    "is_document_url",
    "is_page_option",
    "is_pagination_link",
    "is_skippable_url",
    "is_tracking_param",
    "is_truncated",
    "is_under",
    "is_year_link",
    "link_base",
    "normalise_title",
    "onchange_target",
    "script_handlers",
    "script_page_urls",
    "script_redirect",
    "title_year",
    "unwrap_document_url",
    "url_template",
]

"""Derived samples: more reports of the same national format without more copies of documents.

Fixture sites need a bureau's reports of several years, but every sample in ``demo/samples``
is one agency's one year. A derived sample ``demo/samples/variants/NAME.json`` holds the record
a correct parse gives (agency, year, title and every number, as the other samples do) and names
the sample it is derived from (``derived_from``) and a whole ``scale``: its HTML body is the
parent's body with every table number multiplied by ``scale``, made when served. Scaling by a
whole number keeps every total of the tables a total, so the derived report is as consistent
as its parent; tests/demo/test_variants.py checks that the parser reads each body back to its
JSON.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from importlib.abc import Traversable
from typing import Any

from demo.manifest import SAMPLES_ROOT

VARIANTS = "variants"
#: a table cell's number: ``>52<`` or ``>1.68<`` between tags
CELL_NUMBER = re.compile(r">(\d+(?:\.\d+)?)<")
#: where a report body splits in two article pages: before section 三 (the applications table)
PAGE_BREAK = re.compile(r'(?=<p style="text-indent:2em"><strong>三、)')


def scaled(value: Any, scale: int) -> Any:
    """A record's numbers multiplied by ``scale`` (decimals stay exact: 1.68 x 3 = 5.04)."""
    if isinstance(value, dict):
        return {k: scaled(v, scale) for k, v in value.items()}
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, int):
        return value * scale
    return float(Decimal(str(value)) * scale)


def scale_body(body: str, scale: int) -> str:
    def one(m: re.Match[str]) -> str:
        return ">" + str(Decimal(m.group(1)) * scale) + "<"

    return CELL_NUMBER.sub(one, body)


def sample_record(name: str, root: Traversable = SAMPLES_ROOT) -> dict[str, Any]:
    """The JSON of a sample or derived sample (``variants/NAME``)."""
    return dict(json.loads((root / f"{name}.json").read_text("utf-8")))


def report_body(name: str, root: Traversable = SAMPLES_ROOT) -> str:
    """The HTML body of a sample, or of a derived sample made from its parent's."""
    node = root / f"{name}.body.html"
    if node.is_file():
        return node.read_text("utf-8")
    spec = sample_record(name, root)
    return scale_body(report_body(str(spec["derived_from"]), root), int(spec["scale"]))


def body_page(name: str, page: int, pages: int, root: Traversable = SAMPLES_ROOT) -> str:
    """Page ``page`` (1-based) of a body published over ``pages`` article pages (1 or 2):
    sections 一 and 二 on the first, 三 onwards (tables 三 and 四) on the second."""
    body = report_body(name, root)
    if pages == 1:
        return body
    first, rest = PAGE_BREAK.split(body, maxsplit=1)
    return first if page == 1 else rest

"""Report content: what makes two records the same report, and every cell of tables 二/三/四.

"Same content" is decided by :func:`content_hash`: the canonical JSON of the record's numbers
(``active_disclosure``, ``applications``, ``review_litigation``), ``year`` and ``template``,
plus any other key the parser adds, but NOT the spelling of ``agency``/``title`` (identity is
decided by the agency key, see storage/identity.py), nor the volatile keys (warnings,
parser_version, sources, region, status) nor the free-text ``sections``. A report without any
number (pre-2019, status ``unstructured``) hashes its text instead, whitespace removed.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from yingji_parser.vocabulary import TableSection

#: the record's table sections, spelled once by the parser (yingji_parser.vocabulary)
TABLE_SECTIONS: tuple[str, ...] = tuple(s.value for s in TableSection)
# keys that never make two records different (see the module docstring)
VOLATILE_KEYS = frozenset(
    {"warnings", "parser_version", "sources", "region", "status", "agency", "title"}
)
TEXT_KEYS = frozenset({"sections", "unstructured_text"})


_SPACE = re.compile(r"\s+")


def _norm_value(v: Any) -> Any:
    if type(v) is int:  # most of a record: its numbers (a bool is not an int here)
        return v
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        return _SPACE.sub("", unicodedata.normalize("NFKC", v))
    if isinstance(v, dict):
        return {str(k): _norm_value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_norm_value(x) for x in v]
    return v


def _has_numbers(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return True
    if isinstance(v, dict):
        return any(_has_numbers(x) for x in v.values())
    if isinstance(v, list):
        return any(_has_numbers(x) for x in v)
    return False


def content_of(record: dict[str, Any]) -> dict[str, Any]:
    """The part of a record that decides whether two records are the same report content."""
    content = {
        k: _norm_value(v)
        for k, v in record.items()
        if k not in VOLATILE_KEYS and k not in TEXT_KEYS
    }
    if not any(_has_numbers(record.get(s)) for s in TABLE_SECTIONS):
        for k in sorted(TEXT_KEYS):
            if record.get(k):
                content[k] = _norm_value(record[k])
    return content


def content_hash(record: dict[str, Any]) -> str:
    canonical = json.dumps(
        content_of(record), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cells_of(record: dict[str, Any]) -> list[tuple[str, str, str, float | None]]:
    """Every cell of tables 二/三/四 as (section, row_key, column_key, value).

    A dict of numbers is a row (``applications.new.total`` -> ``new``/``total``); a number
    directly under the section is a one-cell row with column ``value`` (``licensing``); deeper
    nesting joins the inner keys with dots. Non-numbers (and blanks) are NULL.
    """
    out: list[tuple[str, str, str, float | None]] = []
    for section in TABLE_SECTIONS:
        data = record.get(section)
        if not isinstance(data, dict):
            continue
        for row_key, row in data.items():
            if isinstance(row, dict):
                for col_key, value in _flatten(row):
                    out.append((section, str(row_key), col_key, _number(value)))
            else:
                out.append((section, str(row_key), "value", _number(row)))
    return out


def _flatten(d: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from _flatten(v, key + ".")
        else:
            yield key, v


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v)


def now(seen_at: datetime | None) -> datetime:
    if seen_at is None:
        return datetime.now(UTC)
    return seen_at if seen_at.tzinfo else seen_at.replace(tzinfo=UTC)

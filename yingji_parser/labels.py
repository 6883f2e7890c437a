"""Text normalisation for table labels and cell values.

Labels in published reports differ from the template in ways that carry no meaning: spaces
inside words ("本 年 度"), full- versus half-width punctuation, "1." / "1、" / "（1）" numbering,
a header cell broken over two lines ("商业\\n企业"). Every comparison in the mapper therefore works
on normalised text (:func:`core`), and fuzzy matching (rapidfuzz) absorbs the rest (typos,
shortened labels). Numbers are read by :func:`parse_number`, which keeps "blank" (None) apart
from 0.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Every kind of space (ASCII, NBSP, ideographic, zero-width) and line break: none carries meaning
# inside a label, and Word/PDF output scatters them freely.
_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\u200c\u200d\ufeff]+")
# Quotation marks and similar decoration that templates use inconsistently ("三安全一稳定").
_DECOR = re.compile(r"[\"'“”‘’「」『』《》〈〉:：;；,，。·•*★\-—–_~～]")
# A leading enumeration: 一、 (一) （一） 1. 1、 (1) ① and combinations like "三、(一)".
_CN_NUM = "一二三四五六七八九十"
_NUMBERING = re.compile(
    rf"^(?:(?:[{_CN_NUM}]+[、.．])|(?:\([{_CN_NUM}\d]+\)[、.．]?)|(?:\d+[、.．](?!\d))"
    r"|(?:[①-⑳]))+"
)
# Remarks in brackets that are not part of the label: "(区分处理的，只计这一情形…)",
# "(本列数据的勾稽关系为：…)", "(单位：万元)"; bracketed numbering "(一)" goes with them.
_REMARK = re.compile(r"\([^()]*\)")


def squash(text: str) -> str:
    """NFKC (full-width → half-width) and every space removed; nothing else changes."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """The form labels are compared in: squashed, without quotes and decoration."""
    out = _DECOR.sub("", squash(text)).replace("[", "(").replace("]", ")")
    return out.replace("其它", "其他")  # both spellings are common and mean the same


def strip_numbering(label: str) -> str:
    """Drop a leading enumeration ("三、", "(二)", "1.", "（1）") from a normalised label."""
    return _NUMBERING.sub("", label, count=1)


def strip_remarks(label: str) -> str:
    """Drop bracketed remarks from a normalised label, unless that would leave nothing."""
    out = _REMARK.sub("", label)
    return out or label


@lru_cache(maxsize=8192)
def core(text: str) -> str:
    """Normalised label without numbering or remarks: what the mapper matches on."""
    # "、" separates numbering ("三、") from the label, so it goes only after numbering is gone.
    return strip_numbering(strip_remarks(normalise(text))).replace("、", "")


def leading_numbering(text: str) -> str:
    """The enumeration a label starts with ("(六)", "3."), normalised; "" if none."""
    n = normalise(text)
    m = _NUMBERING.match(n)
    return m.group(0) if m else ""


# --- numbers -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A value cell whose text is neither blank nor a number (kept for the warning)."""

    text: str


Number = int | float
# Cells that state "nothing" rather than a number: kept as null, never turned into 0.
_BLANKS = {"", "-", "--", "—", "——", "/", "\\", "—/—", "null", "none", "n/a", "空"}
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:,\d{3})*|\d*)(?:\.\d+)?$")
_UNIT = re.compile(r"(万元|元|件|个|项|条|次|人|家)$")


@lru_cache(maxsize=8192)
def parse_number(text: str) -> Number | Unreadable | None:
    """Read a value cell: None for blank, int for counts, float where a decimal point shows.

    Only the cell text is looked at: a blank stays None (the schema's "not stated"), "0" is 0.
    """
    s = squash(text).lower().replace("\u2212", "-")  # U+2212 MINUS SIGN, as typeset
    if s in _BLANKS:
        return None
    s = _UNIT.sub("", s)
    if s and _NUMBER.match(s) and any(ch.isdigit() for ch in s):
        s = s.replace(",", "")
        if "." in s:
            value = float(s)
            return value
        return int(s)
    return Unreadable(text.strip())


def is_value_text(text: str) -> bool:
    """True for a cell that holds a number or is blank: not part of a row's label."""
    return not isinstance(parse_number(text), Unreadable)


def is_number_text(text: str) -> bool:
    """True for a cell that holds an actual number (not blank)."""
    v = parse_number(text)
    return v is not None and not isinstance(v, Unreadable)


_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")


def cn_digits(text: str) -> str:
    """ "二〇二三" → "2023" so years written in Chinese numerals are read like Arabic ones."""
    return text.translate(_CN_DIGITS)

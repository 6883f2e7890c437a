"""What one PDF page holds for table reconstruction: characters with boxes, ruling lines, images.

Coordinates are *top-down* page space (y grows downwards, 0 = top of the visible page) so that
"reading order" is simply sorting by y then x.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Char:
    """A glyph, or a run of glyphs touching on one baseline: text and loose box (font ascent
    to descent, top-down coordinates)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class Segment:
    """An axis-aligned ruling line: ``pos`` is y (horizontal) or x (vertical), ``a..b`` its span."""

    horizontal: bool
    pos: float
    a: float
    b: float


@dataclass(slots=True)
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    images: int = 0
    truncated: bool = False  # object or character cap hit

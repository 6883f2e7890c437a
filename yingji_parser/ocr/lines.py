"""Text lines inside a box of a page, by projection profiles of the ink.

A cell (or a strip of the page outside the tables) is cut into text lines where its rows hold
no ink, and each line is trimmed to its ink left and right. The recogniser then reads each
line image on its own, so every word is known to belong to its cell without any detector.
"""

from __future__ import annotations

import numpy as np

MIN_LINE_HEIGHT = 5  # px: shorter runs of ink are specks or what is left of a ruling line
MIN_INK = 6  # ink pixels a line needs to be read at all
FAR_SPECK = 0.1  # of the line height squared: ink a cluster far from the rest must have
MARGIN_Y = 0.2  # of the line height, kept above and below a line image (see crop())
MARGIN_X = 0.4  # of the line height, kept left and right


def line_boxes(
    ink: np.ndarray, box: tuple[int, int, int, int], inset: int = 0
) -> list[tuple[int, int, int, int]]:
    """The text lines of ``box`` in ``ink`` (page coordinates), top to bottom."""
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    if x1 - x0 < 3 or y1 - y0 < 3:
        return []
    region = ink[y0:y1, x0:x1]
    rows = region.sum(axis=1)
    out: list[tuple[int, int, int, int]] = []
    start = None
    for i, count in enumerate(np.append(rows, 0)):
        if count and start is None:
            start = i
        elif not count and start is not None:
            if i - start >= MIN_LINE_HEIGHT:
                strip = region[start:i]
                cols = _kept_columns(strip)
                if cols.size and strip.sum() >= MIN_INK:
                    out.append((x0 + int(cols[0]), y0 + start, x0 + int(cols[-1]) + 1, y0 + i))
            start = None
    return _join_short(out)


def _kept_columns(strip: np.ndarray) -> np.ndarray:
    """The ink columns of a text line, without a speck standing far off at either end.

    A blob of dust that survived the speck filter (big enough, or near a ruling line) on the
    line of a number widens its image, and the recogniser reads it as one more digit. Glyphs
    of a line stand closer than its height; a small cluster of ink further away than that
    from the rest of the line is not text.
    """
    cols = np.flatnonzero(strip.any(axis=0))
    height = strip.shape[0]
    if cols.size < 2:
        return cols
    cuts = np.flatnonzero(np.diff(cols) > height) + 1
    if not cuts.size:
        return cols
    groups = np.split(cols, cuts)
    ink = [int(strip[:, g[0] : g[-1] + 1].sum()) for g in groups]
    small = FAR_SPECK * height * height
    while len(groups) > 1 and ink[0] < small:
        groups, ink = groups[1:], ink[1:]
    while len(groups) > 1 and ink[-1] < small:
        groups, ink = groups[:-1], ink[:-1]
    return np.concatenate(groups)


def _join_short(lines: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Glue a thin run back onto its neighbour (the dot of a punctuation mark, an underline)."""
    if len(lines) < 2:
        return lines
    heights = sorted(b[3] - b[1] for b in lines)
    typical = heights[len(heights) // 2]
    out: list[tuple[int, int, int, int]] = []
    for b in lines:
        thin = out and (b[3] - b[1] < typical * 0.45 or out[-1][3] - out[-1][1] < typical * 0.45)
        if thin and b[1] - out[-1][3] <= 2:
            a = out.pop()
            b = (min(a[0], b[0]), a[1], max(a[2], b[2]), b[3])
        out.append(b)
    return out


def crop(
    grey: np.ndarray,
    box: tuple[int, int, int, int],
    limits: tuple[int, int, int, int],
    margin: float = 1.0,
) -> np.ndarray:
    """A line image for the recogniser, as BGR: the line with a margin of the page around it.

    The recogniser was trained on detector boxes, which leave space around the glyphs; a crop
    tight to the ink makes a lone "0" look like an "o". The margin (a share of the line
    height) stays inside ``limits``: the cell's interior, cut halfway to the next line.
    ``margin`` scales it (a second look at an unsure line takes twice the margin).
    """
    x0, y0, x1, y1 = box
    height = y1 - y0
    my, mx = round(height * MARGIN_Y * margin), round(height * MARGIN_X * margin)
    lx0, ly0, lx1, ly1 = limits
    part = grey[max(y0 - my, ly0) : min(y1 + my, ly1), max(x0 - mx, lx0) : min(x1 + mx, lx1)]
    if part.size == 0:
        part = grey[y0:y1, x0:x1]
    return np.repeat(part[:, :, None], 3, axis=2)


def padded(image: np.ndarray) -> np.ndarray:
    """A line image set on white paper half its height wider all round: a second view of a
    line the recogniser was unsure of (a lone "0" it took for a letter "o", say)."""
    h, w = image.shape[:2]
    pad = max(2, h // 2)
    out = np.full((h + 2 * pad, w + 4 * pad, image.shape[2]), 255, np.uint8)
    out[pad : pad + h, 2 * pad : 2 * pad + w] = image
    return out


def limits_of(
    lines: list[tuple[int, int, int, int]], area: tuple[int, int, int, int]
) -> list[tuple[int, int, int, int]]:
    """For each line of ``area``, the rectangle its margin may use (up to halfway to its
    neighbours above and below)."""
    out = []
    for i, (_x0, y0, _x1, y1) in enumerate(lines):
        top = (lines[i - 1][3] + y0) // 2 if i else area[1]
        bottom = (y1 + lines[i + 1][1]) // 2 if i + 1 < len(lines) else area[3]
        out.append((area[0], top, area[2], bottom))
    return out

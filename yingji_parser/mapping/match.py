"""Fuzzy matching of a normalised label against the official labels of the format.

Exact equality wins; a label that contains the official one or is a shortened form of it
("规范性文件" for "行政规范性文件") scores by how much of the longer one it covers; anything
else scores by rapidfuzz's edit-distance ratio, which absorbs typos ("其他法律行政止公开").
Scores are 0–100; a tie is broken by the template order (the candidate nearest after the last
row matched), never by position alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

EXACT = 100.0
THRESHOLD = 75.0


def score(label: str, official: str, *, allow_contain: bool = True) -> float:
    if not label or not official:
        return 0.0
    if label == official:
        return EXACT
    best = float(fuzz.ratio(label, official))
    if allow_contain and min(len(label), len(official)) >= 2:
        short, long_ = sorted((label, official), key=len)
        if short in long_:
            best = max(best, 70.0 + 29.0 * len(short) / len(long_))
    return best


@lru_cache(maxsize=64)
def _flat(candidates: tuple[tuple[str, Sequence[str]], ...]) -> list[tuple[str, int]]:
    """(label, candidate index) for every label of every candidate, in candidate order."""
    return [(lab, i) for i, (_, labels) in enumerate(candidates) for lab in labels]


@lru_cache(maxsize=16384)
def best_match(
    label: str,
    candidates: Sequence[tuple[str, Sequence[str]]],
    *,
    after: int = -1,
    allow_contain: bool = True,
    threshold: float = THRESHOLD,
) -> tuple[int, float] | None:
    """Index of the best candidate (key, labels) for ``label`` and its score, or None.

    ``after`` is the index of the candidate matched last: on equal scores the first candidate
    after it wins, which resolves labels the format uses twice.
    """
    if not allow_contain and after < 0:  # plain edit distance: rapidfuzz's C loop, first best
        flat = _flat(tuple(candidates))
        hit = process.extractOne(
            label, [lab for lab, _ in flat], scorer=fuzz.ratio, score_cutoff=threshold
        )
        return None if hit is None else (flat[hit[2]][1], float(hit[1]))
    scored: list[tuple[float, int, int]] = []
    n = len(candidates)
    for i, (_, labels) in enumerate(candidates):
        s = max(score(label, lab, allow_contain=allow_contain) for lab in labels)
        if s >= threshold:
            distance = (i - after - 1) % n if n else 0
            scored.append((s, -distance, i))
    if not scored:
        return None
    s, _, i = max(scored)
    return i, s

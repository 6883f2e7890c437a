"""Page images made readable: grey, denoised, deskewed, and an ink mask for layout analysis.

Scans and phone photos of reports are soft, grey and tilted by a degree or two. The tilt is
found as the angle whose horizontal projection of the ink is sharpest (ruled tables and text
lines both give tall narrow peaks when level), searched coarse-to-fine on a reduced copy, and
the page is rotated back. Scanner speckle is removed by blob size after Otsu thresholding,
and painted out of the grey image the recogniser reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SPECK_AREA = 3  # px: blobs smaller than this are scanner noise, not ink
PAPER_KERNEL = 31  # px: wider than any stroke, narrower than a shadow
EVEN_PAPER = 200  # grey: paper at least this light everywhere needs no flattening
LONE_SPECK_AREA = 6  # px: blobs smaller than this are noise too when no other ink is near
LONE_REACH = 8  # px: "near" for LONE_SPECK_AREA (a full stop sits closer to its text)


@dataclass(frozen=True, slots=True)
class PageImage:
    """A levelled page: ``grey`` for the recogniser, ``ink`` (bool) for finding the layout."""

    grey: np.ndarray
    ink: np.ndarray
    angle: float  # degrees the page was rotated back by


def decode(data: bytes) -> np.ndarray | None:
    """Image bytes (JPEG, PNG, anything OpenCV reads) -> grey array, None when unreadable."""
    array = np.frombuffer(data, dtype=np.uint8)
    grey = cv2.imdecode(array, cv2.IMREAD_GRAYSCALE)
    return grey if grey is not None and grey.size else None


def _binarise(grey: np.ndarray) -> np.ndarray:
    """Ink by Otsu's threshold, specks removed.

    No median or opening filter: at 100 dpi a ruling line is one soft pixel wide and either
    would erase it. Speckle is told apart by size instead: the tiniest blobs always, small ones
    when they stand alone (a full stop or the dot of a character sits next to its text; a
    speck of dust or JPEG noise in the paper does not).
    """
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < SPECK_AREA
    small[0] = False
    if count > 1 and small.any():
        ink[small[labels]] = 0
    # a cluster of ink (blobs within LONE_REACH of each other: the strokes of a soft "0" are
    # one cluster even when broken) with less ink in all than LONE_SPECK_AREA is dust
    reach = 2 * LONE_REACH + 1
    near = cv2.dilate(ink, np.ones((reach, reach), np.uint8))
    count, clusters = cv2.connectedComponents(near, connectivity=8)
    area = np.bincount(clusters[ink > 0], minlength=count)
    lone = area < LONE_SPECK_AREA
    lone[0] = False
    if lone.any():
        ink[lone[clusters] & (ink > 0)] = 0
    return ink > 0


def _unspeck(grey: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """``grey`` with the specks :func:`_binarise` dropped painted white, so that the
    recogniser does not read a speck beside a digit as a full stop. Only the specks: the
    glyphs' soft edges are what the recogniser was trained on (whitening all the paper
    around the ink turns a lone "0" into a "○")."""
    _, dark = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    specks = (dark > 0) & ~ink
    if not specks.any():
        return grey
    around = cv2.dilate(specks.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    around &= ~(cv2.dilate(ink.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
    out = grey.copy()
    out[around | specks] = 255
    return out


def _sharpness(ink: np.ndarray, angle: float) -> float:
    h, w = ink.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST)
    profile = turned.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(profile)).sum())


def skew_angle(ink: np.ndarray, max_angle: float) -> float:
    """The rotation (degrees) that levels the page's lines, to about 0.03 degree."""
    small = ink.astype(np.uint8)
    scale = min(1.0, 800 / max(ink.shape))
    if scale < 1.0:
        small = np.asarray(
            cv2.resize(small, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), np.uint8
        )
    best = 0.0
    span = max_angle
    for step in (0.5, 0.1, 0.025):  # coarse to fine, each search around the last best angle
        candidates = np.arange(best - span, best + span + 1e-9, step)
        best = float(max(candidates, key=lambda a: _sharpness(small, float(a))))
        span = step
    return float(best)


def flatten(grey: np.ndarray) -> np.ndarray:
    """The page divided by its own paper: a photo lit unevenly (darker towards a corner) has
    one threshold for ink again. The paper is the page closed with a kernel wider than any
    stroke (text and rules vanish); an evenly lit scan is left as it is."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (PAPER_KERNEL, PAPER_KERNEL))
    paper = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, kernel).astype(np.float32)
    if float(paper.min()) >= EVEN_PAPER:
        return grey
    flat = grey.astype(np.float32) * 255.0 / np.maximum(paper, 1.0)
    return np.clip(flat, 0, 255).astype(np.uint8)


def level(grey: np.ndarray, max_angle: float = 3.0) -> PageImage:
    """Even the lighting, denoise, deskew and threshold a grey page."""
    grey = flatten(grey)
    ink = _binarise(grey)
    angle = skew_angle(ink, max_angle)
    if abs(angle) >= 0.05:
        h, w = grey.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        grey = cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
        ink = _binarise(grey)
    return PageImage(grey=_unspeck(grey, ink), ink=ink, angle=angle)

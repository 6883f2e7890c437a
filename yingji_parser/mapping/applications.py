"""Section 三 (收到和处理政府信息公开申请情况) → ``record["applications"]``.

Rows are identified by their most specific label (``1.属于国家秘密`` under ``(三)不予公开``)
matched fuzzily against the format; columns by the header rows above them (the bottom-most
header text at each position: 自然人, 商业企业 … 总计). A repeated header (a page break) just
renews the column map; a continuation table without a header reuses the last one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

from yingji_parser.labels import Number, core, strip_numbering
from yingji_parser.mapping import catalogue as cat
from yingji_parser.mapping.match import EXACT, best_match, score
from yingji_parser.mapping.repairs import Repair, Verdicts, decide_together, fit, values
from yingji_parser.mapping.rows import Row
from yingji_parser.mapping.rules import application_checks, verdicts
from yingji_parser.mapping.values import by_positions, numbers
from yingji_parser.result import ParseWarning
from yingji_parser.warnings import warn

Cells = dict[str, int | float | None]
Values = list[Number | None]
MAX_HEADER_ROWS = 6  # the format's header has three rows; more is text, not header


@cache
def _candidates(template: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    rows = cat.APPLICATION_ROWS_2019 if template == "2019" else cat.APPLICATION_ROWS_2021
    specs = list(rows)
    if template != "2019":
        specs.append(cat.OTHER_GROUP)  # （六）其他处理 given as one row: recognised, then warned
    return tuple((s.key, tuple(core(x) for x in s.labels)) for s in specs)


_GROUP_LABELS = tuple(core(x) for x in cat.OTHER_GROUP.labels)
_COLUMNS = tuple((k, tuple(core(x) for x in labels)) for k, labels in cat.APPLICANT_COLUMNS)


_GROUPS = ("本年度办理结果", "不予公开", "无法提供", "不予处理", "其他处理")


def without_group(leaf: str) -> str:
    """ "不予公开1.属于国家秘密" → "属于国家秘密": a group label run into its row's label (one
    cell in some PDFs and Word tables) must not decide the match."""
    changed = True
    while changed:
        changed = False
        for group in _GROUPS:
            if leaf.startswith(group) and len(leaf) > len(group):
                leaf = strip_numbering(leaf[len(group) :])
                changed = True
    return leaf


def is_header(row: Row) -> bool:
    if row.has_numbers:
        return False
    return any(word in c for c in row.cores for word in cat.APPLICANT_HEADER_WORDS)


_GROUP_HEADERS = {"法人或其他组织", "申请人情况"}


def column_key(text: str) -> str | None:
    """The applicant column a header text names: the official label, a near miss, or a short
    form of it ("企业", "公益组织"); never the group headers around them ("法人或其他组织")."""
    if not text or text in _GROUP_HEADERS:
        return None
    hit = best_match(text, _COLUMNS, allow_contain=False, threshold=80)
    if hit is not None:
        return _COLUMNS[hit[0]][0]
    if 2 <= len(text) <= 8:
        for key, labels in _COLUMNS:
            if any(text in lab or (lab in text and len(lab) > 2) for lab in labels):
                return key
    return None


def column_positions(header: list[Row]) -> list[int] | None:
    """Positions of the seven columns from the header rows, or None if they are not all there."""
    width = max(len(r.cells) for r in header)
    found: dict[str, int] = {}
    for pos in range(width):
        bottom = ""
        for r in reversed(header):
            if pos < len(r.cells) and r.cores[pos]:
                bottom = r.cores[pos]
                break
        key = column_key(bottom)
        if key is not None:
            found.setdefault(key, pos)
    if len(found) != len(cat.APPLICANT_KEYS):
        return None
    positions = [found[k] for k in cat.APPLICANT_KEYS]
    return positions if positions == sorted(positions) else None


def _blank_tail(texts: list[str], what: str, row: Row) -> list[str] | Repair:
    """Blank last column(s) after filled ones, read by position: most likely a row short of
    cells (a grid pads a short row at its end), so a repair to decide, not a blank total."""
    filled = [bool(t.strip()) for t in texts]
    if filled[-1] or not any(filled):
        return texts
    printed = texts[: max(i for i, f in enumerate(filled) if f) + 1]
    return fit(printed, cat.APPLICANT_KEYS, what, row.where)


def _rules(template: str, expected: list[str]) -> Callable[[Mapping[str, Values]], Verdicts]:
    """Rules 1–3 over table 三 given each row's numbers (rows not found are blank)."""
    empty = [None] * len(cat.APPLICANT_KEYS)

    def rules(table: Mapping[str, Values]) -> Verdicts:
        keys = cat.APPLICANT_KEYS
        apps = {k: dict(zip(keys, table.get(k, empty), strict=True)) for k in expected}
        return verdicts(application_checks(apps, template))

    return rules


def _names_all_columns(header: list[Row]) -> bool:
    """Whether the header rows name all seven columns somewhere (aligned or not)."""
    names = {c for r in header for c in r.cores if c}
    return all(any(lab in names for lab in labels) for _, labels in _COLUMNS)


def empty_row() -> Cells:
    return dict.fromkeys(cat.APPLICANT_KEYS)


def map_applications(
    rows: list[Row], template: str, warnings: list[ParseWarning]
) -> tuple[dict[str, Cells], set[str]]:
    """The applications object (every row key present, null where missing) and the keys found."""
    candidates = _candidates(template)
    expected = [r.key for r in (cat.APPLICATION_ROWS_2019 if template == "2019" else
                                cat.APPLICATION_ROWS_2021)]  # fmt: skip
    readings: dict[str, tuple[Row, list[str] | Repair]] = {}
    header: list[Row] = []
    positions: list[int] | None = None
    last = -1
    prev_header = False
    assumed_said = False
    for row in rows:
        if is_header(row):
            if not prev_header:
                header = []
            header = [*header[-(MAX_HEADER_ROWS - 1) :], row]
            positions = column_positions(header)
            prev_header = True
            continue
        prev_header = False
        if not row.leaf:
            continue
        leaf = without_group(row.leaf)
        if leaf in _GROUPS[:-1]:  # a group's own row ("（三）不予公开" alone): no values of its own
            continue
        hit = best_match(leaf, candidates, after=last)
        for alt in row.alternatives() if hit is None else ():
            leaf = without_group(alt.leaf)
            hit = best_match(leaf, candidates, after=last)
            if hit is not None:
                row = alt
                break
        if hit is None:
            continue
        index, s = hit
        if candidates[index][1] == _GROUP_LABELS and template != "2019" and not row.has_numbers:
            continue  # （六）其他处理 on a row of its own, its sub-rows follow
        key = candidates[index][0]
        what = f"三/{key}"
        if s < EXACT:
            official = max(candidates[index][1], key=lambda lab: score(leaf, lab))
            warnings.append(
                warn("label_fuzzy", f"row label {leaf!r} read as {official!r} ({key})", row.where)
            )
        if template != "2019" and candidates[index][1] == _GROUP_LABELS:
            warnings.append(
                warn(
                    "other_not_split",
                    "（六）其他处理 is a single row without its three sub-rows; its values "
                    "went to `other`, the two sub-rows are null",
                    row.where,
                )
            )
        if key in readings:
            warnings.append(
                warn("row_duplicate", f"{what} appears again; kept the first", row.where)
            )
            continue
        texts = by_positions(row, positions) if positions else None
        reading: list[str] | Repair
        if texts is not None:
            reading = _blank_tail(texts, what, row)
        else:
            texts = [c.text for c in row.value_cells if not c.merged]
            reading = fit(texts, cat.APPLICANT_KEYS, what, row.where)
            if not assumed_said and not _names_all_columns(header):
                assumed_said = True
                warnings.append(
                    warn(
                        "columns_assumed",
                        "the header of 三 does not name the seven applicant columns; values "
                        "read in the format's column order",
                        row.where,
                    )
                )
        readings[key] = (row, reading)
        last = index
    found = _decide(readings, _rules(template, expected), warnings)
    result: dict[str, Cells] = {}
    for key in expected:
        result[key] = found.get(key) or empty_row()
    return result, set(found)


def _decide(
    readings: Mapping[str, tuple[Row, list[str] | Repair]],
    rules: Callable[[Mapping[str, Values]], Verdicts],
    warnings: list[ParseWarning],
) -> dict[str, Cells]:
    """Every row's numbers, the repaired rows read as the table's sums confirm."""
    fixed = {k: values(r) for k, (_, r) in readings.items() if not isinstance(r, Repair)}
    repairs = {k: r for k, (_, r) in readings.items() if isinstance(r, Repair)}
    decisions = decide_together(fixed, repairs, rules)
    found: dict[str, Cells] = {}
    for key, (row, reading) in readings.items():
        if isinstance(reading, Repair):
            warnings.append(decisions[key].warning(reading))
            texts = list(decisions[key].reading.texts)
        else:
            texts = reading
        found[key] = numbers(texts, cat.APPLICANT_KEYS, f"三/{key}", row, warnings)
    return found

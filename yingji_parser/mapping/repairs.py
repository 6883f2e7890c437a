"""Which printed cell goes where when a row has one value cell too many or too few.

Real reports put the stray cell anywhere: an extra 0 between a total row's numbers, a cell
lost in the middle of a row. Taking it to be at one end (the positional reading) shifts every
column after it. So every reading that drops (or adds as blank) one cell is a candidate, and the
format's own consistency rules (yingji_parser.mapping.rules) choose: the reading under which
the row adds up to its total and its columns agree with the rows above and below wins — if it
is the only one. When several readings pass or none does, the positional one is kept. Either
way the warning says which cell was dropped (or which column left null) and whether the sums
confirmed it. The numbers are never changed: only which printed cell goes under which column.

A rule instance that holds under every reading, or fails under every reading, says nothing
about the stray cell (a column broken by another row fails whatever this row does), so only
the instances that hold under some readings and fail under others decide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from yingji_parser.labels import Number, parse_number
from yingji_parser.mapping.rules import REVIEW_SUM, ROW_SUM
from yingji_parser.result import ParseWarning
from yingji_parser.warnings import warn

#: rule instance -> whether it holds, for one reading; an instance a blank keeps from being
#: made is absent. The key is (rule, item): (ROW_SUM, "granted"), (OUTCOMES, "research") …
Verdicts = Mapping[tuple[str, str], bool]
ROW_RULES = (ROW_SUM, REVIEW_SUM)  # rules inside one row; the others run down a column


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to put a row's printed cells under the format's columns."""

    texts: tuple[str, ...]  # one per column, in the format's order ("" = null)
    change: str  # what it does to the printed row, for the warning


@dataclass(frozen=True, slots=True)
class Repair:
    """A row whose value cells do not fit the columns, and the readings to choose from."""

    code: str  # row_too_long / row_too_short
    what: str  # "三/granted"
    where: str
    printed: int  # value cells the row has
    readings: tuple[Reading, ...]  # the positional reading first

    @property
    def positional(self) -> Reading:
        return self.readings[0]


@dataclass(frozen=True, slots=True)
class Decision:
    """The reading chosen for a :class:`Repair`, and why."""

    reading: Reading
    confirmed: bool
    why: str

    def warning(self, repair: Repair) -> ParseWarning:
        columns = len(self.reading.texts)
        how = "confirmed by the format's sums" if self.confirmed else "kept by position"
        return warn(
            repair.code,
            f"{repair.what}: {repair.printed} value cells for {columns} columns; "
            f"{self.reading.change}; {how}: {self.why}",
            repair.where,
        )


def fit(texts: Sequence[str], keys: Sequence[str], what: str, where: str) -> list[str] | Repair:
    """The row's value cells as ``len(keys)`` texts, or the :class:`Repair` to decide.

    Blank cells at either end of a row that is too long are just padding and go first.
    """
    n = len(keys)
    cells = list(texts)
    while len(cells) > n and not cells[-1].strip():
        cells.pop()
    while len(cells) > n and not cells[0].strip():
        cells.pop(0)
    if len(cells) == n:
        return cells
    readings: list[Reading] = []
    if len(cells) == n + 1:
        for i in (n, *range(n)):  # the last cell first: the positional reading
            readings.append(
                Reading(
                    tuple(cells[:i] + cells[i + 1 :]),
                    f"dropped the extra cell {cells[i]!r} (value cell {i + 1} of {n + 1})",
                )
            )
    elif len(cells) == n - 1:
        for i in (n - 1, *range(n - 1)):  # the last column null first: the positional reading
            readings.append(
                Reading(
                    (*cells[:i], "", *cells[i:]),
                    f"took the cell of column {keys[i]} to be missing and left it null",
                )
            )
    elif len(cells) > n:
        readings.append(Reading(tuple(cells[:n]), f"kept the first {n}, dropped {cells[n:]!r}"))
    else:
        missing = n - len(cells)
        readings.append(
            Reading(
                tuple(cells + [""] * missing),
                f"filled from the left, the last {missing} column(s) left null",
            )
        )
    code = "row_too_long" if len(cells) > n else "row_too_short"
    unique: list[Reading] = []  # two equal cells side by side: dropping either reads the same
    for reading in readings:
        if all(reading.texts != u.texts for u in unique):
            unique.append(reading)
    return Repair(code, what, where, len(cells), tuple(unique))


def values(texts: Sequence[str]) -> list[Number | None]:
    """Numbers of a reading for the rules (a cell that is no number counts as blank)."""
    out: list[Number | None] = []
    for text in texts:
        value = parse_number(text)
        out.append(value if isinstance(value, int | float) else None)
    return out


def decide(repair: Repair, verdicts: Sequence[Verdicts]) -> Decision:
    """Choose among ``repair.readings`` given the rules' verdicts under each (same order)."""
    if len(repair.readings) == 1:
        off = abs(repair.printed - len(repair.positional.texts))
        if off == 1:  # equal cells only: whichever is dropped, the row reads the same
            return Decision(repair.positional, False, "every reading gives the same numbers")
        return Decision(repair.positional, False, f"{off} cells off, beyond what the sums decide")
    keys = list(dict.fromkeys(k for v in verdicts for k in v))  # in the rules' order
    telling = [k for k in keys if _telling([v.get(k) for v in verdicts])]
    if not telling:
        made = [v[k] for v in verdicts for k in v]
        why = "the sums cannot tell the readings apart"
        if not made:
            why = "no sum can be checked (blank cells)"
        elif not any(made):
            why = "no reading makes the sums hold"
        return Decision(repair.positional, False, why)
    passing = [
        i
        for i, v in enumerate(verdicts)
        if any(v.get(k) is True for k in telling) and not any(v.get(k) is False for k in telling)
    ]
    if len(passing) == 1:
        chosen = repair.readings[passing[0]]
        return Decision(chosen, True, _held(verdicts[passing[0]], telling, len(chosen.texts)))
    if not passing:
        return Decision(repair.positional, False, "no reading makes the sums hold")
    return Decision(repair.positional, False, f"{len(passing)} readings make the sums hold")


def _telling(states: list[bool | None]) -> bool:
    """Whether a rule instance tells readings apart: it holds under some and fails (or cannot
    be made) under others. One that fails under every reading is broken by another row."""
    return len(set(states)) > 1


def _held(verdicts: Verdicts, telling: list[tuple[str, str]], width: int) -> str:
    """What confirmed a reading: its row's sum, the columns whose rules it makes hold."""
    held = [k for k in telling if verdicts.get(k)]
    rows = [item for rule, item in held if rule in ROW_RULES]
    columns = list(dict.fromkeys(item for rule, item in held if rule not in ROW_RULES))
    parts = []
    if rows:
        parts.append("the row adds up to its total")
    if len(columns) == width:
        parts.append("every column agrees with the rows above and below")
    elif columns:
        parts.append(f"columns {', '.join(columns)} agree with the rows above and below")
    return " and ".join(parts)


def decide_alone(
    repair: Repair, rules: Callable[[list[Number | None]], Verdicts] | None
) -> Decision:
    """Decide a row by its own cells only (四, whose rules stay inside a row); ``rules=None``
    for a table without sums (二)."""
    if rules is None:
        return Decision(repair.positional, False, "this table has no sums to decide by")
    return decide(repair, [rules(values(r.texts)) for r in repair.readings])


def decide_together(
    fixed: Mapping[str, list[Number | None]],
    repairs: Mapping[str, Repair],
    rules: Callable[[Mapping[str, list[Number | None]]], Verdicts],
    passes: int = 3,
) -> dict[str, Decision]:
    """Decide every repaired row of one table (三), whose rules run across rows.

    Each row is judged with the other rows as they stand: fixed rows as printed, other repaired
    rows in their reading chosen so far (positional at first). A row decided in one pass can
    make its neighbour's sums hold in the next, so passes repeat until nothing changes.
    """
    chosen = dict.fromkeys(repairs, 0)
    decisions: dict[str, Decision] = {}
    for _ in range(passes):
        changed = False
        for key, repair in repairs.items():
            table = {**fixed}
            for other, index in chosen.items():
                table[other] = values(repairs[other].readings[index].texts)
            verdicts = [rules({**table, key: values(r.texts)}) for r in repair.readings]
            decisions[key] = decide(repair, verdicts)
            index = repair.readings.index(decisions[key].reading)
            changed |= index != chosen[key]
            chosen[key] = index
        if not changed:
            break
    return decisions

"""Check every number, date and direction in a report's narrative against the report's facts.

Principle 1: the numbers of a report are computed in code (:mod:`shopops.reports.facts`); the model
only words them. :func:`~shopops.reports.narrative_index.index_facts` turns them into what a sentence
may state (:mod:`shopops.reports.narrative_index`): levels, signed changes with their basis (``pop``:
against the previous period; ``yoy``: against a year earlier), each subject's direction, and the
report's dates.

A sentence is read clause by clause (split at ``; ， :`` and ", " and at "and", "while", "but" ...;
the words are in :mod:`shopops.reports.narrative_read`):

* subjects: words naming a KPI or a section (``revenue``, ``AOV``, ``退货率``, ``alerts``), a SKU
  code, a product title or an aspect. A clause naming none takes the previous clause's; numbers are
  looked up among the named subjects' facts only (among all facts when the sentence names none);
* direction words (``up``, ``rose``, ``fell``, ``unchanged``, ``上升``, ``下降``, ``持平`` ...) and a
  written sign (``+12%``, ``-3.4%``) claim a change: the number they govern ("up 12%", "a 12% rise",
  "下降3.4%") must be a change of a named subject with that sign, on the basis the clause names
  ("year over year", "同比"; the previous period when it names none). "rose to $1,414" and a
  direction without a number claim the subject's own direction, which must agree. A direction with
  no subject is unanchored and fails; hedged verbs ("consider increasing", "建议提高") claim nothing.
  A clause without a verb of its own ("and orders 30.4%") keeps the previous clause's direction;
* other numbers are levels: a percent must be a percent fact, a money amount a money fact, a plain
  number any fact, within the rounding its written precision allows; a clause that compares ("vs",
  "than", "week over week", "较") may also quote the size of a change unsigned;
* dates (ISO, "Oct 19", "10月19日", "2026-W43", "week 43") must be days of the report's periods or
  of its data freshness; star ratings ("5-star") are not numbers.

Conservative on purpose: a sentence the checker cannot tie to the facts has a problem; the caller
regenerates it once, then drops it (:mod:`shopops.reports.narrative`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from shopops.reports.facts import KPI_UNITS
from shopops.reports.narrative_index import FLAT_OK_PCT, GENERAL, CheckFact, FactIndex, index_facts
from shopops.reports.narrative_index import Basis as Basis
from shopops.reports.narrative_index import FactKind as FactKind
from shopops.reports.narrative_read import (
    ALERT_KINDS,
    BASIS_PATTERNS,
    CLAUSE,
    COMPARE,
    CONNECTORS,
    DIRECTION_PATTERNS,
    HEDGES,
    LEVEL_CONNECTORS,
    Token,
    read_tokens,
    split_sentences,
)

ProblemKind = Literal[
    "unsupported_number", "unsupported_change", "wrong_direction", "unanchored_direction", "unsupported_date"
]
KPI_SUBJECTS = frozenset(KPI_UNITS)
MATCHES: dict[str, frozenset[str]] = {  # token kind -> fact kinds it may stand for
    "money": frozenset({"money"}),
    "percent": frozenset({"percent"}),
    "points": frozenset({"points"}),
    "count": frozenset({"count", "number"}),
    "number": frozenset({"money", "count", "number"}),
}


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    sentence: str
    claim: str
    message: str


# -- checking --------------------------------------------------------------------------------------
@dataclass
class _Sentence:
    text: str
    subjects: list[tuple[int, int, frozenset[str]]]
    bases: list[tuple[int, int, str]]
    directions: list[tuple[int, int, str, bool]]  # start, end, direction, weak
    tokens: list[Token]


def _free(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    return not any(start < e and s < end for s, e in spans)


def _read(sentence: str, index: FactIndex) -> _Sentence:
    text = ALERT_KINDS.sub(lambda m: "alert".ljust(len(m.group(0))), sentence.replace("−", "-"))
    subjects: list[tuple[int, int, frozenset[str]]] = []
    for pattern, names in index.phrases:
        for m in pattern.finditer(text):
            if _free(((s, e) for s, e, _ in subjects), m.start(), m.end()):
                subjects.append((m.start(), m.end(), names))
    for ident in index.identifiers:
        text = text.replace(ident, " " * len(ident))
    tokens = read_tokens(text)
    spans = [(t.start, t.end) for t in tokens] + [(s, e) for s, e, _ in subjects]
    bases: list[tuple[int, int, str]] = []
    for pattern, basis in BASIS_PATTERNS:
        for m in pattern.finditer(text):
            if _free(spans + [(s, e) for s, e, _ in bases], m.start(), m.end()):
                bases.append((m.start(), m.end(), basis))
    directions: list[tuple[int, int, str, bool]] = []
    for pattern, direction, weak in DIRECTION_PATTERNS:
        for m in pattern.finditer(text):
            taken = spans + [(s, e) for s, e, _ in bases] + [(s, e) for s, e, _, _ in directions]
            if _free(taken, m.start(), m.end()) and not HEDGES.search(text[: m.start()]):
                directions.append((m.start(), m.end(), direction, weak))
    return _Sentence(text, subjects, bases, directions, tokens)


def _clauses(read: _Sentence) -> list[tuple[int, int]]:
    cuts = [
        (m.start(), m.end())
        for m in CLAUSE.finditer(read.text)
        if all(not (t.start < m.end() and m.start() < t.end) for t in read.tokens)
    ]
    out, start = [], 0
    for cut_start, cut_end in cuts:
        out.append((start, cut_start))
        start = cut_end
    out.append((start, len(read.text)))
    return [c for c in out if c[0] < c[1]]


def _only_connectors(text: str) -> bool:
    return CONNECTORS.fullmatch(text.strip()) is not None


def _blank(text: str, offset: int, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        for i in range(max(s - offset, 0), min(e - offset, len(chars))):
            chars[i] = " "
    return "".join(chars)


def _attach(
    read: _Sentence, clause: tuple[int, int], start: int, end: int, direction: str, weak: bool
) -> bool:
    """Mark the number a direction word governs; False when it governs none (a claim about the subject)."""
    numeric = [t for t in read.tokens if clause[0] <= t.start < clause[1] and t.kind not in ("date", "star")]
    skip = [(s, e) for s, e, _ in read.bases]
    after = next((t for t in numeric if t.start >= end), None)
    if after is not None:
        between = _blank(read.text[end : after.start], end, skip)
        if _only_connectors(between):
            level = LEVEL_CONNECTORS.search(between) is not None
            after.direction, after.level_mode = direction, level
            return not level
    before = next((t for t in reversed(numeric) if t.end <= start), None)
    if before is not None and _only_connectors(read.text[before.end : start]) and not before.direction:
        before.direction = direction
        return True
    return weak  # a strong verb claims the subject's direction; a weak one ("increase") claims nothing


def _pool(index: FactIndex, subjects: frozenset[str]) -> list[CheckFact]:
    if not subjects:
        return index.facts
    return [f for f in index.facts if f.subjects & subjects or GENERAL in f.subjects]


def _date_ok(token: Token, index: FactIndex) -> bool:
    year, month, day, week = token.date
    if week is not None:
        return any(
            d.isocalendar()[1] == week and (year is None or d.isocalendar()[0] == year) for d in index.days
        )
    days = [d for d in index.days if (year is None or d.year == year) and (month is None or d.month == month)]
    wanted = [x for x in (day, token.day2) if x is not None]
    return bool(days) and all(any(d.day == x for d in days) for x in wanted)


def _other_period(token: Token, index: FactIndex) -> bool:
    """A full date outside the report's period: the clause speaks of a comparison period."""
    year, month, day, _ = token.date
    if token.kind != "date" or None in (year, month, day):
        return False
    return dt.date(year, month, day) not in index.current_days  # type: ignore[arg-type]


def _check_token(token: Token, pool: list[CheckFact], bases: set[str], compares: bool) -> Problem | None:
    kinds = MATCHES.get(token.kind)
    if kinds is None:
        return None
    if 1990 <= token.value <= 2100 and token.kind == "number" and token.value.is_integer():
        return None  # a year; dates are checked as dates
    direction = token.direction or token.sign
    near = [f for f in pool if f.kind in kinds and abs(abs(f.value) - token.value) <= token.tolerance]
    if direction and not token.level_mode:
        changes = [f for f in near if f.basis in (bases or {"pop"})]
        if direction == "flat" and any(abs(f.value) < FLAT_OK_PCT for f in changes):
            return None
        if any((f.value > 0) == (direction == "up") and f.value != 0 for f in changes):
            return None
        if changes:
            return Problem("wrong_direction", "", token.text, f"'{token.text}' is a change the other way")
        return Problem("unsupported_change", "", token.text, f"no {direction} change of {token.text} here")
    if any((f.basis is None and not f.compared) or compares for f in near):
        return None
    return Problem("unsupported_number", "", token.text, f"{token.text} is not one of the report's figures")


def _direction_problem(
    index: FactIndex, subjects: frozenset[str], bases: set[str], direction: str, word: str
) -> Problem | None:
    if not subjects:
        return Problem("unanchored_direction", "", word, f"'{word}' names no KPI or item it applies to")
    known = [
        index.directions[(s, b)] for s in subjects for b in (bases or {"pop"}) if (s, b) in index.directions
    ]
    if not known:
        return Problem("unsupported_change", "", word, f"no change is computed for what '{word}' describes")
    for sign, flat in known:
        ok = flat if direction == "flat" else (sign > 0 if direction == "up" else sign < 0)
        if not ok:
            return Problem(
                "wrong_direction", "", word, f"'{word}' but the figure went the other way ({sign:+g})"
            )
    return None


def _item_subjects(subjects: frozenset[str]) -> frozenset[str]:
    return frozenset(s for s in subjects if s.startswith(("sku:", "aspect:")))


def check_sentence(sentence: str, index: FactIndex) -> list[Problem]:
    """The problems of one sentence (empty: every number, date and direction in it is supported)."""
    read = _read(sentence, index)
    problems: list[Problem] = []
    carried: frozenset[str] = frozenset()
    carried_bases: set[str] = set()
    carried_direction = ""
    for clause in _clauses(read):

        def inside(start: int, clause: tuple[int, int] = clause) -> bool:
            return clause[0] <= start < clause[1]

        own = frozenset().union(*(n for s, _, n in read.subjects if inside(s)))
        subjects = own or carried
        if (
            own
            and not _item_subjects(own)
            and (_item_subjects(carried) or (own <= KPI_SUBJECTS and carried - KPI_SUBJECTS))
        ):
            subjects = own | carried  # "LL-TEA: revenue $176", "forecast: 30 units": still that item's
        bases = {b for s, _, b in read.bases if inside(s)} or carried_bases
        compares = bool(bases) or COMPARE.search(read.text[clause[0] : clause[1]]) is not None
        compares = compares or any(_other_period(t, index) for t in read.tokens if inside(t.start))
        directions = [d for d in read.directions if inside(d[0])]
        for start, end, direction, weak in directions:
            if not _attach(read, clause, start, end, direction, weak):
                word = read.text[start:end]
                if (problem := _direction_problem(index, subjects, bases, direction, word)) is not None:
                    problems.append(problem)
        tokens = [t for t in read.tokens if inside(t.start)]
        numeric = [t for t in tokens if t.kind not in ("date", "star")]
        if not directions and carried_direction and numeric and not numeric[0].sign:
            spans = [(s, e) for s, e, _ in read.subjects] + [(s, e) for s, e, _ in read.bases]
            prefix = _blank(read.text[clause[0] : numeric[0].start], clause[0], spans)
            if _only_connectors(prefix) and not LEVEL_CONNECTORS.search(prefix):
                numeric[0].direction = carried_direction
        pool = _pool(index, subjects)
        for token in tokens:
            if token.kind == "date":
                if not _date_ok(token, index):
                    problems.append(
                        Problem("unsupported_date", "", token.text, f"{token.text} is not a report date")
                    )
                continue
            if (token.direction or token.sign) and not subjects and not token.level_mode:
                problems.append(Problem("unanchored_direction", "", token.text, f"'{token.text}' of what?"))
            elif (problem := _check_token(token, pool, bases, compares)) is not None:
                problems.append(problem)
        carried, carried_bases = subjects, bases
        # only a verb that governed a number carries on ("rose 6.7%, and orders 3.1%")
        carried_direction = next(
            (t.direction for t in reversed(numeric) if t.direction and not t.level_mode), ""
        )
    text = sentence.strip()
    return [Problem(p.kind, text, p.claim, p.message) for p in problems]


def check_text(text: str, index: FactIndex) -> list[Problem]:
    """Every problem in ``text`` (empty: it states only what the facts support)."""
    return [p for s in split_sentences(text) for p in check_sentence(s, index)]


def numbers_read(text: str, index: FactIndex) -> int:
    """How many numbers and dates the checker read in ``text`` (for the report's checks)."""
    count = 0
    for sentence in split_sentences(text):
        count += sum(1 for t in _read(sentence, index).tokens if t.kind != "star")
    return count


__all__ = [
    "CheckFact",
    "FactIndex",
    "Problem",
    "check_sentence",
    "check_text",
    "index_facts",
    "split_sentences",
]

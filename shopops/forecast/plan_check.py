"""Check every number and date in a response plan's text against the plan's computed facts.

Principle 1: the numbers of a plan are computed in code (:mod:`shopops.forecast.plans`); the model
only words them. Before a plan reaches the review queue, each sentence is read for

* ISO dates (``2026-11-02``): must be one of the facts' dates;
* percentages (``25%``, ``25 percent``): must be a percentage fact, within half a point;
* any other number (``48``, ``1,200``, ``3.5``): must be a fact's value as written or as rounded to
  whole units or one decimal (``12.46`` may read ``12`` or ``12.5``).

Identifiers are not numbers: the SKU and ``#<alert id>`` are removed before reading. A sentence
with a problem is dropped (:func:`remove_unsupported`); the plan's actions keep their numbers from
code, so dropping words never drops a number a person needs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from shopops.forecast.plans import PlanFacts

ProblemKind = Literal["unsupported_number", "unsupported_date", "unsupported_percent"]
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)", re.I)
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
_SENTENCE = re.compile(r"[^\n。！？]*?(?:[.!?](?=\s|$)|[。！？]|\n|$)\s*", re.S)


@dataclass(frozen=True)
class PlanProblem:
    kind: ProblemKind
    claim: str
    sentence: str

    @property
    def message(self) -> str:
        what = {"unsupported_number": "number", "unsupported_date": "date", "unsupported_percent": "share"}
        return f"the {what[self.kind]} {self.claim} is not one of the plan's computed values"


def sentences(text: str) -> Iterator[str]:
    for match in _SENTENCE.finditer(text):
        if match.group(0).strip():
            yield match.group(0)


def readings(value: float) -> set[float]:
    """How a computed value may be written: as is, whole, or to one decimal."""
    return {
        round(value, 2),
        round(value, 1),
        float(round(value)),
        float(math.floor(value)),
        float(math.ceil(value)),
    }


def _scrub(sentence: str, facts: PlanFacts) -> str:
    for ident in sorted(facts.identifiers(), key=len, reverse=True):
        if ident:
            sentence = sentence.replace(ident, " ")
    return sentence


def check_sentence(sentence: str, facts: PlanFacts) -> list[PlanProblem]:
    problems: list[PlanProblem] = []
    text = _scrub(sentence, facts)
    dates = set(facts.dates().values())
    for match in _DATE.finditer(text):
        if match.group(0) not in dates:
            problems.append(PlanProblem("unsupported_date", match.group(0), sentence))
    text = _DATE.sub(" ", text)
    percents = facts.percents()
    for match in _PERCENT.finditer(text):
        value = float(match.group(1))
        if not any(abs(value - p) <= 0.5 for p in percents):
            problems.append(PlanProblem("unsupported_percent", match.group(0).strip(), sentence))
    text = _PERCENT.sub(" ", text)
    allowed: set[float] = set()
    for value in facts.values():
        allowed |= readings(value)
    for match in _NUMBER.finditer(text):
        value = float(match.group(1).replace(",", "") + (match.group(2) or ""))
        if value not in allowed:
            problems.append(PlanProblem("unsupported_number", match.group(0), sentence))
    return problems


def check_plan_text(text: str, facts: PlanFacts) -> list[PlanProblem]:
    """Every number, share and date in ``text`` that is not one of ``facts``' (empty: all match)."""
    problems: list[PlanProblem] = []
    for sentence in sentences(text):
        problems += check_sentence(sentence, facts)
    return problems


def numbers_in(text: str, facts: PlanFacts) -> int:
    """How many numbers, shares and dates the checker read in ``text`` (for the draft's checks)."""
    scrubbed = _scrub(text, facts)
    dates = len(_DATE.findall(scrubbed))
    scrubbed = _DATE.sub(" ", scrubbed)
    percents = len(_PERCENT.findall(scrubbed))
    return dates + percents + len(_NUMBER.findall(_PERCENT.sub(" ", scrubbed)))


def remove_unsupported(text: str, facts: PlanFacts) -> tuple[str, list[PlanProblem]]:
    """``text`` without its sentences that fail the check, and the problems they had."""
    kept: list[str] = []
    problems: list[PlanProblem] = []
    for sentence in sentences(text):
        found = check_sentence(sentence, facts)
        if found:
            problems += found
        else:
            kept.append(sentence)
    return "".join(kept).strip(), problems

"""Checks on a reply draft before anyone sees it: what the model wrote against what the store knows.

* ``invented_order_number``: an order number the customer did not give and the store did not return.
* ``unsupported_number``: a number (days, amounts, dates) that occurs in none of the sources.
* ``promise_not_allowed`` / ``contradicts_decision``: the wording says yes where the policy decision
  computed in code says no (or the reverse).
* ``wrong_language``: the draft is not in the customer's language.

Each check returns :class:`~shopops.support.types.CheckFlag` values; the pipeline decides what a
flag costs (a fixed, template answer, or a hand-off).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from shopops.langid import detect_language
from shopops.support.triage import triage_message
from shopops.support.types import CheckFlag, PolicyDecision

NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
YES_PATTERNS = re.compile(
    r"\b(?:we(?: will|'ll| have| can)|i(?: will|'ll| have| can)|you can|you may|you are eligible|"
    r"is eligible|are eligible)\s+(?:\w+\s+){0,2}?(?:refund|return|cancel|accept|approve|process|issue|"
    r"send you a|arrange)\w*|\bapproved\b|可以退|可以取消|已为您|为您办理|同意退",
    re.IGNORECASE,
)
NO_PATTERNS = re.compile(
    r"\b(?:not eligible|cannot|can't|can not|unable to|not possible|no longer|isn't possible|"
    r"is not allowed|are not allowed|not returnable|final sale)\b|不能|无法|不可以|不支持|已超过",
    re.IGNORECASE,
)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".:") for n in NUMBER.findall(text)}


def invented_order_numbers(answer: str, allowed: Iterable[str]) -> list[CheckFlag]:
    known = {_plain(n) for n in allowed}
    flags = []
    for number in triage_message(answer).entities.order_numbers:
        if _plain(number) not in known:
            flags.append(
                CheckFlag(
                    code="invented_order_number",
                    message=f"the draft names order {number}, which the customer did not give "
                    "and the store did not return",
                )
            )
    return flags


def _plain(number: str) -> str:
    return re.sub(r"[^0-9a-z]", "", number.lower())


def unsupported_numbers(answer: str, sources: Iterable[str]) -> list[CheckFlag]:
    known: set[str] = set()
    for source in sources:
        known |= _numbers(source)
    missing = sorted(n for n in _numbers(answer) if n not in known)
    return [
        CheckFlag(code="unsupported_number", message=f"{n!r} occurs in no policy passage or order fact")
        for n in missing
    ]


def decision_wording(answer: str, decision: PolicyDecision | None) -> list[CheckFlag]:
    """Does the wording agree with the decision? Only clear contradictions are flagged."""
    if decision is None:
        return []
    if not decision.allowed and YES_PATTERNS.search(answer) and not NO_PATTERNS.search(answer):
        return [
            CheckFlag(
                code="promise_not_allowed",
                message=f"the draft promises a {decision.topic} the policy does not allow "
                f"({decision.reason}: {decision.explanation})",
            )
        ]
    if decision.allowed and NO_PATTERNS.search(answer) and not YES_PATTERNS.search(answer):
        return [
            CheckFlag(
                code="contradicts_decision",
                message=f"the draft refuses a {decision.topic} the policy allows ({decision.explanation})",
            )
        ]
    return []


def wrong_language(answer: str, language: str) -> list[CheckFlag]:
    if not language or sum(c.isalpha() for c in answer) < 20:
        return []
    found = detect_language(answer)
    if found and found != language:
        return [
            CheckFlag(
                code="wrong_language", message=f"the draft is in {found!r}, the customer wrote {language!r}"
            )
        ]
    return []

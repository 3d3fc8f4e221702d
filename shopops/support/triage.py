"""Triage of one customer message, in code: language, intent, sentiment, urgency, entities, injection.

No model is involved: everything is word lists (shopops.support.lexicon) and patterns
(shopops.privacy), so triage is fast (well under a millisecond for a typical message), repeatable
and explainable. Its job is routing — which intents a person must handle, which order to look up,
whether the message tries to steer the model — not understanding.

Intent: every intent's weighted phrases are matched (each phrase counts once); the best score wins
and ties go to the more serious intent (lexicon.INTENT_PRIORITY). Confidence grows with the winning
score and shrinks with the runner-up's: ``(1 - e^(-best/2)) * (0.6 + 0.4 * (best - second) / best)``.
A message in which nothing matches is "other" with confidence 0 — or, in a conversation
(``previous`` given), keeps the previous message's intent at 0.7 times its confidence: "any news?"
after "where is my order" is still about the order.
"""

from __future__ import annotations

import math
import re
import unicodedata

from shopops.langid import detect_language
from shopops.privacy import ORDER_REFERENCE, TRACKING_REFERENCE, find_personal_data
from shopops.support import lexicon
from shopops.support.types import Entities, Sentiment, Triage, Urgency

# Latin-script boundaries: a Latin entry must not start or end inside a Latin word; Chinese has no
# spaces, so an entry that starts or ends with a Han character needs no boundary there.
_LATIN = r"0-9A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_START = rf"(?:(?<![{_LATIN}])|(?![{_LATIN}]))"
_END = rf"(?:(?![{_LATIN}])|(?<![{_LATIN}]))"
_FOLLOW_UP_FACTOR = 0.7
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def _bounded(pattern: str) -> str:
    return f"{_START}(?:{pattern}){_END}"


class WeightedLexicon:
    """A weighted word list as one regex (one scan of the text; alternatives that start with a
    literal are skipped in C, which keeps a scan of a message well under 0.1 ms). The entry behind a
    match is found afterwards by matching the (rare) matched phrases against each entry."""

    def __init__(self, entries: lexicon.Weighted) -> None:
        self.pattern = re.compile(_bounded("|".join(pattern for pattern, _weight in entries)))
        self.entries = tuple((re.compile(pattern), weight) for pattern, weight in entries)

    def matches(self, text: str) -> list[tuple[int, re.Match[str]]]:
        """(entry index, match) for the first match of each distinct entry in ``text`` (lower case)."""
        found: dict[int, re.Match[str]] = {}
        for match in self.pattern.finditer(text):
            phrase = match.group()
            for index, (entry, _weight) in enumerate(self.entries):
                if entry.fullmatch(phrase):
                    found.setdefault(index, match)
                    break
        return list(found.items())

    def score(self, text: str) -> float:
        """Sum of the weights of the distinct entries that occur in ``text`` (lower case)."""
        return sum(self.entries[index][1] for index, _match in self.matches(text))


INTENT_LEXICONS = {intent: WeightedLexicon(entries) for intent, entries in lexicon.INTENT_LEXICON.items()}
NEGATIVE = WeightedLexicon(lexicon.NEGATIVE)
POSITIVE = WeightedLexicon(lexicon.POSITIVE)
NEGATOR = re.compile(lexicon.NEGATORS)
URGENT_STRONG = re.compile(_bounded(lexicon.URGENT_STRONG))
URGENT_SOFT = re.compile(_bounded(lexicon.URGENT_SOFT))
REPEAT_STRONG = re.compile(_bounded(lexicon.REPEAT_STRONG))
REPEAT_SOFT = re.compile(_bounded(lexicon.REPEAT_SOFT))
LOW_URGENCY = re.compile(_bounded(lexicon.LOW_URGENCY))
INJECTION = re.compile(_bounded("|".join(lexicon.INJECTION)))
INJECTION_CASED = re.compile(_bounded(lexicon.INJECTION_CASED))
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
_EXCLAMATIONS = re.compile(r"[!！]{2,}")
_SERIOUS = frozenset({"legal", "refund_dispute", "abuse"})


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) with straight apostrophes."""
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)


def intent_scores(text: str) -> dict[str, float]:
    """Each intent's score for ``text``, zero scores left out; for tests and tuning."""
    lowered = normalise(text).lower()
    scores = {}
    for intent, words in INTENT_LEXICONS.items():
        score = words.score(lowered)
        if score > 0:
            scores[intent] = score
    return scores


def _intent(text: str, has_order_number: bool) -> tuple[str, float]:
    scores = intent_scores(text)
    if has_order_number:  # a bare "#1234, any news?" is about that order
        scores["order_status"] = scores.get("order_status", 0.0) + 1.0
    if not scores:
        return "other", 0.0
    rank = {intent: position for position, intent in enumerate(lexicon.INTENT_PRIORITY)}
    ordered = sorted(scores.items(), key=lambda item: (-item[1], rank.get(item[0], len(rank))))
    best_intent, best = ordered[0]
    second = ordered[1][1] if len(ordered) > 1 else 0.0
    confidence = (1 - math.exp(-best / 2)) * (0.6 + 0.4 * (best - second) / best)
    return best_intent, round(min(1.0, confidence), 3)


def _shouting(original: str) -> bool:
    caps = [word for word in _CAPS_WORD.findall(original) if word not in lexicon.ACRONYMS]
    if len(caps) >= 2 or _EXCLAMATIONS.search(original):
        return True
    letters = [c for c in original if c.isascii() and c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7


def _sentiment(lowered: str, shouting: bool, intent: str) -> Sentiment:
    negative = NEGATIVE.score(lowered)
    positive = sum(
        POSITIVE.entries[index][1]
        for index, match in POSITIVE.matches(lowered)
        if not NEGATOR.search(lowered[max(0, match.start() - 12) : match.start()])
    )
    negative += {"abuse": 2, "refund_dispute": 2, "legal": 1}.get(intent, 0)
    if shouting:
        if positive > negative:
            positive += 1
        else:
            negative += 1
    if negative > positive:
        return "negative"
    if positive > negative:
        return "positive"
    return "neutral"


def _urgency(text: str, sentiment: Sentiment, shouting: bool, intent: str) -> Urgency:
    low = LOW_URGENCY.search(text) is not None
    if low:  # "不急" contains "急", "not urgent" contains "urgent"
        text = LOW_URGENCY.sub(" ", text)
    score = 3.0 * min(2, len(URGENT_STRONG.findall(text))) + 2.0 * min(1, len(URGENT_SOFT.findall(text)))
    score += 2.0 * min(1, len(REPEAT_STRONG.findall(text))) + 1.0 * min(1, len(REPEAT_SOFT.findall(text)))
    score += (sentiment == "negative") + shouting + (intent in _SERIOUS)
    if score >= 3:
        return "high"
    if low and score <= 1:
        return "low"
    return "normal"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def extract_entities(text: str) -> Entities:
    """Order numbers, emails, phones and tracking numbers in ``text`` (as written; "#" dropped)."""
    orders = []
    for match in ORDER_REFERENCE.finditer(text):
        orders.append(match.group("id") or match.group("hid"))
    tracking = []
    for match in TRACKING_REFERENCE.finditer(text):
        value = match.group("id") or match.group("solo")
        if match.group("solo") is not None and not match.group("solo").isupper():
            continue  # "sf123..." in running text is not a carrier format
        tracking.append(value)
    found = find_personal_data(text)
    emails = [text[start:end] for kind, start, end in found if kind == "email"]
    phones = [text[start:end] for kind, start, end in found if kind == "phone"]
    order_numbers = _unique(orders)
    return Entities(
        order_numbers=order_numbers,
        emails=_unique(emails),
        phones=_unique(phones),
        tracking_numbers=[value for value in _unique(tracking) if value not in order_numbers],
    )


def injection_markers(text: str) -> list[str]:
    """The phrases in ``text`` that try to change the model's instructions or role, or reach the
    prompt or other customers' data."""
    normalised = normalise(text)
    lowered = normalised.lower()
    source = normalised if len(normalised) == len(lowered) else lowered  # to quote as written
    found = [source[match.start() : match.end()] for match in INJECTION.finditer(lowered)]
    found += [match.group() for match in INJECTION_CASED.finditer(normalised)]
    return _unique([" ".join(phrase.strip(" .!?\n").split()) for phrase in found])


def triage_message(text: str, *, previous: Triage | None = None) -> Triage:
    """Read one customer message. ``previous`` is the triage of the conversation's last message:
    it supplies the intent (at lower confidence) and language when this one gives none."""
    normalised = normalise(text)
    lowered = normalised.lower()
    entities = extract_entities(normalised)
    intent, confidence = _intent(lowered, bool(entities.order_numbers))
    if intent == "other" and previous is not None and previous.intent != "other":
        intent, confidence = previous.intent, round(previous.intent_confidence * _FOLLOW_UP_FACTOR, 3)
    language = detect_language(normalised) or (previous.language if previous is not None else "")
    shouting = _shouting(text)
    sentiment = _sentiment(lowered, shouting, intent)
    markers = injection_markers(normalised)
    return Triage(
        language=language,
        intent=intent,
        intent_confidence=confidence,
        sentiment=sentiment,
        urgency=_urgency(lowered, sentiment, shouting, intent),
        entities=entities,
        injection=bool(markers),
        injection_markers=markers,
    )

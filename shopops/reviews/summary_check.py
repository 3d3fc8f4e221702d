"""Check every number in a review-summary text against the summary's counts; drop what fails.

This is how an LLM-written narrative is vetted before a person sees it (principle 1). The checker
reads each sentence (split at ``. ! ?`` followed by a space, ``。！？`` and line breaks) and finds:

* fractions — ``41 of 212``, ``41 out of 212``, ``41/212``, ``212 条评价中 41 条``: the pair must be a
  (count, denominator) of a fact about what the sentence names (an aspect by its name or a term
  reviews used for it, narrowed by polarity words; else a sentiment; "rating"/"stars" adds the
  rating facts); with nothing named, any fact of the summary;
* percentages — ``19%``, ``19 percent``, ``<1%``, ``百分之十九``: one next to a fraction must be that
  fraction's share within ±1 point; one standing alone must be within ±1 point of a fact the
  sentence names, and is flagged when the sentence names nothing;
* other integers (``63 customers``) must be a count or denominator of a named fact (``5-star``
  is a rating value); decimals must be the average rating;
* majority words (``most``, ``majority``, ``大多数`` …) need a named share above 50% — of all reviews
  (or rated reviews), or of the reviews mentioning the aspect when the sentence says "mention".

Conservative on purpose: a sentence it cannot tie to the counts is dropped, and the rendered
statements are the fallback. Not parsed: spelled-out English numbers ("forty-one"), "half",
"a third", "四成"; a text that uses them passes unchecked on those words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from shopops.llm.base import LLMBackend, Message
from shopops.reviews.summary import Language, RankedAspect, ReviewSummary, percent_of, render_statements
from shopops.structured import generate

ProblemKind = Literal[
    "unsupported_fraction",
    "wrong_share",
    "unanchored_share",
    "unsupported_count",
    "unsupported_number",
    "overstated_majority",
]


class Problem(BaseModel):
    kind: ProblemKind
    sentence: str
    found: str  # the words that carry the claim
    message: str


@dataclass(frozen=True)
class _Fact:
    kind: str  # sentiment | aspect | mention | rating
    subject: str
    polarity: str | None
    count: int
    denominator: int

    @property
    def percent(self) -> int:
        return percent_of(self.count, self.denominator)


_NUM = r"(\d{1,3}(?:,\d{3})+(?!\d)|\d+)"
_FRACTIONS = (  # (pattern, group of the count, group of the denominator)
    (
        re.compile(
            _NUM
            + r"\s*(?:条|个|位|名)?\s*(?:评价|评论|顾客|买家|用户|客户)?\s*(?:之中|当中|中|里)"
            + r"\s*[，,]?\s*(?:有\s*)?"
            + _NUM
            + r"\s*(?:条|个|位|名|人)"
        ),
        2,
        1,
    ),
    (re.compile(_NUM + r"\s+(?:out\s+)?of\s+(?:the\s+|all\s+)?" + _NUM, re.I), 1, 2),
    (re.compile(_NUM + r"\s*/\s*" + _NUM), 1, 2),
)
_PERCENT = re.compile(
    r"([<>＜＞]\s*|(?:less|fewer|under|more|over)\s+than\s+)?(\d+(?:\.\d+)?)\s*(?:%|％|percent\b|per\s+cent\b)",
    re.I,
)
_PERCENT_ZH = re.compile(r"百分之([零〇一二两三四五六七八九十百]+)")
_DECIMAL = re.compile(r"\d+\.\d+")
_INTEGER = re.compile(_NUM)
_STAR_AFTER = re.compile(r"\s*-?\s*(?:stars?\b|星)", re.I)
_MAJORITY = re.compile(
    r"(?<![A-Za-z])(?:vast\s+majority|majority|nearly\s+all|almost\s+all|the\s+bulk|mostly|overwhelmingly|"
    r"(?<!at\s)most(?!\s+(?:common|frequent|frequently|mentioned|cited|often|popular|reported|important)))"
    r"(?![A-Za-z])|绝大多数|大多数|大部分|多数|过半|大半",
    re.I,
)
_SENTENCE = re.compile(r"[^\n。！？]*?(?:[.!?](?=\s|$)|[。！？]|\n|$)\s*", re.S)
_POLARITY_WORDS: dict[str, tuple[str, ...]] = {
    "negative": ("negative", "complaint", "complaints", "complain", "complains", "complained", "unhappy",
                 "dissatisfied", "criticism", "criticise", "criticize", "problem", "problems", "负面", "差评",
                 "抱怨", "投诉", "不满", "吐槽", "批评"),
    "positive": ("positive", "praise", "praised", "praises", "love", "loved", "loves", "like", "liked",
                 "happy", "satisfied", "正面", "好评", "称赞", "赞扬", "满意", "喜欢"),
    "neutral": ("neutral", "中性"),
    "mixed": ("mixed", "褒贬不一"),
}  # fmt: skip
_MENTION_WORDS = ("mention", "mentioning", "who mention", "提到", "提及", "说到", "谈到")
_NEGATED_ZH = ("不满意", "不喜欢")
_RATING_WORDS = ("rating", "ratings", "rated", "star", "stars", "评分", "星")
_ZH_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))


def _has_word(text: str, word: str, *, suffix: bool = False) -> bool:
    """``word`` in ``text``: as a whole word for Latin script (optionally with a short suffix:
    leak → leaks, leaking), as a substring for CJK."""
    if not word.isascii():
        return word in text
    tail = r"[a-z]{0,3}" if suffix else ""
    return re.search(rf"(?<![a-z]){re.escape(word.casefold())}{tail}(?![a-z])", text.casefold()) is not None


def zh_number(words: str) -> int | None:
    """``十九`` → 19, ``一百`` → 100, ``五`` → 5 (0–999); None when it is not such a number."""
    total, digit = 0, None
    for char in words:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif char in "十百":
            total += (1 if digit is None else digit) * (10 if char == "十" else 100)
            digit = None
        else:
            return None
    return total + (digit or 0)


def _facts(summary: ReviewSummary) -> list[_Fact]:
    total = summary.total_reviews
    facts = [_Fact("sentiment", label, label, cs.count, total) for label, cs in summary.sentiment.items()]
    for a in summary.aspects:
        facts.append(_Fact("mention", a.aspect, None, a.mentions.count, total))
        for polarity in ("positive", "negative", "neutral"):
            pc = a.polarity(polarity)  # type: ignore[arg-type]
            facts.append(_Fact("aspect", a.aspect, polarity, pc.count, total))
            facts.append(_Fact("aspect", a.aspect, polarity, pc.count, a.mentions.count))
    facts.append(_Fact("rating", "rated", None, summary.rated_reviews, total))
    for star, n in summary.rating_distribution.items():
        facts.append(_Fact("rating", f"{star}-star", None, n, summary.rated_reviews))
    return facts


def _named(sentence: str, summary: ReviewSummary, facts: list[_Fact]) -> list[_Fact]:
    """The facts a sentence talks about (see the module docstring); empty when it names nothing."""
    plain = sentence
    for negated in _NEGATED_ZH:
        plain = plain.replace(negated, "不满")
    polarities = {p for p, words in _POLARITY_WORDS.items() if any(_has_word(plain, w) for w in words)}
    aspects = {
        a.aspect
        for a in summary.aspects
        if any(_has_word(plain, w, suffix=True) for w in (a.aspect, *a.terms) if w.strip())
    }
    chosen: list[_Fact] = []
    if aspects:
        of_aspects = [f for f in facts if f.kind in ("aspect", "mention") and f.subject in aspects]
        narrowed = [f for f in of_aspects if f.polarity in polarities]
        chosen = narrowed or of_aspects
    elif polarities:
        chosen = [f for f in facts if f.kind == "sentiment" and f.polarity in polarities]
    if any(_has_word(plain, w) for w in _RATING_WORDS):
        chosen += [f for f in facts if f.kind == "rating"]
    return chosen


@dataclass
class _Token:
    kind: str  # fraction | percent | decimal | integer | majority
    start: int
    end: int
    text: str
    count: int = 0
    denominator: int = 0
    value: float = 0.0
    bound: str = ""  # "<" or ">" for "less than"/"more than" percentages
    fraction: _Token | None = None  # for a percentage: the fraction it gives the share of


def _tokens(sentence: str) -> list[_Token]:
    taken: list[tuple[int, int]] = []
    found: list[_Token] = []

    def free(m: re.Match[str]) -> bool:
        return not any(m.start() < end and start < m.end() for start, end in taken)

    def add(token: _Token) -> None:
        taken.append((token.start, token.end))
        found.append(token)

    for pattern, count_group, denominator_group in _FRACTIONS:
        for m in pattern.finditer(sentence):
            if free(m):
                count, denominator = (
                    int(m.group(g).replace(",", "")) for g in (count_group, denominator_group)
                )
                add(_Token("fraction", m.start(), m.end(), m.group(), count=count, denominator=denominator))
    for m in _PERCENT.finditer(sentence):
        if free(m):
            bound = (m.group(1) or "").strip().casefold()
            sign = "<" if bound[:1] in ("<", "＜", "l", "f", "u") else ">" if bound else ""
            add(_Token("percent", m.start(), m.end(), m.group(), value=float(m.group(2)), bound=sign))
    for m in _PERCENT_ZH.finditer(sentence):
        if free(m) and (number := zh_number(m.group(1))) is not None:
            add(_Token("percent", m.start(), m.end(), m.group(), value=float(number)))
    for m in _DECIMAL.finditer(sentence):
        if free(m):
            add(_Token("decimal", m.start(), m.end(), m.group(), value=float(m.group())))
    for m in _INTEGER.finditer(sentence):
        if free(m):
            add(_Token("integer", m.start(), m.end(), m.group(), count=int(m.group().replace(",", ""))))
    found += [_Token("majority", m.start(), m.end(), m.group()) for m in _MAJORITY.finditer(sentence)]
    found.sort(key=lambda t: t.start)
    numeric = [t for t in found if t.kind != "majority"]
    claimed: set[int] = set()
    for i, token in enumerate(numeric):  # a share belongs to the fraction right before it, else right after
        if token.kind != "percent":
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(numeric) and numeric[j].kind == "fraction" and j not in claimed:
                token.fraction = numeric[j]
                claimed.add(j)
                break
    return found


def _share_matches(token: _Token, count: int, denominator: int) -> bool:
    if denominator <= 0:
        return False
    exact = 100 * count / denominator
    if token.bound == "<":
        return 0 < exact < token.value
    if token.bound == ">":
        return token.value < exact < 100 or (token.value < exact and count == denominator)
    return abs(token.value - percent_of(count, denominator)) <= 1


def sentences(text: str) -> Iterator[str]:
    """The sentences of ``text`` with their trailing whitespace: ``"".join(sentences(t)) == t``."""
    for m in _SENTENCE.finditer(text):
        if m.group():
            yield m.group()


def _check_sentence(sentence: str, summary: ReviewSummary, facts: list[_Fact]) -> list[Problem]:
    named = _named(sentence, summary, facts)
    pool = named or facts
    problems: list[Problem] = []

    def flag(kind: ProblemKind, token: _Token, message: str) -> None:
        problems.append(Problem(kind=kind, sentence=sentence.strip(), found=token.text, message=message))

    tokens = _tokens(sentence)
    fractions = [t for t in tokens if t.kind == "fraction"]
    # "most" is read against all reviews; against mentions only when the sentence says so
    of_mentions = any(_has_word(sentence, w, suffix=True) for w in _MENTION_WORDS)
    bases = {f.denominator for f in named} if of_mentions else {summary.total_reviews, summary.rated_reviews}
    for token in tokens:
        if token.kind == "fraction" and not any(
            (f.count, f.denominator) == (token.count, token.denominator) for f in pool
        ):
            flag("unsupported_fraction", token, f"no count of {token.count} out of {token.denominator} here")
        elif token.kind == "percent" and token.fraction is not None:
            if not _share_matches(token, token.fraction.count, token.fraction.denominator):
                right = percent_of(token.fraction.count, token.fraction.denominator)
                flag("wrong_share", token, f"{token.fraction.text} is {right}%, not {token.text}")
        elif token.kind == "percent" and not named:
            flag("unanchored_share", token, "a share with no aspect or sentiment named to check it against")
        elif token.kind == "percent" and not any(
            _share_matches(token, f.count, f.denominator) for f in named
        ):
            shares = sorted({f"{f.percent}%" for f in named if f.denominator})
            flag("wrong_share", token, f"the named shares are {', '.join(shares) or 'none'}")
        elif token.kind == "decimal" and (
            summary.average_rating is None or abs(token.value - summary.average_rating) > 0.05 + 1e-9
        ):
            flag("unsupported_number", token, f"the average rating is {summary.average_rating}")
        elif token.kind == "integer" and not (
            (1 <= token.count <= 5 and _STAR_AFTER.match(sentence, token.end))
            or any(token.count in (f.count, f.denominator) for f in pool)
        ):
            flag("unsupported_count", token, f"no count of {token.count} in the summary for this")
        elif token.kind == "majority":
            shares = [t.count / t.denominator for t in fractions if t.denominator] or [
                f.count / f.denominator for f in named if f.denominator and f.denominator in bases
            ]
            if not shares or max(shares) <= 0.5:
                top = f"{round(100 * max(shares))}%" if shares else "no share"
                flag("overstated_majority", token, f"'{token.text}' but the share named is {top}")
    return problems


def check_summary_text(text: str, summary: ReviewSummary) -> list[Problem]:
    """Every count, fraction, share and majority word in ``text`` that the summary does not support."""
    facts = _facts(summary)
    return [p for sentence in sentences(text) for p in _check_sentence(sentence, summary, facts)]


def remove_unsupported(text: str, summary: ReviewSummary) -> str:
    """``text`` without the sentences that have a problem (the others kept verbatim)."""
    facts = _facts(summary)
    kept = [s for s in sentences(text) if not _check_sentence(s, summary, facts)]
    return "".join(kept).strip()


def omitted_complaints(text: str, summary: ReviewSummary) -> list[RankedAspect]:
    """Top complaints the text never names — a narrative must not leave out a big complaint."""
    missing: list[RankedAspect] = []
    for ranked in summary.top_complained:
        stats = summary.aspect(ranked.aspect)
        words = [w for w in (ranked.aspect, *(stats.terms if stats else [])) if w.strip()]
        if not any(_has_word(text, w, suffix=True) for w in words):
            missing.append(ranked)
    return missing


class Narrative(BaseModel):
    sentences: list[Annotated[str, StringConstraints(min_length=1, max_length=300)]] = Field(
        min_length=1, max_length=6
    )


def narrate(llm: LLMBackend, summary: ReviewSummary, language: Language = "en") -> str:
    """A short narrative written by the model from the rendered statements, with every unsupported
    sentence removed and every omitted top complaint appended; the statements when nothing survives.

    Only the statements go into the prompt, never review text, so a review cannot instruct the model."""
    statements = render_statements(summary, language)
    joiner = "" if language == "zh" else " "
    fallback = joiner.join(s.text for s in statements)
    if not statements:
        return fallback
    tongue = "Simplified Chinese" if language == "zh" else "English"
    system = (
        f"You summarise customer reviews for a merchant, in {tongue}, in at most 6 short sentences. "
        "Use only the facts given. Copy every number exactly with what it counts, as in the facts "
        "(e.g. '41 of 212 reviews, 19%'). Cover every complaint listed, biggest first. Never write "
        "'most' or 'majority' unless a fact's share is above 50%. Do not add numbers of your own."
    )
    facts = "\n".join(f"- {s.text}" for s in statements)
    user = f"Facts about {summary.total_reviews} reviews ({summary.scope} {summary.scope_id}):\n{facts}"
    output = generate(
        llm, [Message("system", system), Message("user", user)], Narrative, task="reviews.narrate"
    )
    kept = remove_unsupported(joiner.join(s.strip() for s in output.sentences), summary)
    if not kept:
        return fallback
    missing = {r.aspect for r in omitted_complaints(kept, summary)}
    extra = [
        s.text
        for s in statements
        if s.claim.kind == "aspect" and s.claim.polarity == "negative" and s.claim.subject in missing
    ]
    return joiner.join([kept, *extra])

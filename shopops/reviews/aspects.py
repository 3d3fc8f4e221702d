"""Aspect-based analysis: which aspects of the product a review talks about, and how.

:func:`extract_aspects` finds the terms of the category's :class:`Taxonomy` in a review (whole
words with plural tolerance for Latin scripts, substrings for Chinese and Japanese, the longest term
first where terms overlap), keeps one mention per aspect and gives it a polarity from the fast
classifier (:mod:`shopops.reviews.aspect_model`). When an aspect is named more than once, the
probabilities of its occurrences are averaged and the mention points at the most confident one.
:func:`analyze_batch` does the same for many reviews with one vectorised classifier call, which is
how imports and batch jobs should use it. :func:`classify_aspects` is the polarity step alone, for
aspects given by someone else (the evaluation, a merchant's question).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shopops.reviews.aspect_features import CJK
from shopops.reviews.aspect_fusion import fused_proba
from shopops.reviews.aspect_model import AspectPolarityModel, load_aspect_model
from shopops.reviews.taxonomy import Taxonomy
from shopops.reviews.types import AspectMention, Polarity

CHARACTER_LANGUAGES = frozenset({"zh", "ja", "ko"})


@dataclass(frozen=True)
class Occurrence:
    """One taxonomy term found in a text (character offsets into the original text)."""

    aspect: str
    term: str
    start: int
    end: int


def _latin_pattern(term: str) -> str:
    """A whole-word pattern for a Latin-script term, tolerant of plurals and spacing/hyphens."""
    words = [re.escape(word) for word in term.split()]
    last = words[-1]
    if last.endswith("y") and len(last) > 2:
        last = last[:-1] + "(?:y|ies)"
    elif last.endswith(("s", "x", "ch", "sh")):
        last += "(?:es)?"
    else:
        last += "(?:s|es)?"
    words[-1] = last
    return r"(?<![^\W_])" + r"[\s\-]*".join(words) + r"(?![^\W_])"


def _matchers(taxonomy: Taxonomy) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, dict[str, str]]:
    """(Latin pattern, CJK pattern, lower-cased term -> aspect), built once per taxonomy object."""
    cached = _CACHE.get(id(taxonomy))
    if cached is not None and cached[0] is taxonomy:
        return cached[1]
    terms = taxonomy.terms()
    ordered = sorted(terms, key=len, reverse=True)  # the regex tries alternatives in order
    latin = [t for t in ordered if not CJK.search(t)]
    cjk = [t for t in ordered if CJK.search(t)]
    latin_re = re.compile("|".join(f"(?:{_latin_pattern(t)})" for t in latin), re.I) if latin else None
    cjk_re = re.compile("|".join(re.escape(t) for t in cjk), re.I) if cjk else None
    built = (latin_re, cjk_re, terms)
    if len(_CACHE) > 256:
        _CACHE.clear()
    _CACHE[id(taxonomy)] = (taxonomy, built)
    return built


_CACHE: dict[int, tuple[Taxonomy, tuple[re.Pattern[str] | None, re.Pattern[str] | None, dict[str, str]]]] = {}


def find_occurrences(text: str, language: str, taxonomy: Taxonomy) -> list[Occurrence]:
    """Every non-overlapping term occurrence in ``text``, in text order. Chinese/Japanese/Korean
    terms are looked for when ``language`` is one of those or the text contains such characters."""
    latin_re, cjk_re, terms = _matchers(taxonomy)
    found: list[Occurrence] = []
    taken = np.zeros(len(text) + 1, dtype=bool)
    use_cjk = language.split("-")[0].lower() in CHARACTER_LANGUAGES or bool(CJK.search(text))
    for pattern in (cjk_re if use_cjk else None, latin_re):
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            if taken[match.start() : match.end()].any():
                continue
            aspect = _aspect_for(match.group(0), terms)
            if aspect is None:
                continue
            taken[match.start() : match.end()] = True
            found.append(Occurrence(aspect, match.group(0), match.start(), match.end()))
    return sorted(found, key=lambda o: o.start)


def _aspect_for(matched: str, terms: dict[str, str]) -> str | None:
    """The aspect of a matched surface form (which may be a plural or differently spaced)."""
    key = " ".join(matched.lower().replace("-", " ").split())
    if key in terms:
        return terms[key]
    for stem in (key[:-3] + "y", key[:-2], key[:-1]):  # batteries -> battery, boxes -> box, bags -> bag
        if stem in terms:
            return terms[stem]
    squashed = key.replace(" ", "")
    return next((aspect for term, aspect in terms.items() if term.replace(" ", "") == squashed), None)


def default_aspect_model() -> AspectPolarityModel:
    """The packaged classifier (read once per process); its ``version`` names the artifact."""
    return load_aspect_model()


def classify_aspects(
    texts: Sequence[str],
    aspects: Sequence[str],
    *,
    model: AspectPolarityModel | None = None,
    spans: Sequence[tuple[int, int] | None] | None = None,
    languages: Sequence[str] | None = None,
) -> list[tuple[Polarity, float]]:
    """Polarity and its probability for each (text, aspect) pair, in one vectorised call (the aspect
    model fused with the sentiment of the aspect's clause: :mod:`shopops.reviews.aspect_fusion`)."""
    model = model or load_aspect_model()
    proba = fused_proba(model, texts, aspects, spans, languages)
    best = proba.argmax(axis=1)
    return [(model.classes[k], round(float(proba[row, k]), 4)) for row, k in enumerate(best)]


def analyze_batch(
    texts: Sequence[str],
    languages: Sequence[str],
    taxonomies: Sequence[Taxonomy] | Taxonomy,
    *,
    model: AspectPolarityModel | None = None,
) -> list[list[AspectMention]]:
    """:func:`extract_aspects` for many reviews: every mention of every review is classified in one
    call. ``taxonomies`` is one per review, or one for all."""
    if len(languages) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
    per_review = [taxonomies] * len(texts) if isinstance(taxonomies, Taxonomy) else list(taxonomies)
    if len(per_review) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(per_review)} taxonomies")
    found = [
        find_occurrences(t, lang, tax) for t, lang, tax in zip(texts, languages, per_review, strict=True)
    ]
    flat = [(i, occ) for i, occurrences in enumerate(found) for occ in occurrences]
    if not flat:
        return [[] for _ in texts]
    model = model or load_aspect_model()
    proba = fused_proba(
        model,
        [texts[i] for i, _ in flat],
        [occ.term for _, occ in flat],
        [(occ.start, occ.end) for _, occ in flat],
        [languages[i] for i, _ in flat],
    )
    results: list[list[AspectMention]] = [[] for _ in texts]
    grouped: dict[tuple[int, str], list[int]] = {}
    for row, (i, occ) in enumerate(flat):
        grouped.setdefault((i, occ.aspect), []).append(row)
    for (i, aspect), rows in grouped.items():
        mean = proba[rows].mean(axis=0)
        label = int(mean.argmax())
        best = rows[int(proba[rows, label].argmax())]
        occ = flat[best][1]
        results[i].append(
            AspectMention(
                aspect=aspect,
                term=occ.term,
                polarity=model.classes[label],
                confidence=round(float(mean[label]), 4),
                start=occ.start,
                end=occ.end,
            )
        )
    for mentions in results:
        mentions.sort(key=lambda m: m.start)
    return results


def extract_aspects(
    text: str, language: str, taxonomy: Taxonomy, *, model: AspectPolarityModel | None = None
) -> list[AspectMention]:
    """The aspects one review mentions, one per aspect, each with its polarity, in text order."""
    return analyze_batch([text], [language], taxonomy, model=model)[0]

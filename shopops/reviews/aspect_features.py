"""Features of one (text, aspect) pair for the aspect-polarity classifier.

The polarity of an aspect lives in the words around it, not in the whole review: "great screen but
the battery died" is positive for *screen* and negative for *battery*. So the features, all plain
strings that a stateless :class:`~sklearn.feature_extraction.text.HashingVectorizer` hashes, are
namespaced by where they come from:

- ``l:`` / ``r:`` words (Latin scripts) or character n-grams (Chinese, Japanese, Korean) in a small
  window left and right of the aspect occurrence, the occurrence itself replaced by a placeholder;
- ``c:`` n-grams of the *clause* holding the aspect (split at punctuation and at contrast words such
  as "but" / "但是"), which is where most opinions about the aspect are stated;
- ``s:`` n-grams of the whole text (the overall tone, a weak prior);
- ``a:`` the aspect's own words, and ``m:`` meta features: was it found, where in its clause and
  text it sits, how long the text is.

Latin-script words after a negation ("not", "never", "n't", ...) up to the next punctuation are
marked ``NOT_`` so "not good" and "good" are different features. Chinese negations (不, 没, 无, ...)
are covered by the character n-grams ("不好", "不太好"). No work at import time; pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_LATIN_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[^\w\s]", re.UNICODE)
# Clause boundaries: punctuation (ASCII and full-width after NFKC), and contrast words.
_CLAUSE_PUNCT = re.compile(r"[.,;:!?()\[\]\n\u3001\u3002\uff1b\uff01\uff1f\u2026~]+|\s{2,}")
_LATIN_CONTRAST = frozenset({"but", "however", "although", "though", "except", "yet", "whereas", "while"})
_CJK_CONTRAST = re.compile("但是|但|不过|可是|然而|只是|就是|却")
_NEGATIONS = frozenset(
    {"not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "cannot", "without", "hardly"}
)
_NEGATION_SPAN = 3  # words after a negation that it flips
LATIN_WINDOW = 5  # words each side of the aspect
CJK_LEFT, CJK_RIGHT = 6, 10  # characters; Chinese usually states the opinion after the aspect
PLACEHOLDER = "xxaspectxx"  # one word token standing for the aspect occurrence


def normalise(text: str) -> str:
    """NFKC (full-width punctuation and letters to ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def is_cjk(text: str) -> bool:
    """Whether ``text`` is mainly written in a script without spaces between words."""
    cjk = len(CJK.findall(text))
    return cjk > 0 and cjk * 2 >= sum(1 for ch in text if ch.isalpha())


def locate(text: str, aspect: str) -> tuple[int, int] | None:
    """Character span of the first occurrence of ``aspect`` in ``text`` (case-insensitive, NFKC);
    ``None`` when it does not occur. ``text`` must already be :func:`normalise`\\ d."""
    needle = normalise(aspect).strip()
    if not needle:
        return None
    index = text.find(needle)
    if index < 0:
        # tolerate a different spacing/tokenisation ("battery-life" vs "battery life")
        pattern = r"[\s\-_]*".join(re.escape(part) for part in needle.split())
        found = re.search(pattern, text)
        return (found.start(), found.end()) if found else None
    return index, index + len(needle)


def _latin_tokens(text: str) -> list[str]:
    """Words and punctuation, with ``NOT_`` on the few words after a negation."""
    out: list[str] = []
    flip = 0
    for tok in _LATIN_TOKEN.findall(text):
        if not tok[0].isalnum():
            flip = 0
            out.append(tok)
            continue
        word = tok
        if flip and word != PLACEHOLDER:
            word = "NOT_" + word
            flip -= 1
        out.append(word)
        if tok in _NEGATIONS or tok.endswith("n't"):
            flip = _NEGATION_SPAN
    return out


def _ngrams(tokens: list[str], prefix: str, n_max: int) -> list[str]:
    feats: list[str] = []
    for n in range(1, n_max + 1):
        for i in range(len(tokens) - n + 1):
            feats.append(prefix + " ".join(tokens[i : i + n]))
    return feats


def _char_ngrams(text: str, prefix: str, n_min: int, n_max: int) -> list[str]:
    chars = re.sub(r"\s+", " ", text).strip()
    feats: list[str] = []
    for n in range(n_min, n_max + 1):
        for i in range(len(chars) - n + 1):
            gram = chars[i : i + n]
            if gram.strip():
                feats.append(prefix + gram)
    return feats


def _clause_bounds(text: str, start: int, end: int, cjk: bool) -> tuple[int, int]:
    """The span of the clause around ``text[start:end]``: cut at punctuation and contrast words."""
    left, right = 0, len(text)
    for match in _CLAUSE_PUNCT.finditer(text):
        if match.end() <= start:
            left = match.end()
        elif match.start() >= end:
            right = match.start()
            break
    if cjk:
        for match in _CJK_CONTRAST.finditer(text, left, right):
            if match.end() <= start:
                left = match.start()  # keep the contrast word: it colours what follows
            elif match.start() >= end:
                right = match.start()
                break
    else:
        for match in re.finditer(r"\b(" + "|".join(_LATIN_CONTRAST) + r")\b", text[left:right]):
            s, e = match.start() + left, match.end() + left
            if e <= start:
                left = s
            elif s >= end:
                right = s
                break
    return left, right


def _bucket(value: float, edges: tuple[float, ...]) -> int:
    return sum(value > edge for edge in edges)


@dataclass(frozen=True)
class Located:
    """A normalised text with the aspect's span (``found`` False: the span is the whole text)."""

    text: str
    start: int
    end: int
    found: bool


def locate_in(text: str, aspect: str, span: tuple[int, int] | None = None) -> Located:
    """Normalise ``text`` and find ``aspect`` in it (``span`` when the caller already knows it)."""
    norm = normalise(text)
    if span is not None and len(norm) == len(text):
        return Located(norm, span[0], span[1], True)
    found = locate(norm, aspect)
    if found is None:
        return Located(norm, 0, 0, False)
    return Located(norm, found[0], found[1], True)


def features(text: str, aspect: str, span: tuple[int, int] | None = None) -> list[str]:
    """Every feature string of one (text, aspect) pair; see the module docstring."""
    loc = locate_in(text, aspect, span)
    norm, start, end = loc.text, loc.start, loc.end
    cjk = is_cjk(norm)
    feats: list[str] = ["m:bias", f"m:found={loc.found}", f"m:cjk={cjk}"]
    left, right = _clause_bounds(norm, start, end, cjk) if loc.found else (0, len(norm))
    mark = "_" if cjk else f" {PLACEHOLDER} "
    clause = norm[left:start] + mark + norm[end:right] if loc.found else norm
    feats.append(f"m:len={_bucket(len(norm), (15, 40, 100, 250))}")
    if loc.found:
        feats.append(f"m:clause_pos={_bucket((start - left) / max(1, right - left), (0.05, 0.5))}")
        feats.append(f"m:text_pos={_bucket(start / max(1, len(norm)), (0.05, 0.33, 0.66))}")
    aspect_norm = normalise(aspect)
    if cjk:
        feats += _char_ngrams(aspect_norm, "a:", 1, 2)
        if loc.found:
            feats += _char_ngrams(norm[max(left, start - CJK_LEFT) : start], "l:", 1, 3)
            feats += _char_ngrams(norm[end : min(right, end + CJK_RIGHT)], "r:", 1, 3)
        feats += _char_ngrams(clause, "c:", 1, 3)
        feats += _char_ngrams(norm[:2000], "s:", 1, 2)
        return feats
    feats += ["a:" + tok for tok in _latin_tokens(aspect_norm)]
    clause_tokens = _latin_tokens(clause)
    if loc.found and PLACEHOLDER in clause_tokens:
        at = clause_tokens.index(PLACEHOLDER)
        feats += ["l:" + tok for tok in clause_tokens[max(0, at - LATIN_WINDOW) : at]]
        feats += ["r:" + tok for tok in clause_tokens[at + 1 : at + 1 + LATIN_WINDOW]]
        raw = _LATIN_TOKEN.findall(clause)  # same positions, without the NOT_ marks
        window = " ".join(raw[max(0, at - LATIN_WINDOW) : at + 1 + LATIN_WINDOW])
        feats += _char_ngrams(window.replace(PLACEHOLDER, "_"), "w:", 3, 5)
    feats += _ngrams(clause_tokens, "c:", 2)
    sentence_tokens = _latin_tokens(norm[:3000])
    feats += _ngrams(sentence_tokens, "s:", 2)
    return feats

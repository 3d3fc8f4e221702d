"""Evaluation metrics shared by the ``shopops eval …`` harnesses.

Pure functions over plain Python values: no model, no store, no numpy. Each capability's harness
picks what it needs:

- text overlap (copy studio, reports): :func:`rouge_l`, :func:`rouge_l_corpus`, :func:`bleu`;
- classification (review sentiment, intent): :func:`accuracy`, :func:`macro_f1`,
  :func:`precision_recall` (one positive class, e.g. "escalate");
- extractive answers (support replies): :func:`token_f1`, :func:`best_token_f1` (SQuAD-style);
- latency: :func:`percentile`.

Ranking (search MRR, recall@k) and forecasting (MASE) metrics belong here too, beside these, as
plain functions of the same shape: predictions and references in, one float out.

Tokenisation follows the script of the language. Latin, Cyrillic, Arabic and similar scripts are
split into words (lower-cased, punctuation dropped). Chinese, Japanese and Thai write no spaces
between words, so word-level scores would treat a whole sentence as one "word": there every
character of the script is a token; runs of Latin letters or digits inside such text (model
numbers, "USB", "256GB") stay whole words, as sacrebleu's ``zh`` tokenizer does.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Sequence

CHARACTER_LANGUAGES = frozenset({"zh", "ja", "th"})

# CJK ideographs, kana, Hangul syllables and Thai (full-width punctuation becomes ASCII under NFKC).
_CHAR_SCRIPT = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u0e00-\u0e7f\U00020000-\U0002ffff]"
)
_WORD = re.compile(r"\w+", re.UNICODE)


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith(("P", "S", "Z", "C"))


def tokenize(text: str, *, lang: str) -> list[str]:
    """Lower-cased tokens of ``text`` for ``lang``: words, or characters for zh/ja/th (see module)."""
    text = unicodedata.normalize("NFKC", text).lower()
    if lang not in CHARACTER_LANGUAGES:
        return _WORD.findall(text)
    tokens: list[str] = []
    word = ""
    for char in text:
        if _CHAR_SCRIPT.match(char):
            if word:
                tokens.append(word)
                word = ""
            if not _is_punctuation(char) and not unicodedata.category(char).startswith("M"):
                tokens.append(char)
            elif unicodedata.category(char).startswith("M") and tokens:
                tokens[-1] += char  # a Thai combining vowel or tone mark joins its consonant
        elif _WORD.match(char):
            word += char
        elif word:
            tokens.append(word)
            word = ""
    if word:
        tokens.append(word)
    return tokens


def lcs_length(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Length of the longest common subsequence of two token sequences (O(len(a)·len(b)) time,
    O(min) memory)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return 0
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b, start=1):
            if token == other:
                current.append(previous[j - 1] + 1)
            else:
                current.append(max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(hypothesis: str, reference: str, *, lang: str) -> float:
    """ROUGE-L F-measure (β = 1) of one hypothesis against one reference, in [0, 1].

    Precision = LCS / hypothesis tokens, recall = LCS / reference tokens, F = 2PR / (P + R).
    An empty hypothesis or reference scores 0.
    """
    hyp, ref = tokenize(hypothesis, lang=lang), tokenize(reference, lang=lang)
    if not hyp or not ref:
        return 0.0
    common = lcs_length(hyp, ref)
    if common == 0:
        return 0.0
    precision, recall = common / len(hyp), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def rouge_l_corpus(hypotheses: Sequence[str], references: Sequence[str], *, lang: str) -> float:
    """Mean sentence-level ROUGE-L F over aligned pairs (0.0 for no pairs)."""
    _same_length(hypotheses, references)
    if not hypotheses:
        return 0.0
    scores = [rouge_l(h, r, lang=lang) for h, r in zip(hypotheses, references, strict=True)]
    return sum(scores) / len(scores)


def sacrebleu_tokenizer(lang: str) -> str:
    """sacrebleu's tokenizer for a language: ``zh`` (characters), ``char`` for ja/th, else ``13a``."""
    if lang == "zh":
        return "zh"
    if lang in CHARACTER_LANGUAGES:
        return "char"
    return "13a"


def bleu(hypotheses: Sequence[str], references: Sequence[str], *, lang: str) -> float:
    """Corpus BLEU by sacrebleu on its usual 0–100 scale, one reference per hypothesis.

    Case-sensitive with sacrebleu's default exponential smoothing, as ``sacrebleu`` reports it, so
    figures compare with published ones.
    """
    from sacrebleu.metrics import BLEU

    _same_length(hypotheses, references)
    if not hypotheses:
        return 0.0
    scorer = BLEU(tokenize=sacrebleu_tokenizer(lang))
    return float(scorer.corpus_score(list(hypotheses), [list(references)]).score)


def accuracy(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> float:
    """Share of predictions equal to the label (0.0 for no items)."""
    _same_length(y_true, y_pred)
    if not y_true:
        return 0.0
    return sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)


def macro_f1(
    y_true: Sequence[Hashable], y_pred: Sequence[Hashable], *, labels: Sequence[Hashable] | None = None
) -> float:
    """Unweighted mean of per-class F1 over ``labels`` (default: every class seen in either list).

    A class with no true and no predicted items scores 0 when named in ``labels`` (as
    scikit-learn's ``zero_division=0``), so listing a class the model never predicts costs it.
    """
    _same_length(y_true, y_pred)
    classes = list(labels) if labels is not None else sorted(set(y_true) | set(y_pred), key=str)
    if not classes:
        return 0.0
    scores = []
    for label in classes:
        tp = sum(t == label and p == label for t, p in zip(y_true, y_pred, strict=True))
        fp = sum(t != label and p == label for t, p in zip(y_true, y_pred, strict=True))
        fn = sum(t == label and p != label for t, p in zip(y_true, y_pred, strict=True))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


def precision_recall(
    y_true: Sequence[Hashable], y_pred: Sequence[Hashable], *, positive: Hashable
) -> tuple[float, float]:
    """Precision and recall of the class ``positive``; 0.0 where the denominator is 0 (nothing
    predicted positive / nothing truly positive), as scikit-learn's ``zero_division=0``."""
    _same_length(y_true, y_pred)
    tp = sum(t == positive and p == positive for t, p in zip(y_true, y_pred, strict=True))
    predicted = sum(p == positive for p in y_pred)
    actual = sum(t == positive for t in y_true)
    return (tp / predicted if predicted else 0.0), (tp / actual if actual else 0.0)


_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


def answer_tokens(text: str, *, lang: str) -> list[str]:
    """Tokens of an answer as SQuAD's evaluation script normalises them: lower-cased, punctuation
    removed, the articles a/an/the dropped, split on whitespace. For zh/ja/th (no spaces between
    words) the tokens are characters, as :func:`tokenize` makes them (punctuation dropped)."""
    if lang in CHARACTER_LANGUAGES:
        return tokenize(text, lang=lang)
    text = unicodedata.normalize("NFKC", text).lower()
    # deleted, not replaced by a space, as SQuAD does: "don't" -> "dont", "U.S.A." -> "usa"
    text = "".join(c for c in text if not unicodedata.category(c).startswith(("P", "S")))
    return _ARTICLES.sub(" ", text).split()


def token_f1(prediction: str, reference: str, *, lang: str) -> float:
    """SQuAD token F1 of one prediction against one reference, in [0, 1].

    Overlap counts shared tokens with multiplicity; precision = overlap / prediction tokens,
    recall = overlap / reference tokens. When either side has no tokens the score is 1.0 if both
    are empty and 0.0 otherwise (as SQuAD 2.0's script).
    """
    pred, ref = answer_tokens(prediction, lang=lang), answer_tokens(reference, lang=lang)
    if not pred or not ref:
        return float(pred == ref)
    overlap = sum((Counter(pred) & Counter(ref)).values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(pred), overlap / len(ref)
    return 2 * precision * recall / (precision + recall)


def best_token_f1(prediction: str, references: Sequence[str], *, lang: str | None = None) -> float:
    """The highest :func:`token_f1` over ``references`` (0.0 for none). ``lang`` ``None``: each
    reference's language is detected (:func:`shopops.langid.detect_language`), so a Chinese
    reference is scored by character and an English one by word."""
    from shopops.langid import detect_language

    return max(
        (
            token_f1(prediction, ref, lang=lang if lang is not None else detect_language(ref))
            for ref in references
        ),
        default=0.0,
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between closest ranks (numpy's
    default method); 0.0 for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _same_length(left: Sequence[object], right: Sequence[object]) -> None:
    if len(left) != len(right):
        raise ValueError(f"metric inputs differ in length: {len(left)} vs {len(right)}")

"""Text normalisation and hashed features for the fast sentiment classifier, one recipe per language.

Features are hashed (scikit-learn's stateless :class:`HashingVectorizer`, MurmurHash3 with a fixed
seed, ``alternate_sign=False``), so the shipped model needs no vocabulary and the same text gives
the same columns in every process (Python's own ``hash()`` is salted per process and never used).

A recipe is a list of *blocks*; each block hashes one kind of n-gram into its own ``n_features``
columns. Raw counts are turned into TF-IDF here, not by scikit-learn's transformer, so training and
inference share one code path: sublinear term frequency ``1 + ln(tf)`` times the stored idf, each
block L2-normalised and scaled by its weight. English adds a few dense lexicon features (VADER's
compound, positive and negative scores, scaled by ``lexicon_weight``): with only ~2,000 labelled
English sentences the lexicon carries words the training data never saw.

- ``zh``: character 1–3-grams of the NFKC-normalised, lower-cased text (no word segmentation: the
  n-grams need none, cost no jieba dictionary load and reach the accuracy target).
- ``en``: word 1–2-grams with negation scope marked (tokens after not/no/never/…n't until the next
  punctuation or contrast word get a ``NEG_`` prefix) and within-word character 2–5-grams.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

REPEATS = re.compile(r"(.)\1{2,}")
SPACES = re.compile(r"\s+")
EN_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[.,!?;:]")
# fmt: off
EN_NEGATORS = frozenset((
    "not", "no", "never", "none", "nothing", "nobody", "nowhere", "neither", "nor", "cannot", "cant",
    "without", "hardly", "barely",
))
EN_SCOPE_END = frozenset((".", ",", "!", "?", ";", ":", "but", "however", "although", "though", "yet"))
# fmt: on


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, curly apostrophes straightened, runs of one
    character capped at two ("sooooo" -> "soo"), whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'").replace("`", "'")
    return SPACES.sub(" ", REPEATS.sub(r"\1\1", text)).strip()


def _is_negator(token: str) -> bool:
    return token in EN_NEGATORS or token.endswith("n't")


def english_tokens(text: str) -> list[str]:
    """Word tokens of normalised English text, ``NEG_``-prefixed inside a negation's scope."""
    tokens: list[str] = []
    negated = False
    for token in EN_TOKEN.findall(text):
        if token in EN_SCOPE_END:
            negated = False
            tokens.append(token)
            continue
        tokens.append("NEG_" + token if negated else token)
        if _is_negator(token):
            negated = True
    return tokens


def english_word_ngrams(text: str) -> list[str]:
    """Unigrams and bigrams of :func:`english_tokens` (the analyzer of the ``en`` word block)."""
    tokens = english_tokens(normalize(text))
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


@dataclass(frozen=True)
class Block:
    """One hashed n-gram block: ``kind`` is ``char``, ``char_wb`` or ``en_words``."""

    kind: str
    ngram_min: int = 1
    ngram_max: int = 1
    weight: float = 1.0


@dataclass(frozen=True)
class FeatureConfig:
    """A language's feature recipe; stored as JSON next to the weights."""

    language: str
    n_features: int
    blocks: tuple[Block, ...]
    lexicon: str = ""  # "vader" or "" (none)
    lexicon_weight: float = 0.0

    @property
    def n_lexicon(self) -> int:
        return len(LEXICON_FEATURES) if self.lexicon == "vader" else 0

    @property
    def width(self) -> int:
        """Columns of the full feature matrix: every block, then the lexicon features."""
        return self.n_features * len(self.blocks) + self.n_lexicon

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["blocks"] = [asdict(b) for b in self.blocks]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureConfig:
        blocks = tuple(Block(**b) for b in data["blocks"])
        return cls(**{**data, "blocks": blocks})


LEXICON_FEATURES = ("vader_compound", "vader_pos", "vader_neg")

RECIPES: dict[str, FeatureConfig] = {
    "zh": FeatureConfig(language="zh", n_features=2**20, blocks=(Block("char", 1, 3),)),
    "en": FeatureConfig(
        language="en",
        n_features=2**18,
        blocks=(Block("en_words", 1, 2, 1.0), Block("char_wb", 2, 5, 1.0)),
        lexicon="vader",
        lexicon_weight=2.0,
    ),
}


@cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def lexicon_features(texts: Sequence[str]) -> np.ndarray:
    """VADER's compound, positive and negative scores per text (``len(texts) x 3``)."""
    analyzer = _vader()
    rows = []
    for text in texts:
        scores = analyzer.polarity_scores(text)
        rows.append((scores["compound"], scores["pos"], scores["neg"]))
    return np.asarray(rows, dtype=np.float64).reshape(len(texts), len(LEXICON_FEATURES))


def _vectorizer(block: Block, n_features: int) -> HashingVectorizer:
    common: dict[str, Any] = {"n_features": n_features, "alternate_sign": False, "norm": None}
    if block.kind == "en_words":
        analyzer: str | Callable[[str], list[str]] = english_word_ngrams
        return HashingVectorizer(analyzer=analyzer, **common)
    if block.kind in ("char", "char_wb"):
        return HashingVectorizer(
            analyzer=block.kind,
            ngram_range=(block.ngram_min, block.ngram_max),
            preprocessor=normalize,
            lowercase=False,
            **common,
        )
    raise ValueError(f"unknown feature block kind {block.kind!r}")


@dataclass
class FeatureExtractor:
    """Raw hashed counts per block (for idf) and the weighted TF-IDF matrix (for the model)."""

    config: FeatureConfig
    _vectorizers: list[HashingVectorizer] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._vectorizers = [_vectorizer(b, self.config.n_features) for b in self.config.blocks]

    def counts(self, texts: Sequence[str]) -> list[sparse.csr_matrix]:
        """One ``len(texts) x n_features`` count matrix per block."""
        return [v.transform(texts).tocsr() for v in self._vectorizers]

    def transform(
        self, texts: Sequence[str], idf: Sequence[np.ndarray], counts: list[sparse.csr_matrix] | None = None
    ) -> sparse.csr_matrix:
        """The model's input: weighted, L2-normalised sublinear TF-IDF blocks, then the lexicon."""
        blocks = self.counts(texts) if counts is None else counts
        parts: list[sparse.csr_matrix] = []
        for block, matrix, block_idf in zip(self.config.blocks, blocks, idf, strict=True):
            parts.append(tfidf(matrix, block_idf, block.weight))
        if self.config.n_lexicon:
            dense = lexicon_features(texts) * self.config.lexicon_weight
            parts.append(sparse.csr_matrix(dense))
        return sparse.hstack(parts, format="csr")


def tfidf(counts: sparse.csr_matrix, idf: np.ndarray, weight: float = 1.0) -> sparse.csr_matrix:
    """``weight * l2_normalise((1 + ln tf) * idf)`` row by row; columns with idf 0 drop out."""
    matrix = counts.astype(np.float64, copy=True)
    matrix.data = 1.0 + np.log(matrix.data)
    matrix = matrix @ sparse.diags(idf.astype(np.float64))
    matrix = sparse.csr_matrix(matrix)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(weight / norms) @ matrix)


def fit_idf(counts: sparse.csr_matrix, *, min_df: int = 2) -> np.ndarray:
    """Smoothed idf ``ln((1 + n) / (1 + df)) + 1`` (as scikit-learn); 0 for columns seen in fewer
    than ``min_df`` training texts, which drops them (rare hashed n-grams mostly add noise and size)."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    idf[df < min_df] = 0.0
    return idf

"""HashEmbedder: a deterministic, dependency-free embedder for tests, docs and dry runs.

It is the hashing trick over words and character n-grams: each feature is hashed (blake2b, so the
result is the same in every process, unlike ``hash()``) to a signed bucket of a fixed-size vector.
Texts that share words or word pieces get similar vectors, so search and clustering code behaves
plausibly on it, but it knows no synonyms or translations: use ``local`` for real work.

Latin-script words contribute the word itself and its character trigrams (``<wo``, ``wor``...);
CJK text, written without spaces, contributes each character and each adjacent pair.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import numpy as np

from shopops.embed.base import EmbeddingBackend, EmbedKind

WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
CJK = re.compile(f"[{_CJK_CHARS}]")
SCRIPT_RUN = re.compile(f"[{_CJK_CHARS}]+|[^{_CJK_CHARS}]+")
WORD_WEIGHT = 1.0
PIECE_WEIGHT = 0.5
EMPTY_FEATURE = "\x00empty"


class HashEmbedder(EmbeddingBackend):
    """Signed feature hashing of words and character n-grams. ``kind`` is ignored (symmetric)."""

    name = "hash"

    def __init__(self, dim: int = 256) -> None:
        if dim < 8:
            raise ValueError("dim must be at least 8")
        self.dim = dim
        self.model = f"hash-ngrams-{dim}"

    def embed(self, texts: list[str], kind: EmbedKind) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in features(text):
                bucket, sign = _bucket(feature, self.dim)
                out[row, bucket] += sign * weight
            norm = float(np.linalg.norm(out[row]))
            if norm == 0.0:  # features cancelled out exactly: fall back to the empty-text vector
                bucket, sign = _bucket(EMPTY_FEATURE, self.dim)
                out[row, bucket] = sign
            else:
                out[row] /= norm
        return out


def features(text: str) -> list[tuple[str, float]]:
    """The weighted features of one text (what gets hashed)."""
    normalised = unicodedata.normalize("NFKC", text).casefold()
    found: list[tuple[str, float]] = []
    for word in WORD.findall(normalised):
        # A run may mix scripts ("iphone手机"): split it into Latin words and CJK stretches.
        for piece in SCRIPT_RUN.findall(word):
            found.extend(_cjk_features(piece) if CJK.match(piece) else _word_features(piece))
    return found or [(EMPTY_FEATURE, 1.0)]


def _word_features(word: str) -> list[tuple[str, float]]:
    padded = f"<{word}>"
    return [("w:" + word, WORD_WEIGHT)] + [
        ("c:" + padded[i : i + 3], PIECE_WEIGHT) for i in range(len(padded) - 2)
    ]


def _cjk_features(run: str) -> list[tuple[str, float]]:
    found = [("w:" + char, WORD_WEIGHT) for char in run]
    found.extend(("c:" + run[i : i + 2], PIECE_WEIGHT) for i in range(len(run) - 1))
    return found


@lru_cache(maxsize=65536)
def _bucket(feature: str, dim: int) -> tuple[int, float]:
    digest = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")
    return digest % dim, (1.0 if digest >> 63 else -1.0)

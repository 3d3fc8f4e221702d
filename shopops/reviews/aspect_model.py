"""The fast aspect-polarity classifier: hashed features, stored idf and coefficients, no pickle.

A trained model is two files in ``shopops/reviews/artifacts/``: ``aspect-polarity.npz`` (the hashed
columns kept at training time, their idf, the coefficient matrix and intercepts) and
``aspect-polarity.json`` (classes, hashing size, how it was trained). Features are hashed with
scikit-learn's stateless :class:`HashingVectorizer` over :func:`aspect_features.features`, so
nothing but arrays needs storing, and loading runs no code from the file (unlike a pickle).

The tf-idf weighting is computed here, not by scikit-learn's ``TfidfTransformer``, so training
(:mod:`shopops.reviews.aspect_train`) and inference use the very same function,
:meth:`AspectPolarityModel.transform`: sublinear tf, idf of the kept columns, rows L2-normalised.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

import numpy as np
from scipy import sparse

from shopops.errors import ConfigError
from shopops.reviews.aspect_features import features
from shopops.reviews.types import POLARITIES, Polarity

ARTIFACT_DIR = Path(__file__).parent / "artifacts"
ARTIFACT_STEM = "aspect-polarity"
N_FEATURES = 2**20
FORMAT_VERSION = 1

Span = tuple[int, int] | None


def hash_features(texts: Sequence[str], aspects: Sequence[str], spans: Sequence[Span] | None = None) -> Any:
    """Raw hashed feature counts, a CSR matrix of shape (len(texts), N_FEATURES)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    if len(texts) != len(aspects):
        raise ValueError(f"{len(texts)} texts but {len(aspects)} aspects")
    spans = spans if spans is not None else [None] * len(texts)
    vectorizer = HashingVectorizer(
        analyzer=lambda doc: doc, n_features=N_FEATURES, alternate_sign=False, norm=None
    )
    docs = [features(t, a, s) for t, a, s in zip(texts, aspects, spans, strict=True)]
    return vectorizer.transform(docs).tocsr()


def tfidf(counts: Any, columns: np.ndarray, idf: np.ndarray) -> Any:
    """Keep ``columns`` of a raw count matrix (re-indexed 0..k-1), sublinear tf x idf, L2 rows."""
    counts = counts.tocsr()
    counts.sum_duplicates()
    pos = np.searchsorted(columns, counts.indices)
    pos_clipped = np.minimum(pos, len(columns) - 1)
    keep = columns[pos_clipped] == counts.indices
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[keep]
    cols = pos_clipped[keep]
    data = (1.0 + np.log(counts.data[keep].astype(np.float64))) * idf[cols]
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(counts.shape[0], len(columns)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


@dataclass
class AspectPolarityModel:
    """A linear model over hashed, tf-idf weighted aspect features; classes in ``POLARITIES`` order."""

    columns: np.ndarray  # sorted hashed column ids kept at training time (int32)
    idf: np.ndarray  # (k,) float32
    coef: np.ndarray  # (len(classes), k) float32
    intercept: np.ndarray  # (len(classes),) float32
    classes: tuple[Polarity, ...] = POLARITIES
    meta: dict[str, Any] = field(default_factory=dict)
    version: str = "unsaved"  # "aspect-polarity@<sha256 prefix of the arrays>" once loaded

    def transform(
        self, texts: Sequence[str], aspects: Sequence[str], spans: Sequence[Span] | None = None
    ) -> Any:
        return tfidf(hash_features(texts, aspects, spans), self.columns, self.idf)

    def predict_proba(
        self, texts: Sequence[str], aspects: Sequence[str], spans: Sequence[Span] | None = None
    ) -> np.ndarray:
        """Class probabilities, shape (n, len(classes)), one vectorised pass for every pair."""
        if not texts:
            return np.zeros((0, len(self.classes)))
        scores = np.asarray(self.transform(texts, aspects, spans) @ self.coef.T.astype(np.float64))
        scores += self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(
        self, texts: Sequence[str], aspects: Sequence[str], spans: Sequence[Span] | None = None
    ) -> list[tuple[Polarity, float]]:
        """``(polarity, probability)`` per pair."""
        proba = self.predict_proba(texts, aspects, spans)
        best = proba.argmax(axis=1)
        return [(self.classes[i], float(proba[row, i])) for row, i in enumerate(best)]

    def save(self, directory: Path = ARTIFACT_DIR) -> tuple[Path, Path]:
        """Write ``aspect-polarity.npz`` and ``.json`` into ``directory``; return their paths."""
        directory.mkdir(parents=True, exist_ok=True)
        arrays = directory / f"{ARTIFACT_STEM}.npz"
        with arrays.open("wb") as handle:
            np.savez_compressed(
                handle,
                columns=self.columns.astype(np.int32),
                idf=self.idf.astype(np.float32),
                coef=self.coef.astype(np.float32),
                intercept=self.intercept.astype(np.float32),
            )
        info = directory / f"{ARTIFACT_STEM}.json"
        header = {"format": FORMAT_VERSION, "n_features": N_FEATURES, "classes": list(self.classes)}
        info.write_text(json.dumps({**header, **self.meta}, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return arrays, info

    @classmethod
    def load(cls, directory: Path = ARTIFACT_DIR) -> AspectPolarityModel:
        """Read a saved model; a missing or foreign artifact is a :class:`ConfigError` that says how
        to rebuild it."""
        arrays, info = directory / f"{ARTIFACT_STEM}.npz", directory / f"{ARTIFACT_STEM}.json"
        hint = "reinstall shopops, or rebuild the model with `python scripts/train_aspects.py`"
        if not arrays.is_file() or not info.is_file():
            raise ConfigError(f"the aspect-polarity model is missing from {directory}", hint=hint)
        meta = json.loads(info.read_text("utf-8"))
        if meta.get("format") != FORMAT_VERSION or meta.get("n_features") != N_FEATURES:
            raise ConfigError(
                f"{info} is format {meta.get('format')!r} with {meta.get('n_features')!r} features; "
                f"this shopops reads format {FORMAT_VERSION} with {N_FEATURES}",
                hint=hint,
            )
        digest = hashlib.sha256(arrays.read_bytes()).hexdigest()[:12]
        with np.load(arrays, allow_pickle=False) as data:
            columns, idf = data["columns"], data["idf"].astype(np.float64)
            coef, intercept = data["coef"], data["intercept"].astype(np.float64)
        classes = tuple(cast(Polarity, c) for c in meta.pop("classes"))
        for key in ("format", "n_features"):
            meta.pop(key)
        return cls(
            columns=columns,
            idf=idf,
            coef=coef,
            intercept=intercept,
            classes=classes,
            meta=meta,
            version=f"{ARTIFACT_STEM}@{digest}",
        )


@cache
def load_aspect_model(directory: Path = ARTIFACT_DIR) -> AspectPolarityModel:
    """The packaged model, read once per process."""
    return AspectPolarityModel.load(directory)

"""The embedding backend protocol.

A backend implements one method, :meth:`EmbeddingBackend.embed`; ``embed_queries``,
``embed_passages`` and ``embed_query`` are derived from it and check what it returned, so every
backend hands callers the same thing: a ``float32`` matrix of shape ``(n, dim)`` whose rows have
unit L2 norm (a dot product is the cosine similarity).

``kind`` matters for asymmetric models such as e5, which were trained with ``query: `` and
``passage: `` prefixes; symmetric backends ignore it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Literal

import numpy as np

from shopops.errors import BackendError

EmbedKind = Literal["query", "passage"]


class EmbeddingBackend(ABC):
    """Text embedding backend. Subclasses implement :meth:`embed` only."""

    name: str = "base"
    model: str = ""
    dim: int = 0
    batch_size: int = 32

    @abstractmethod
    def embed(self, texts: list[str], kind: EmbedKind) -> np.ndarray:
        """Embed ``texts`` as queries or passages: float32, shape ``(len(texts), dim)``, rows L2-normalised.

        Callers normally use :meth:`embed_queries` / :meth:`embed_passages`, which handle the empty
        list and verify the result."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries (questions, customer messages)."""
        return self._checked(list(texts), "query")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents to be searched (product texts, policy chunks, reviews)."""
        return self._checked(list(texts), "passage")

    def embed_query(self, text: str) -> np.ndarray:
        """One query as a vector of shape ``(dim,)``."""
        return self.embed_queries([text])[0]

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (sockets, model memory)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, model={self.model!r}, dim={self.dim})"

    def _checked(self, texts: list[str], kind: EmbedKind) -> np.ndarray:
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {i} is {type(text).__name__}, expected str")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self.embed(texts, kind), dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(texts) or vectors.shape[1] != self.dim:
            raise BackendError(
                f"embedding backend {self.name!r} ({self.model}) returned shape {vectors.shape} "
                f"for {len(texts)} text(s); expected ({len(texts)}, {self.dim})",
                hint="check that the configured embedding model is the one the server runs",
            )
        if not np.isfinite(vectors).all():
            raise BackendError(
                f"embedding backend {self.name!r} ({self.model}) returned NaN or infinite values",
                hint="retry; if it persists, the model files or the server are broken",
            )
        return vectors


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (all-zero rows stay zero), as float32."""
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, np.float32(1e-12))).astype(np.float32, copy=False)


def batched(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """Consecutive slices of at most ``size`` items."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    for start in range(0, len(items), size):
        yield items[start : start + size]

